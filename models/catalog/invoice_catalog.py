"""What an invoice reads of the catalog, in one query: its add-ons, found by id or code, each
with its own taxes, the taxes its fees name by code, and the taxes its customer and
organization apply (the choice among them is rule 7, models/invoicing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    String,
    and_,
    any_,
    bindparam,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.core_rows import execute_core, read_only
from models.store.inserts import table_of_model
from models.store.tables import AddOn, AddOnTax, CustomerTax, Tax


@dataclass(frozen=True)
class InvoiceCatalog:
    """Each list of taxes in tax code order."""

    add_ons: list[AddOn]  # those found, live ones only
    taxes_of_add_ons: dict[str, list[Tax]]  # every add-on found, [] when it has none
    taxes_of_customer: list[Tax]
    defaults: list[Tax]  # the organization's
    by_code: dict[str, Tax]  # those of the codes asked for that exist


_ADD_ONS, _TAXES = table_of_model(AddOn), table_of_model(Tax)
_ADD_ON_TAXES, _CUSTOMER_TAXES = table_of_model(AddOnTax), table_of_model(CustomerTax)
_PREFIX = "add_on_"
_ADD_ON_KEYS = tuple(column.key for column in _ADD_ONS.columns)
_ORGANIZATION: BindParameter[str] = bindparam("organization_id")

Matches = Callable[[ColumnElement[str], str], ColumnElement[bool]]


def _in_list(column: ColumnElement[str], name: str) -> ColumnElement[bool]:
    return column.in_(bindparam(name, expanding=True))


def _any_of_array(column: ColumnElement[str], name: str) -> ColumnElement[bool]:
    # PostgreSQL: one parameter whatever the number of codes, so the text never changes; an
    # expanding IN is rendered anew for every execution.
    return column == any_(bindparam(name, type_=ARRAY(String)))


# One round trip where there were two (add-ons, then their taxes), built once: on SQLite,
# making the statement cost more than running it. Each row is a tax's columns as they are
# (NULL for an add-on without taxes), the add-on's columns labelled `add_on_<column>` (NULL
# for the customer's and the organization's taxes), then the customer link. An add-on comes
# once per tax; a tax once per add-on it is linked to, once more when the customer or the
# organization applies it, and once more when a fee names it. `source` tells which part a
# row comes from.
def _catalog(matches: Matches) -> CompoundSelect[Any]:
    of_add_ons = (
        select(
            _TAXES,
            *(column.label(_PREFIX + column.key) for column in _ADD_ONS.columns),
            null().label("linked_customer_id"),
            literal_column("'add_on'").label("source"),
        )
        .select_from(
            _ADD_ONS.outerjoin(_ADD_ON_TAXES, _ADD_ON_TAXES.c.add_on_id == _ADD_ONS.c.id).outerjoin(
                _TAXES,
                and_(
                    _TAXES.c.id == _ADD_ON_TAXES.c.tax_id,
                    _TAXES.c.organization_id == _ORGANIZATION,
                ),
            )
        )
        .where(
            _ADD_ONS.c.organization_id == _ORGANIZATION,
            _ADD_ONS.c.deleted_at.is_(None),
            or_(matches(_ADD_ONS.c.id, "add_on_ids"), matches(_ADD_ONS.c.code, "add_on_codes")),
        )
    )
    of_customer = (
        select(
            _TAXES,
            *(null().label(_PREFIX + column.key) for column in _ADD_ONS.columns),
            _CUSTOMER_TAXES.c.customer_id.label("linked_customer_id"),
            literal_column("'customer'").label("source"),
        )
        .select_from(
            _TAXES.outerjoin(
                _CUSTOMER_TAXES,
                and_(
                    _CUSTOMER_TAXES.c.tax_id == _TAXES.c.id,
                    _CUSTOMER_TAXES.c.customer_id == bindparam("customer_id"),
                ),
            )
        )
        .where(
            _TAXES.c.organization_id == _ORGANIZATION,
            or_(_CUSTOMER_TAXES.c.customer_id.is_not(None), _TAXES.c.applied_to_organization),
        )
    )
    by_code = select(
        _TAXES,
        *(null().label(_PREFIX + column.key) for column in _ADD_ONS.columns),
        null().label("linked_customer_id"),
        literal_column("'code'").label("source"),
    ).where(_TAXES.c.organization_id == _ORGANIZATION, matches(_TAXES.c.code, "tax_codes"))
    return union_all(of_add_ons, of_customer, by_code).order_by(literal_column("code"))


_CATALOG = {"sqlite": _catalog(_in_list), "postgresql": _catalog(_any_of_array)}


async def invoice_catalog(
    session: AsyncSession,
    organization_id: str,
    *,
    add_on_ids: Sequence[str],
    add_on_codes: Sequence[str],
    tax_codes: Sequence[str],
    customer_id: str | None,
) -> InvoiceCatalog:
    params = {
        "organization_id": organization_id,
        "add_on_ids": list(add_on_ids),
        "add_on_codes": list(add_on_codes),
        "tax_codes": list(tax_codes),
        "customer_id": customer_id,
    }
    statement = _CATALOG[session.get_bind().dialect.name]
    rows = (await execute_core(session, statement, params)).all()
    add_ons: dict[str, AddOn] = {}
    of_add_ons: dict[str, list[Tax]] = {}
    of_customer: dict[str, Tax] = {}
    defaults: dict[str, Tax] = {}
    by_code: dict[str, Tax] = {}
    for row, tax in zip(rows, read_only(Tax, rows), strict=True):
        if row.source == "add_on":
            add_on_id = getattr(row, _PREFIX + "id")
            if add_on_id not in add_ons:
                add_ons[add_on_id] = _add_on(row)
                of_add_ons[add_on_id] = []
            if tax.id is not None:
                of_add_ons[add_on_id].append(tax)
        elif row.source == "code":
            by_code[tax.code] = tax
        else:
            if row.linked_customer_id is not None:
                of_customer[tax.id] = tax
            if tax.applied_to_organization:
                defaults[tax.id] = tax
    return InvoiceCatalog(
        list(add_ons.values()),
        of_add_ons,
        list(of_customer.values()),
        list(defaults.values()),
        by_code,
    )


def _add_on(row: Any) -> AddOn:
    # Read-only like a Core row (models/store/core_rows.py): the add-on's columns by name.
    columns = {key: getattr(row, _PREFIX + key) for key in _ADD_ON_KEYS}
    return cast(AddOn, SimpleNamespace(**columns))
