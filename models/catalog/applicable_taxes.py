"""The taxes an invoice may apply, read in one query: its add-ons' own taxes, its customer's,
and the organization's defaults (the choice among them is rule 7, models/invoicing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.tables import AddOnTax, CustomerTax, Tax


@dataclass(frozen=True)
class ApplicableTaxes:
    """Each list in tax code order."""

    of_add_ons: dict[str, list[Tax]]  # every add-on asked about, [] when it has none
    of_customer: list[Tax]
    defaults: list[Tax]  # the organization's


# One round trip instead of three, and built once: on SQLite, making the statement cost
# more than running it. A tax linked to several of the add-ons comes once per link.
_APPLICABLE = (
    select(Tax, col(AddOnTax.add_on_id), col(CustomerTax.customer_id))
    .outerjoin(
        AddOnTax,
        and_(
            col(AddOnTax.tax_id) == Tax.id,
            col(AddOnTax.add_on_id).in_(bindparam("add_on_ids", expanding=True)),
        ),
    )
    .outerjoin(
        CustomerTax,
        and_(
            col(CustomerTax.tax_id) == Tax.id,
            col(CustomerTax.customer_id) == bindparam("customer_id"),
        ),
    )
    .where(
        col(Tax.organization_id) == bindparam("organization_id"),
        or_(
            col(AddOnTax.add_on_id).is_not(None),
            col(CustomerTax.customer_id).is_not(None),
            col(Tax.applied_to_organization),
        ),
    )
    .order_by(col(Tax.code))
)


async def applicable_taxes(
    session: AsyncSession,
    organization_id: str,
    *,
    add_on_ids: Sequence[str],
    customer_id: str | None,
) -> ApplicableTaxes:
    rows = await session.exec(
        _APPLICABLE,
        params={
            "organization_id": organization_id,
            "add_on_ids": list(add_on_ids),
            "customer_id": customer_id,
        },
    )
    of_add_ons: dict[str, list[Tax]] = {add_on_id: [] for add_on_id in add_on_ids}
    of_customer: dict[str, Tax] = {}
    defaults: dict[str, Tax] = {}
    for tax, add_on_id, of_this_customer in rows:
        if add_on_id is not None:
            of_add_ons[add_on_id].append(tax)
        if of_this_customer is not None:
            of_customer[tax.id] = tax
        if tax.applied_to_organization:
            defaults[tax.id] = tax
    return ApplicableTaxes(of_add_ons, list(of_customer.values()), list(defaults.values()))
