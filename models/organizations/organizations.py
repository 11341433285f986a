"""Organizations, the tenants: created with their first API key, read, and changed (name,
numbering, timezone, payment term, default taxes, and the legal identity their invoices
print)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.billing.numbering import default_document_number_prefix
from models.billing.statuses import DocumentNumbering
from models.catalog.taxes import taxes_by_code
from models.inputs.checks import LONG_TEXT, Checks
from models.inputs.errors import ErrorCode
from models.inputs.identity import IdentityFields, checked_identity
from models.organizations.api_keys import IssuedKey, issue_key
from models.store.columns import new_id, utcnow
from models.store.db import Database
from models.store.tables import Organization, Tax


async def create_organization(db: Database, name: str) -> tuple[Organization, IssuedKey]:
    checks = Checks()
    clean = checks.text(name, ("name",), required=True)
    checks.raise_if_any()
    assert clean is not None
    organization_id = new_id()
    organization = Organization(
        id=organization_id,
        name=clean,
        document_number_prefix=default_document_number_prefix(clean, organization_id),
    )
    key = issue_key(organization_id)
    async with db.write() as session:
        session.add(organization)
        await session.flush()
        session.add(key.api_key)
    return organization, key


async def get_organization(session: AsyncSession, organization_id: str) -> Organization:
    organization = await session.get(Organization, organization_id)
    assert organization is not None
    return organization


class OrganizationPatch(IdentityFields, total=False):
    # None arrives from an explicit null: refused as REQUIRED (name, numbering, timezone, term,
    # document locale), no default taxes (tax_codes), or cleared (the legal identity).
    name: str | None
    legal_name: str | None
    email: str | None
    invoice_footer: str | None
    document_number_prefix: str | None
    document_numbering: str | None
    timezone: str | None
    net_payment_term: int | None
    tax_codes: list[str] | None


async def update_organization(
    db: Database, organization_id: str, patch: OrganizationPatch
) -> Organization:
    checks = Checks()
    values: dict[str, object] = {}
    if "name" in patch:
        values["name"] = checks.text(patch["name"], ("name",), required=True)
    if "document_number_prefix" in patch:
        prefix = checks.text(
            patch["document_number_prefix"],
            ("documentNumberPrefix",),
            required=True,
            max_length=10,
        )
        if prefix and not prefix.isprintable():
            # It is printed in every number, document and file name.
            checks.add(
                ErrorCode.INVALID_VALUE,
                ("documentNumberPrefix",),
                "documentNumberPrefix must not hold control characters",
            )
            prefix = None
        values["document_number_prefix"] = prefix.upper() if prefix else None
    if "document_numbering" in patch:
        if patch["document_numbering"] not in list(DocumentNumbering):
            checks.add(ErrorCode.INVALID_VALUE, ("documentNumbering",), "unknown numbering")
        values["document_numbering"] = patch["document_numbering"]
    if "timezone" in patch:
        values["timezone"] = checks.timezone(patch["timezone"], ("timezone",))
        if patch["timezone"] is None:
            checks.add(ErrorCode.REQUIRED, ("timezone",), "timezone must not be null")
    if "legal_name" in patch:
        values["legal_name"] = checks.text(patch["legal_name"], ("legalName",))
    if "email" in patch:
        values["email"] = checks.email(patch["email"], ("email",))
    if "invoice_footer" in patch:
        values["invoice_footer"] = checks.text(
            patch["invoice_footer"], ("invoiceFooter",), max_length=LONG_TEXT
        )
    values.update(checked_identity(patch, checks))
    if "document_locale" in patch and patch["document_locale"] is None:
        checks.add(ErrorCode.REQUIRED, ("documentLocale",), "documentLocale must not be null")
    if "net_payment_term" in patch:
        values["net_payment_term"] = checks.days(patch["net_payment_term"], ("netPaymentTerm",))
        if patch["net_payment_term"] is None:
            checks.add(ErrorCode.REQUIRED, ("netPaymentTerm",), "netPaymentTerm must not be null")
    async with db.write() as session:
        default_taxes: list[Tax] | None = None
        if "tax_codes" in patch:
            default_taxes, errors = await taxes_by_code(
                session, organization_id, patch["tax_codes"] or [], ("taxCodes",)
            )
            checks.errors.extend(errors)
        checks.raise_if_any()
        organization = await get_organization(session, organization_id)
        for name, value in values.items():
            setattr(organization, name, value)
        organization.updated_at = utcnow()
        session.add(organization)
        if default_taxes is not None:
            chosen = [tax.id for tax in default_taxes]
            await session.execute(
                update(Tax)
                .where(col(Tax.organization_id) == organization_id)
                .values(applied_to_organization=col(Tax.id).in_(chosen))
            )
    return organization
