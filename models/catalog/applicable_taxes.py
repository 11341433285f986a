"""The taxes an invoice may apply, read in one query: its add-ons' own taxes, its customer's,
and the organization's defaults (the choice among them is rule 7, models/invoicing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.core_rows import execute_core, read_only
from models.store.inserts import table_of_model
from models.store.tables import AddOnTax, CustomerTax, Tax


@dataclass(frozen=True)
class ApplicableTaxes:
    """Each list in tax code order."""

    of_add_ons: dict[str, list[Tax]]  # every add-on asked about, [] when it has none
    of_customer: list[Tax]
    defaults: list[Tax]  # the organization's


_TAXES, _ADD_ON_TAXES = table_of_model(Tax), table_of_model(AddOnTax)
_CUSTOMER_TAXES = table_of_model(CustomerTax)
# One round trip instead of three, and built once: on SQLite, making the statement cost
# more than running it. A tax linked to several of the add-ons comes once per link. Core
# rows (models/store/core_rows.py): each is a tax's columns, then the two links, labelled
# apart from them.
_APPLICABLE = (
    select(
        _TAXES,
        _ADD_ON_TAXES.c.add_on_id.label("linked_add_on_id"),
        _CUSTOMER_TAXES.c.customer_id.label("linked_customer_id"),
    )
    .outerjoin(
        _ADD_ON_TAXES,
        and_(
            _ADD_ON_TAXES.c.tax_id == _TAXES.c.id,
            _ADD_ON_TAXES.c.add_on_id.in_(bindparam("add_on_ids", expanding=True)),
        ),
    )
    .outerjoin(
        _CUSTOMER_TAXES,
        and_(
            _CUSTOMER_TAXES.c.tax_id == _TAXES.c.id,
            _CUSTOMER_TAXES.c.customer_id == bindparam("customer_id"),
        ),
    )
    .where(
        _TAXES.c.organization_id == bindparam("organization_id"),
        or_(
            _ADD_ON_TAXES.c.add_on_id.is_not(None),
            _CUSTOMER_TAXES.c.customer_id.is_not(None),
            _TAXES.c.applied_to_organization,
        ),
    )
    .order_by(_TAXES.c.code)
)


async def applicable_taxes(
    session: AsyncSession,
    organization_id: str,
    *,
    add_on_ids: Sequence[str],
    customer_id: str | None,
) -> ApplicableTaxes:
    params = {
        "organization_id": organization_id,
        "add_on_ids": list(add_on_ids),
        "customer_id": customer_id,
    }
    rows = (await execute_core(session, _APPLICABLE, params)).all()
    of_add_ons: dict[str, list[Tax]] = {add_on_id: [] for add_on_id in add_on_ids}
    of_customer: dict[str, Tax] = {}
    defaults: dict[str, Tax] = {}
    for row, tax in zip(rows, read_only(Tax, rows), strict=True):
        if row.linked_add_on_id is not None:
            of_add_ons[row.linked_add_on_id].append(tax)
        if row.linked_customer_id is not None:
            of_customer[tax.id] = tax
        if tax.applied_to_organization:
            defaults[tax.id] = tax
    return ApplicableTaxes(of_add_ons, list(of_customer.values()), list(defaults.values()))
