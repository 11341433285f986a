"""Pricing a one-off invoice request against the catalog: the customer, the add-ons, the
currency, each unit amount and each fee's taxes (rules 3–8 of models/invoicing/__init__.py).

One path for every use of a request: creating the invoice prices it under the customer's
lock; a request already refused on its shape is priced read-only, only so that one answer
carries every error it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from models.billing import arithmetic
from models.catalog.customers import find_customer
from models.catalog.invoice_catalog import InvoiceCatalog, invoice_catalog
from models.catalog.taxes import pick_by_code
from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode, InputError, Path
from models.invoicing.claims import claim_customer
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.store.tables import AddOn, Customer, Tax


@dataclass(frozen=True)
class Priced:
    """A request priced: everything the invoice's rows are made of."""

    customer: Customer
    add_ons: list[AddOn]  # one per fee, in fee order
    currency: str
    lines: list[arithmetic.FeeLine]
    computed: arithmetic.ComputedInvoice


async def price(
    session: AsyncSession,
    organization_id: str,
    request: OneOffInvoiceInput,
    checks: Checks,
    *,
    lock: bool,
) -> Priced | None:
    """Rules 2–8 (models/invoicing) for a `normalized` request; None when `checks` holds any error.

    Every error that the others leave decidable is added, stage by stage: customer, add-ons,
    fee tax codes, currency, unit amounts, then (only when all else is fine) an amount out of
    range; within a stage, in fee order. `checks` may come holding the request's own errors:
    a value refused there is not reported missing here too. `lock` claims the customer
    (models/invoicing/claims.py): its row held until commit, for a writer that sets the
    customer's currency from what it reads here, and its invoice counter advanced.
    """
    refused = {error.field for error in checks.errors}
    customer = await _load_customer(session, organization_id, request, checks, lock=lock)
    catalog = await _read_catalog(session, organization_id, request.fees, customer)
    add_ons = _add_ons(catalog, request.fees, checks)
    fee_taxes = _fee_taxes(request, customer, add_ons, catalog, checks)
    currency = _invoice_currency(request, customer, add_ons, refused, checks)
    unit_amounts = _unit_amounts(request, add_ons, currency, refused, checks)
    if checks.errors:
        return None
    assert customer is not None
    assert currency is not None
    found: list[AddOn] = []
    lines: list[arithmetic.FeeLine] = []
    for fee, add_on, amount, taxes in zip(
        request.fees, add_ons, unit_amounts, fee_taxes, strict=True
    ):
        # Each is None only alongside an error, and there is none.
        assert add_on is not None
        assert amount is not None
        assert taxes is not None
        found.append(add_on)
        lines.append(
            arithmetic.FeeLine(
                units=Decimal(1) if fee.units is None else fee.units,
                unit_amount_cents=amount,
                taxes=tuple(
                    arithmetic.TaxRate(
                        t.id,
                        t.code,
                        t.name,
                        t.rate,
                        t.category,
                        t.exemption_reason,
                        t.exemption_reason_code,
                    )
                    for t in taxes
                ),
            )
        )
    try:
        computed = arithmetic.compute_invoice(lines)
    except arithmetic.AmountOutOfRange as error:
        checks.errors.append(_out_of_range(error, request))
        return None
    return Priced(customer, found, currency, lines, computed)


async def _load_customer(
    session: AsyncSession,
    organization_id: str,
    request: OneOffInvoiceInput,
    checks: Checks,
    *,
    lock: bool,
) -> Customer | None:
    if request.customer_id is None and request.external_customer_id is None:
        return None  # already refused as REQUIRED
    find = claim_customer if lock else find_customer
    customer = await find(
        session,
        organization_id,
        customer_id=request.customer_id,
        external_id=request.external_customer_id,
    )
    if customer is None:
        which = "customerId" if request.customer_id is not None else "externalCustomerId"
        checks.add(ErrorCode.CUSTOMER_NOT_FOUND, (which,), "no such customer")
    return customer


async def _read_catalog(
    session: AsyncSession,
    organization_id: str,
    fees: Sequence[FeeInput],
    customer: Customer | None,
) -> InvoiceCatalog:
    ids = {fee.add_on_id for fee in fees if fee.add_on_id is not None}
    codes = {fee.add_on_code for fee in fees if fee.add_on_id is None and fee.add_on_code}
    tax_codes = {code for fee in fees for code in fee.tax_codes or ()}
    if not ids and not codes and not tax_codes and customer is None:
        return InvoiceCatalog([], {}, [], [], {})
    return await invoice_catalog(
        session,
        organization_id,
        add_on_ids=list(ids),
        add_on_codes=list(codes),
        tax_codes=list(tax_codes),
        customer_id=None if customer is None else customer.id,
    )


def _add_ons(
    catalog: InvoiceCatalog, fees: Sequence[FeeInput], checks: Checks
) -> list[AddOn | None]:
    rows = catalog.add_ons
    by_id = {row.id: row for row in rows}
    by_code = {row.code: row for row in rows}
    found: list[AddOn | None] = []
    for index, fee in enumerate(fees):
        add_on = by_id.get(fee.add_on_id) if fee.add_on_id else by_code.get(fee.add_on_code or "")
        # A fee that names no add-on at all is already refused as REQUIRED.
        if add_on is None and (fee.add_on_id is not None or fee.add_on_code is not None):
            which = "addOnId" if fee.add_on_id is not None else "addOnCode"
            checks.add(
                ErrorCode.ADD_ON_NOT_FOUND,
                ("fees", str(index), which),
                "no such add-on (or it was deleted)",
            )
        found.append(add_on)
    return found


def _invoice_currency(
    request: OneOffInvoiceInput,
    customer: Customer | None,
    add_ons: Sequence[AddOn | None],
    refused: set[Path | None],
    checks: Checks,
) -> str | None:
    """Rule 3 (models/invoicing); None, with or without an error of its own, when it cannot
    be decided."""
    if customer is None or ("currency",) in refused:
        return None
    if customer.currency is not None:
        if request.currency is not None and request.currency != customer.currency:
            checks.add(
                ErrorCode.CURRENCY_MISMATCH,
                ("currency",),
                f"the customer is billed in {customer.currency}, not {request.currency}",
            )
            return None
        return customer.currency
    if request.currency is not None:
        return request.currency
    # An unknown add-on has no currency to agree or disagree with.
    if not add_ons or any(add_on is None for add_on in add_ons):
        return None
    currencies = {add_on.amount_currency for add_on in add_ons if add_on is not None}
    if len(currencies) != 1:
        checks.add(
            ErrorCode.CURRENCY_REQUIRED,
            ("currency",),
            "the add-ons are priced in several currencies: give the invoice's currency",
        )
        return None
    return currencies.pop()


def _fee_taxes(
    request: OneOffInvoiceInput,
    customer: Customer | None,
    add_ons: Sequence[AddOn | None],
    catalog: InvoiceCatalog,
    checks: Checks,
) -> list[list[Tax] | None]:
    """Rule 7 (models/invoicing), the one place taxes are chosen: the fee's own codes ?? the
    add-on's taxes ?? the customer's ?? the organization's defaults.

    A fee's own codes are checked whatever else failed; None for a fee whose taxes hang on an
    add-on or a customer that was not found.
    """
    fallback = None if customer is None else (catalog.taxes_of_customer or catalog.defaults)
    chosen: list[list[Tax] | None] = []
    for index, (fee, add_on) in enumerate(zip(request.fees, add_ons, strict=True)):
        if fee.tax_codes is not None:
            field = ("fees", str(index), "taxCodes")
            taxes, errors = pick_by_code(catalog.by_code, fee.tax_codes, field)
            checks.errors.extend(errors)
            chosen.append(taxes)
        elif add_on is None:
            chosen.append(None)
        else:
            chosen.append(catalog.taxes_of_add_ons[add_on.id] or fallback)
    return chosen


def _unit_amounts(
    request: OneOffInvoiceInput,
    add_ons: Sequence[AddOn | None],
    currency: str | None,
    refused: set[Path | None],
    checks: Checks,
) -> list[Decimal | None]:
    """Rule 4 (models/invoicing): a null price is the add-on's, only when the add-on is
    priced in this currency. None for a fee whose price was refused, or hangs on an add-on or
    currency not known."""
    amounts: list[Decimal | None] = []
    for index, (fee, add_on) in enumerate(zip(request.fees, add_ons, strict=True)):
        at = ("fees", str(index), "unitAmountCents")
        if fee.unit_amount_cents is not None:
            amounts.append(fee.unit_amount_cents)
        elif at in refused or add_on is None or currency is None:
            amounts.append(None)
        elif add_on.amount_currency == currency:
            amounts.append(Decimal(add_on.amount_cents))
        else:
            checks.add(
                ErrorCode.UNIT_AMOUNT_REQUIRED,
                at,
                f"{add_on.code} is priced in {add_on.amount_currency}; "
                f"give its price in {currency}",
            )
            amounts.append(None)
    return amounts


def _out_of_range(error: arithmetic.AmountOutOfRange, request: OneOffInvoiceInput) -> InputError:
    """The path names only a field the request gave and that overflowed: a price or a unit
    count from the add-on or the default, or an amount its taxes pushed over, is blamed on
    the fee itself."""
    path: Path = ("fees",)
    if error.fee_index is not None:
        fee = request.fees[error.fee_index]
        path = ("fees", str(error.fee_index))
        # The price before the units: at a price of 0, no number of units overflows.
        if error.product and fee.unit_amount_cents is not None:
            path = (*path, "unitAmountCents")
        elif error.product and fee.units is not None:
            path = (*path, "units")
    return InputError(ErrorCode.VALUE_OUT_OF_RANGE, path, str(error))
