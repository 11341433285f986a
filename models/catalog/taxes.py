"""Taxes: an organization's tax rates, created, changed and listed; its default taxes; and the
lookup of tax codes given in input (an add-on's and a customer's own taxes are read with
them, in add_ons.py and customers.py; the choice among all of them is rule 7, in
models/invoicing/pricing.py's `_fee_taxes`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.billing.money import canonical_decimal
from models.billing.vat_categories import (
    DEFAULT_CATEGORY,
    REASON_CODE_LENGTH,
    VATEX_CODE,
    VatCategory,
    category_problems,
)
from models.inputs.checks import LONG_TEXT, Checks
from models.inputs.errors import ErrorCode, InputError, Path, reject
from models.store.columns import utcnow
from models.store.db import Database
from models.store.pagination import Page, paginate
from models.store.tables import Tax


class TaxFields(TypedDict, total=False):
    code: str | None
    name: str | None
    rate: Decimal | str | int | None
    description: str | None
    applied_to_organization: bool | None
    category: VatCategory | str | None
    exemption_reason: str | None
    exemption_reason_code: str | None


def _missing(fields: TaxFields, checks: Checks) -> None:
    for name in ("code", "name", "rate"):
        if name not in fields:
            checks.add(ErrorCode.REQUIRED, (name,), f"{name} is required")


def _checked(fields: TaxFields, checks: Checks) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "code" in fields:
        values["code"] = checks.text(fields["code"], ("code",), required=True)
    if "name" in fields:
        values["name"] = checks.text(fields["name"], ("name",), required=True)
    if "rate" in fields:
        rate = checks.decimal(fields["rate"], ("rate",), required=True)
        rate = checks.tax_rate(rate, ("rate",))
        values["rate"] = None if rate is None else canonical_decimal(rate)
    if "description" in fields:
        values["description"] = checks.text(
            fields["description"], ("description",), max_length=LONG_TEXT
        )
    if "applied_to_organization" in fields:
        # Clearing the flag means the tax is no default any more.
        values["applied_to_organization"] = bool(fields["applied_to_organization"])
    if "category" in fields:
        values["category"] = _category(fields["category"], checks)
    if "exemption_reason" in fields:
        values["exemption_reason"] = checks.text(
            fields["exemption_reason"], ("exemptionReason",), max_length=LONG_TEXT
        )
    if "exemption_reason_code" in fields:
        values["exemption_reason_code"] = _reason_code(fields["exemption_reason_code"], checks)
    return values


def _category(value: VatCategory | str | None, checks: Checks) -> str | None:
    if value is None:  # null: back to the default, as for a new tax
        return DEFAULT_CATEGORY.value
    try:
        return VatCategory(value).value
    except ValueError:
        choices = ", ".join(category.value for category in VatCategory)
        checks.add(ErrorCode.INVALID_VALUE, ("category",), f"category is one of {choices}")
        return None


def _reason_code(value: str | None, checks: Checks) -> str | None:
    field = ("exemptionReasonCode",)
    code = checks.text(value, field, max_length=REASON_CODE_LENGTH)
    if code is not None and not VATEX_CODE.fullmatch(code):
        checks.add(ErrorCode.INVALID_VALUE, field, "a code of the VATEX list, such as VATEX-EU-AE")
        return None
    return code


def _check_category(tax: Mapping[str, Any], checks: Checks) -> None:
    """The tax as it will be, against the rules of its category."""
    if checks.errors or tax.get("rate") is None:
        return  # a rate or category already refused says enough
    for problem in category_problems(
        VatCategory(tax.get("category") or DEFAULT_CATEGORY),
        tax["rate"],
        tax.get("exemption_reason"),
        tax.get("exemption_reason_code"),
    ):
        code = ErrorCode.REQUIRED if problem.missing else ErrorCode.INVALID_VALUE
        checks.add(code, (problem.field,), problem.message)


def _taken(code: object) -> Exception:
    return reject(ErrorCode.TAKEN, ("code",), f"a tax with code {code!r} exists")


async def _code_taken(
    session: AsyncSession, organization_id: str, code: object, other_than: str | None
) -> bool:
    query = select(Tax.id).where(Tax.organization_id == organization_id, Tax.code == code)
    if other_than is not None:
        query = query.where(Tax.id != other_than)
    return (await session.exec(query)).first() is not None


async def create_tax(db: Database, organization_id: str, fields: TaxFields) -> Tax:
    checks = Checks()
    _missing(fields, checks)
    values = _checked(fields, checks)
    _check_category(values, checks)
    checks.raise_if_any()
    try:
        async with db.write() as session:
            if await _code_taken(session, organization_id, values["code"], None):
                raise _taken(values["code"])
            tax = Tax(organization_id=organization_id, **values)
            session.add(tax)
            await session.flush()
    except IntegrityError as error:
        # Two creates of one code raced; the unique constraint let one through.
        raise _taken(values["code"]) from error
    return tax


async def update_tax(db: Database, organization_id: str, tax_id: str, fields: TaxFields) -> Tax:
    checks = Checks()
    values = _checked(fields, checks)
    try:
        async with db.write() as session:
            tax = await find_tax(session, organization_id, tax_id=tax_id)
            if tax is None:
                raise reject(ErrorCode.TAX_NOT_FOUND, ("id",), "no tax with this id")
            _check_category({**tax.model_dump(), **values}, checks)
            checks.raise_if_any()
            if "code" in values and await _code_taken(
                session, organization_id, values["code"], tax.id
            ):
                raise _taken(values["code"])
            for name, value in values.items():
                setattr(tax, name, value)
            tax.updated_at = utcnow()
            session.add(tax)
            await session.flush()
    except IntegrityError as error:
        raise _taken(values.get("code")) from error
    return tax


async def find_tax(
    session: AsyncSession,
    organization_id: str,
    tax_id: str | None = None,
    code: str | None = None,
) -> Tax | None:
    if tax_id is None and code is None:
        return None
    query = select(Tax).where(Tax.organization_id == organization_id)
    if tax_id is not None:
        query = query.where(Tax.id == tax_id)
    if code is not None:
        query = query.where(Tax.code == code)
    return (await session.exec(query)).first()


async def list_taxes(
    session: AsyncSession, organization_id: str, first: int | None, after: str | None
) -> Page[Tax]:
    return await paginate(
        session, Tax, [col(Tax.organization_id) == organization_id], first=first, after=after
    )


async def default_taxes(session: AsyncSession, organization_id: str) -> list[Tax]:
    return list(
        await session.exec(
            select(Tax)
            .where(Tax.organization_id == organization_id, col(Tax.applied_to_organization))
            .order_by(col(Tax.code))
        )
    )


async def taxes_by_code(
    session: AsyncSession, organization_id: str, codes: Sequence[str], field: Path
) -> tuple[list[Tax], list[InputError]]:
    """The taxes in the order given, duplicates dropped; one TAX_NOT_FOUND per unknown code."""
    wanted = list(dict.fromkeys(codes))
    found = {
        tax.code: tax
        for tax in await session.exec(
            select(Tax).where(Tax.organization_id == organization_id, col(Tax.code).in_(wanted))
        )
    }
    return pick_by_code(found, codes, field)


def pick_by_code(
    found: Mapping[str, Tax], codes: Sequence[str], field: Path
) -> tuple[list[Tax], list[InputError]]:
    """`taxes_by_code` from taxes already read, by code."""
    wanted = list(dict.fromkeys(codes))
    errors = [
        InputError(ErrorCode.TAX_NOT_FOUND, (*field, str(index)), f"no tax with code {code!r}")
        for index, code in enumerate(codes)
        if code not in found
    ]
    return [found[code] for code in wanted if code in found], errors
