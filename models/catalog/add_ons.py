"""Add-ons: the catalog of things an organization bills once, with their default price."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.catalog.taxes import taxes_by_code
from models.inputs.checks import LONG_TEXT, Checks
from models.inputs.errors import ErrorCode, reject
from models.store.columns import utcnow
from models.store.db import Database
from models.store.pagination import Page, matches_any, paginate
from models.store.tables import AddOn, AddOnTax, Tax


class AddOnFields(TypedDict, total=False):
    code: str | None
    name: str | None
    invoice_display_name: str | None
    description: str | None
    amount_cents: int | None
    amount_currency: str | None
    tax_codes: list[str] | None


_REQUIRED = {
    "code": "code",
    "name": "name",
    "amount_cents": "amountCents",
    "amount_currency": "amountCurrency",
}


def _missing(fields: AddOnFields, checks: Checks) -> None:
    for name, graph_name in _REQUIRED.items():
        if name not in fields:
            checks.add(ErrorCode.REQUIRED, (graph_name,), f"{graph_name} is required")


def _checked(fields: AddOnFields, checks: Checks) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "code" in fields:
        values["code"] = checks.text(fields["code"], ("code",), required=True)
    if "name" in fields:
        values["name"] = checks.text(fields["name"], ("name",), required=True)
    if "invoice_display_name" in fields:
        values["invoice_display_name"] = checks.text(
            fields["invoice_display_name"], ("invoiceDisplayName",)
        )
    if "description" in fields:
        values["description"] = checks.text(
            fields["description"], ("description",), max_length=LONG_TEXT
        )
    if "amount_cents" in fields:
        amount = fields["amount_cents"]
        if amount is None:
            checks.add(ErrorCode.REQUIRED, ("amountCents",), "amountCents is required")
        values["amount_cents"] = checks.minor_units(amount, ("amountCents",))
    if "amount_currency" in fields:
        currency = fields["amount_currency"]
        if currency is None:
            checks.add(ErrorCode.REQUIRED, ("amountCurrency",), "amountCurrency is required")
        values["amount_currency"] = checks.currency(currency, ("amountCurrency",))
    return values


async def _tax_ids(
    session: AsyncSession, organization_id: str, codes: Sequence[str], checks: Checks
) -> list[str]:
    taxes, errors = await taxes_by_code(session, organization_id, codes, ("taxCodes",))
    checks.errors.extend(errors)
    return [tax.id for tax in taxes]


async def _code_taken(
    session: AsyncSession, organization_id: str, code: object, other_than: str | None
) -> bool:
    query = select(AddOn.id).where(
        AddOn.organization_id == organization_id,
        AddOn.code == code,
        col(AddOn.deleted_at).is_(None),
    )
    if other_than is not None:
        query = query.where(AddOn.id != other_than)
    return (await session.exec(query)).first() is not None


def _taken(code: object) -> Exception:
    return reject(ErrorCode.TAKEN, ("code",), f"an add-on with code {code!r} exists")


def _not_found() -> Exception:
    return reject(ErrorCode.ADD_ON_NOT_FOUND, ("id",), "no add-on with this id")


async def create_add_on(db: Database, organization_id: str, fields: AddOnFields) -> AddOn:
    checks = Checks()
    _missing(fields, checks)
    values = _checked(fields, checks)
    try:
        async with db.write() as session:
            tax_ids = await _tax_ids(
                session, organization_id, fields.get("tax_codes") or [], checks
            )
            checks.raise_if_any()
            if await _code_taken(session, organization_id, values["code"], None):
                raise _taken(values["code"])
            add_on = AddOn(organization_id=organization_id, **values)
            session.add(add_on)
            await session.flush()
            session.add_all(AddOnTax(add_on_id=add_on.id, tax_id=tax_id) for tax_id in tax_ids)
    except IntegrityError as error:
        # Two creates of one code raced; the unique index on live codes let one through.
        raise _taken(values["code"]) from error
    return add_on


async def update_add_on(
    db: Database, organization_id: str, add_on_id: str, fields: AddOnFields
) -> AddOn:
    checks = Checks()
    values = _checked(fields, checks)
    try:
        async with db.write() as session:
            add_on = await find_add_on(session, organization_id, add_on_id=add_on_id)
            if add_on is None:
                raise _not_found()
            tax_ids = await _tax_ids(
                session, organization_id, fields.get("tax_codes") or [], checks
            )
            checks.raise_if_any()
            if "code" in values and await _code_taken(
                session, organization_id, values["code"], add_on.id
            ):
                raise _taken(values["code"])
            for name, value in values.items():
                setattr(add_on, name, value)
            add_on.updated_at = utcnow()
            session.add(add_on)
            await session.flush()
            if "tax_codes" in fields:
                await session.execute(delete(AddOnTax).where(col(AddOnTax.add_on_id) == add_on.id))
                session.add_all(AddOnTax(add_on_id=add_on.id, tax_id=tax_id) for tax_id in tax_ids)
    except IntegrityError as error:
        raise _taken(values.get("code")) from error
    return add_on


async def delete_add_on(db: Database, organization_id: str, add_on_id: str) -> AddOn:
    """Soft: invoices keep pointing at the row, while lookups, lists and billing skip it."""
    async with db.write() as session:
        add_on = await find_add_on(session, organization_id, add_on_id=add_on_id)
        if add_on is None:
            raise _not_found()
        add_on.deleted_at = add_on.updated_at = utcnow()
        session.add(add_on)
    return add_on


async def find_add_on(
    session: AsyncSession,
    organization_id: str,
    add_on_id: str | None = None,
    code: str | None = None,
) -> AddOn | None:
    """A live add-on of the organization; deleted ones are not found."""
    if add_on_id is None and code is None:
        return None
    query = select(AddOn).where(
        AddOn.organization_id == organization_id, col(AddOn.deleted_at).is_(None)
    )
    if add_on_id is not None:
        query = query.where(AddOn.id == add_on_id)
    if code is not None:
        query = query.where(AddOn.code == code)
    return (await session.exec(query)).first()


async def list_add_ons(
    session: AsyncSession,
    organization_id: str,
    first: int | None,
    after: str | None,
    search_term: str | None = None,
) -> Page[AddOn]:
    where = [col(AddOn.organization_id) == organization_id, col(AddOn.deleted_at).is_(None)]
    if search_term and search_term.strip():
        where.append(matches_any(search_term.strip(), AddOn.name, AddOn.code))
    return await paginate(session, AddOn, where, first=first, after=after)


async def taxes_of_add_ons(
    session: AsyncSession, add_on_ids: Sequence[str]
) -> dict[str, list[Tax]]:
    rows = await session.exec(
        select(AddOnTax.add_on_id, Tax)
        .join(Tax, col(Tax.id) == AddOnTax.tax_id)
        .where(col(AddOnTax.add_on_id).in_(add_on_ids))
        .order_by(col(Tax.code))
    )
    found: dict[str, list[Tax]] = {add_on_id: [] for add_on_id in add_on_ids}
    for add_on_id, tax in rows:
        found[add_on_id].append(tax)
    return found


async def add_ons_by_id(session: AsyncSession, add_on_ids: Sequence[str]) -> dict[str, AddOn]:
    """Deleted add-ons included: the invoices that billed them still show them."""
    rows = await session.exec(select(AddOn).where(col(AddOn.id).in_(add_on_ids)))
    return {add_on.id: add_on for add_on in rows}
