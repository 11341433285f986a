"""Customers: the people and companies an organization bills."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from models.catalog.taxes import taxes_by_code
from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode, reject
from models.inputs.identity import IdentityFields, checked_identity
from models.store.columns import utcnow
from models.store.counters import bump
from models.store.db import Database
from models.store.pagination import Page, matches_any, paginate
from models.store.tables import Customer, CustomerTax, Invoice, Organization, Tax


class CustomerFields(IdentityFields, total=False):
    external_id: str | None  # None is refused as REQUIRED, not by the type
    name: str | None
    email: str | None
    currency: str | None
    timezone: str | None
    net_payment_term: int | None
    tax_codes: list[str] | None


def _checked(fields: CustomerFields, checks: Checks) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "external_id" in fields:
        values["external_id"] = checks.text(fields["external_id"], ("externalId",), required=True)
    if "name" in fields:
        values["name"] = checks.text(fields["name"], ("name",))
    if "email" in fields:
        values["email"] = checks.email(fields["email"], ("email",))
    if "currency" in fields:
        values["currency"] = checks.currency(fields["currency"], ("currency",))
    if "timezone" in fields:
        values["timezone"] = checks.timezone(fields["timezone"], ("timezone",))
    if "net_payment_term" in fields:
        values["net_payment_term"] = checks.days(fields["net_payment_term"], ("netPaymentTerm",))
    values.update(checked_identity(fields, checks))
    return values


async def _set_taxes(
    session: AsyncSession,
    organization_id: str,
    customer_id: str,
    codes: Sequence[str],
    checks: Checks,
) -> None:
    taxes, errors = await taxes_by_code(session, organization_id, codes, ("taxCodes",))
    checks.errors.extend(errors)
    checks.raise_if_any()
    await session.execute(delete(CustomerTax).where(col(CustomerTax.customer_id) == customer_id))
    session.add_all(CustomerTax(customer_id=customer_id, tax_id=tax.id) for tax in taxes)


def _taken(external_id: object) -> Exception:
    return reject(
        ErrorCode.TAKEN, ("externalId",), f"a customer with externalId {external_id!r} exists"
    )


async def _external_id_taken(
    session: AsyncSession, organization_id: str, external_id: object, other_than: str | None
) -> bool:
    query = select(Customer.id).where(
        Customer.organization_id == organization_id, Customer.external_id == external_id
    )
    if other_than is not None:
        query = query.where(Customer.id != other_than)
    return (await session.exec(query)).first() is not None


async def create_customer(db: Database, organization_id: str, fields: CustomerFields) -> Customer:
    checks = Checks()
    if "external_id" not in fields:
        fields = {**fields, "external_id": ""}
    values = _checked(fields, checks)
    try:
        async with db.write() as session:
            if checks.errors:
                checks.raise_if_any()
            if await _external_id_taken(session, organization_id, values["external_id"], None):
                raise _taken(values["external_id"])
            (sequential_id,) = await bump(session, Organization, organization_id, "customer_seq")
            customer = Customer(
                organization_id=organization_id, sequential_id=sequential_id, **values
            )
            session.add(customer)
            await session.flush()
            if fields.get("tax_codes"):
                await _set_taxes(
                    session, organization_id, customer.id, fields["tax_codes"] or [], checks
                )
    except IntegrityError as error:
        # Two creates of one externalId raced; the unique index let one through.
        raise _taken(values["external_id"]) from error
    return customer


async def update_customer(
    db: Database, organization_id: str, customer_id: str, fields: CustomerFields
) -> Customer:
    checks = Checks()
    values = _checked(fields, checks)
    try:
        async with db.write() as session:
            # Locked: an invoice committing meanwhile could fix the currency under our feet.
            customer = await find_customer(
                session, organization_id, customer_id=customer_id, for_update=True
            )
            if customer is None:
                raise reject(ErrorCode.CUSTOMER_NOT_FOUND, ("id",), "no customer with this id")
            checks.raise_if_any()
            if "external_id" in values and await _external_id_taken(
                session, organization_id, values["external_id"], customer.id
            ):
                raise _taken(values["external_id"])
            if "currency" in values and values["currency"] != customer.currency:
                invoiced = await session.scalar(
                    select(exists().where(col(Invoice.customer_id) == customer.id))
                )
                if invoiced:
                    raise reject(
                        ErrorCode.CURRENCY_MISMATCH,
                        ("currency",),
                        f"the customer is invoiced in {customer.currency}; it cannot change",
                    )
            for name, value in values.items():
                setattr(customer, name, value)
            customer.updated_at = utcnow()
            session.add(customer)
            await session.flush()
            if "tax_codes" in fields:
                await _set_taxes(
                    session, organization_id, customer.id, fields["tax_codes"] or [], checks
                )
    except IntegrityError as error:
        raise _taken(values.get("external_id")) from error
    return customer


async def find_customer(
    session: AsyncSession,
    organization_id: str,
    *,
    customer_id: str | None = None,
    external_id: str | None = None,
    for_update: bool = False,
) -> Customer | None:
    """`for_update` locks the row (PostgreSQL) for a writer that decides from what it reads."""
    if customer_id is None and external_id is None:
        return None
    query = _find_statement(customer_id is not None, external_id is not None, for_update)
    params = {"organization_id": organization_id, "id": customer_id, "external_id": external_id}
    return (await session.exec(query, params=params)).first()


# Built once per shape: each invoice looks its customer up, and on SQLite making the
# statement cost more than running it.
_FIND: dict[tuple[bool, bool, bool], SelectOfScalar[Customer]] = {}


def _find_statement(
    by_id: bool, by_external_id: bool, for_update: bool
) -> SelectOfScalar[Customer]:
    key = (by_id, by_external_id, for_update)
    query = _FIND.get(key)
    if query is None:
        query = select(Customer).where(
            col(Customer.organization_id) == bindparam("organization_id")
        )
        if by_id:
            query = query.where(col(Customer.id) == bindparam("id"))
        if by_external_id:
            query = query.where(col(Customer.external_id) == bindparam("external_id"))
        if for_update:
            query = query.with_for_update()
        _FIND[key] = query
    return query


async def list_customers(
    session: AsyncSession,
    organization_id: str,
    *,
    first: int | None,
    after: str | None,
    search_term: str | None,
) -> Page[Customer]:
    where = [col(Customer.organization_id) == organization_id]
    if search_term and search_term.strip():
        where.append(
            matches_any(search_term.strip(), Customer.name, Customer.external_id, Customer.email)
        )
    return await paginate(session, Customer, where, first=first, after=after)


async def taxes_of_customers(
    session: AsyncSession, customer_ids: Sequence[str]
) -> dict[str, list[Tax]]:
    rows = await session.exec(
        select(CustomerTax.customer_id, Tax)
        .join(Tax, col(Tax.id) == CustomerTax.tax_id)
        .where(col(CustomerTax.customer_id).in_(customer_ids))
        .order_by(col(Tax.code))
    )
    found: dict[str, list[Tax]] = {customer_id: [] for customer_id in customer_ids}
    for customer_id, tax in rows:
        found[customer_id].append(tax)
    return found
