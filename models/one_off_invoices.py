"""createOneOffInvoice: bill add-ons at once, in one transaction, by DESIGN.md's rules 1–12."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import billing
from models.columns import utcnow
from models.counters import bump
from models.customers import find_customer
from models.db import Database
from models.errors import ErrorCode, Path, Rejected, UserError
from models.invoices import invoice_payload
from models.money import EXACT, MAX_MINOR_UNITS, decimal_places, is_currency
from models.numbering import (
    format_invoice_number_per_customer,
    format_invoice_number_per_organization,
    issuing_date,
    payment_due_date,
)
from models.outbox import INVOICE_ONE_OFF_CREATED, record_event
from models.tables import (
    AddOn,
    AddOnTax,
    Customer,
    CustomerTax,
    Fee,
    FeeAppliedTax,
    Invoice,
    InvoiceAppliedTax,
    Organization,
    Tax,
)
from models.taxes_catalog import default_taxes
from models.taxes_lookup import taxes_by_code
from models.validation import LONG_TEXT, SHORT_TEXT, Checks

MAX_FEES = 100
MAX_DECIMALS = 12
MAX_IDEMPOTENCY_KEY = 255


@dataclass(frozen=True)
class FeeInput:
    add_on_id: str | None = None
    add_on_code: str | None = None
    units: Decimal | None = None
    unit_amount_cents: Decimal | None = None
    description: str | None = None
    invoice_display_name: str | None = None
    tax_codes: list[str] | None = None


@dataclass(frozen=True)
class OneOffInvoiceInput:
    fees: list[FeeInput] = field(default_factory=list)
    customer_id: str | None = None
    external_customer_id: str | None = None
    currency: str | None = None
    idempotency_key: str | None = None

    def fingerprint(self) -> str:
        """Same input, same hash: what a replayed idempotency key must match."""
        data = asdict(self)
        data.pop("idempotency_key")
        canonical = json.dumps(data, sort_keys=True, default=_canonical)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, Decimal):
        # 1, 1.0 and 1E0 are one amount.
        return format(value.normalize(EXACT), "f")
    raise TypeError(type(value).__name__)


@dataclass(frozen=True)
class CreatedInvoice:
    invoice: Invoice
    replayed: bool  # True when an idempotency key returned an earlier invoice


def _canonical_decimal(value: Decimal) -> Decimal:
    """One spelling per amount: 1, 1.0 and 1E0 are stored and hashed alike, and an exponent
    like 0E-2000 cannot turn into two thousand digits of text."""
    value = value.normalize(EXACT)
    if value.is_zero():
        return Decimal(0)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return value.quantize(Decimal(1), context=EXACT)
    return value


def _check_decimal(checks: Checks, value: Decimal | None, path: Path, name: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite():
        checks.add(ErrorCode.INVALID_VALUE, path, f"{name} must be a finite number")
    elif value < 0:
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, path, f"{name} must not be negative")
    elif value > MAX_MINOR_UNITS:
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, path, f"{name} is larger than {MAX_MINOR_UNITS}")
    elif decimal_places(value) > MAX_DECIMALS:
        checks.add(
            ErrorCode.INVALID_VALUE, path, f"{name} has more than {MAX_DECIMALS} decimal places"
        )
    else:
        return _canonical_decimal(value)
    return None


def _normalized(request: OneOffInvoiceInput) -> OneOffInvoiceInput:
    """The request checked without the database, trimmed and in canonical form; what is
    stored is what was checked."""
    checks = Checks()
    if request.customer_id is None and request.external_customer_id is None:
        checks.add(ErrorCode.REQUIRED, ("customerId",), "give customerId or externalCustomerId")
    if request.currency is not None and not is_currency(request.currency):
        checks.add(ErrorCode.INVALID_VALUE, ("currency",), f"{request.currency!r} is not ISO 4217")
    idempotency_key = None
    if request.idempotency_key is not None:
        idempotency_key = checks.text(
            request.idempotency_key,
            ("idempotencyKey",),
            required=True,
            max_length=MAX_IDEMPOTENCY_KEY,
        )
    if not request.fees:
        checks.add(ErrorCode.REQUIRED, ("fees",), "an invoice needs at least one fee")
    if len(request.fees) > MAX_FEES:
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, ("fees",), f"at most {MAX_FEES} fees")
        checks.raise_if_any()
    fees = []
    for index, fee in enumerate(request.fees):
        at = ("fees", str(index))
        if fee.add_on_id is None and fee.add_on_code is None:
            checks.add(ErrorCode.REQUIRED, (*at, "addOnId"), "give addOnId or addOnCode")
        fees.append(
            replace(
                fee,
                units=_check_decimal(checks, fee.units, (*at, "units"), "units"),
                unit_amount_cents=_check_decimal(
                    checks, fee.unit_amount_cents, (*at, "unitAmountCents"), "unitAmountCents"
                ),
                description=checks.text(
                    fee.description, (*at, "description"), max_length=LONG_TEXT
                ),
                invoice_display_name=checks.text(
                    fee.invoice_display_name, (*at, "invoiceDisplayName"), max_length=SHORT_TEXT
                ),
            )
        )
    checks.raise_if_any()
    return replace(request, fees=fees, idempotency_key=idempotency_key)


async def create_one_off_invoice(
    db: Database, organization_id: str, request: OneOffInvoiceInput, *, now: datetime | None = None
) -> CreatedInvoice:
    request = _normalized(request)
    fingerprint = request.fingerprint()
    try:
        async with db.write() as session:
            created = await _create(session, organization_id, request, fingerprint, now)
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first: answer with its
        # invoice. Any other conflict would be a bug, and is raised as one.
        if request.idempotency_key is None:
            raise
        async with db.read() as session:
            replay = await _replay(session, organization_id, request, fingerprint)
        if replay is None:
            raise
        return replay
    if not created.replayed:
        db.events_committed.notify()
        db.deliveries_due.notify()
    return created


async def _replay(
    session: AsyncSession, organization_id: str, request: OneOffInvoiceInput, fingerprint: str
) -> CreatedInvoice | None:
    if request.idempotency_key is None:
        return None
    earlier = (
        await session.exec(
            select(Invoice).where(
                Invoice.organization_id == organization_id,
                Invoice.idempotency_key == request.idempotency_key,
            )
        )
    ).first()
    if earlier is None:
        return None
    if earlier.request_fingerprint != fingerprint:
        raise Rejected(
            [
                UserError(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    ("idempotencyKey",),
                    "this idempotency key was used for a different request",
                )
            ]
        )
    return CreatedInvoice(earlier, replayed=True)


async def _load_add_ons(
    session: AsyncSession, organization_id: str, fees: Sequence[FeeInput], checks: Checks
) -> list[AddOn | None]:
    ids = {fee.add_on_id for fee in fees if fee.add_on_id is not None}
    codes = {fee.add_on_code for fee in fees if fee.add_on_id is None and fee.add_on_code}
    rows = list(
        await session.exec(
            select(AddOn).where(
                AddOn.organization_id == organization_id,
                col(AddOn.deleted_at).is_(None),
                or_(col(AddOn.id).in_(ids), col(AddOn.code).in_(codes)),
            )
        )
    )
    by_id = {row.id: row for row in rows}
    by_code = {row.code: row for row in rows}
    found: list[AddOn | None] = []
    for index, fee in enumerate(fees):
        add_on = by_id.get(fee.add_on_id) if fee.add_on_id else by_code.get(fee.add_on_code or "")
        if add_on is None:
            which = "addOnId" if fee.add_on_id is not None else "addOnCode"
            checks.add(
                ErrorCode.ADD_ON_NOT_FOUND,
                ("fees", str(index), which),
                "no such add-on (or it was deleted)",
            )
        found.append(add_on)
    return found


def _invoice_currency(
    request: OneOffInvoiceInput, customer: Customer, add_ons: Sequence[AddOn], checks: Checks
) -> str | None:
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
    currencies = {add_on.amount_currency for add_on in add_ons}
    if len(currencies) != 1:
        checks.add(
            ErrorCode.CURRENCY_REQUIRED,
            ("currency",),
            "the add-ons are priced in several currencies: give the invoice's currency",
        )
        return None
    return currencies.pop()


async def _taxes_of(
    session: AsyncSession, table: Any, key: str, ids: set[str]
) -> dict[str, list[Tax]]:
    found: dict[str, list[Tax]] = {row_id: [] for row_id in ids}
    rows = await session.exec(
        select(getattr(table, key), Tax)
        .join(Tax, col(Tax.id) == table.tax_id)
        .where(getattr(table, key).in_(ids))
        .order_by(col(Tax.code))
    )
    for owner_id, tax in rows:
        found[owner_id].append(tax)
    return found


async def _fee_taxes(
    session: AsyncSession,
    organization_id: str,
    request: OneOffInvoiceInput,
    customer: Customer,
    add_ons: Sequence[AddOn],
    checks: Checks,
) -> list[list[Tax]]:
    """Rule 7: the fee's own codes ?? the add-on's taxes ?? the customer's ?? the defaults."""
    add_on_taxes = await _taxes_of(session, AddOnTax, "add_on_id", {a.id for a in add_ons})
    customer_taxes = (await _taxes_of(session, CustomerTax, "customer_id", {customer.id}))[
        customer.id
    ]
    fallback = customer_taxes or await default_taxes(session, organization_id)
    chosen: list[list[Tax]] = []
    for index, (fee, add_on) in enumerate(zip(request.fees, add_ons, strict=True)):
        if fee.tax_codes is not None:
            taxes, errors = await taxes_by_code(
                session, organization_id, fee.tax_codes, ("fees", str(index), "taxCodes")
            )
            checks.errors.extend(errors)
            chosen.append(taxes)
        else:
            chosen.append(add_on_taxes[add_on.id] or fallback)
    return chosen


def _unit_amounts(
    request: OneOffInvoiceInput, add_ons: Sequence[AddOn], currency: str, checks: Checks
) -> list[Decimal]:
    """Rule 4: a null price is the add-on's, only when the add-on is priced in this currency."""
    amounts: list[Decimal] = []
    for index, (fee, add_on) in enumerate(zip(request.fees, add_ons, strict=True)):
        if fee.unit_amount_cents is not None:
            amounts.append(fee.unit_amount_cents)
        elif add_on.amount_currency == currency:
            amounts.append(Decimal(add_on.amount_cents))
        else:
            checks.add(
                ErrorCode.UNIT_AMOUNT_REQUIRED,
                ("fees", str(index), "unitAmountCents"),
                f"{add_on.code} is priced in {add_on.amount_currency}; "
                f"give its price in {currency}",
            )
            amounts.append(Decimal(0))
    return amounts


def _out_of_range(error: billing.AmountOutOfRange) -> Rejected:
    path: Path = (
        ("fees", str(error.fee_index), error.field or "unitAmountCents")
        if error.fee_index is not None
        else ("fees",)
    )
    return Rejected(
        [
            UserError(
                ErrorCode.VALUE_OUT_OF_RANGE,
                path,
                f"the amount exceeds {MAX_MINOR_UNITS} minor units",
            )
        ]
    )


async def _create(
    session: AsyncSession,
    organization_id: str,
    request: OneOffInvoiceInput,
    fingerprint: str,
    at: datetime | None,
) -> CreatedInvoice:
    replay = await _replay(session, organization_id, request, fingerprint)
    if replay is not None:
        return replay
    checks = Checks()
    # Locked until commit: the currency decided below must still be the customer's then.
    customer = await find_customer(
        session,
        organization_id,
        customer_id=request.customer_id,
        external_id=request.external_customer_id,
        for_update=True,
    )
    if customer is None:
        which = "customerId" if request.customer_id is not None else "externalCustomerId"
        checks.add(ErrorCode.CUSTOMER_NOT_FOUND, (which,), "no such customer")
    maybe_add_ons = await _load_add_ons(session, organization_id, request.fees, checks)
    checks.raise_if_any()
    assert customer is not None
    add_ons = [add_on for add_on in maybe_add_ons if add_on is not None]

    currency = _invoice_currency(request, customer, add_ons, checks)
    checks.raise_if_any()
    assert currency is not None
    unit_amounts = _unit_amounts(request, add_ons, currency, checks)
    fee_taxes = await _fee_taxes(session, organization_id, request, customer, add_ons, checks)
    checks.raise_if_any()

    lines = [
        billing.FeeLine(
            units=Decimal(1) if fee.units is None else fee.units,
            unit_amount_cents=amount,
            taxes=tuple(billing.TaxRate(t.id, t.code, t.name, t.rate) for t in taxes),
        )
        for fee, amount, taxes in zip(request.fees, unit_amounts, fee_taxes, strict=True)
    ]
    try:
        computed = billing.compute_invoice(lines)
    except billing.AmountOutOfRange as error:
        raise _out_of_range(error) from error

    # The organization's row lock serializes every invoice of the organization until commit:
    # taken last, to be held briefly. Customer before organization, always.
    (customer_seq,) = await bump(session, Customer, customer.id, "invoice_seq")
    org_seq, event_seq = await bump(
        session, Organization, organization_id, "invoice_seq", "event_seq"
    )
    organization = await session.get(Organization, organization_id)
    assert organization is not None
    # Taken under the counter locks, so that invoice numbers and dates rise together.
    now = at or utcnow()
    timezone = customer.timezone or organization.timezone or "UTC"
    issued = issuing_date(now, timezone)
    term = (
        customer.net_payment_term
        if customer.net_payment_term is not None
        else organization.net_payment_term
    )
    if organization.document_numbering == "PER_ORGANIZATION":
        number = format_invoice_number_per_organization(
            organization.document_number_prefix,
            issuing_date(now, organization.timezone),
            org_seq,
        )
    else:
        number = format_invoice_number_per_customer(
            organization.document_number_prefix, customer.sequential_id, customer_seq
        )

    if customer.currency is None:
        customer.currency = currency
        customer.updated_at = now
        session.add(customer)

    invoice = Invoice(
        organization_id=organization_id,
        customer_id=customer.id,
        number=number,
        sequential_id=customer_seq,
        organization_sequential_id=org_seq,
        payment_status="PENDING" if computed.total_amount_cents > 0 else "SUCCEEDED",
        currency=currency,
        issuing_date=issued,
        payment_due_date=payment_due_date(issued, term),
        net_payment_term=term,
        fees_amount_cents=computed.fees_amount_cents,
        coupons_amount_cents=computed.coupons_amount_cents,
        prepaid_credit_amount_cents=computed.prepaid_credit_amount_cents,
        sub_total_excluding_taxes_amount_cents=computed.sub_total_excluding_taxes_amount_cents,
        taxes_amount_cents=computed.taxes_amount_cents,
        sub_total_including_taxes_amount_cents=computed.sub_total_including_taxes_amount_cents,
        total_amount_cents=computed.total_amount_cents,
        idempotency_key=request.idempotency_key,
        request_fingerprint=fingerprint if request.idempotency_key is not None else None,
        created_at=now,
    )
    session.add(invoice)
    await session.flush()

    fees: list[Fee] = []
    fee_tax_rows: dict[str, list[FeeAppliedTax]] = {}
    for position, (fee_in, add_on, line, computed_fee) in enumerate(
        zip(request.fees, add_ons, lines, computed.fees, strict=True)
    ):
        fee = Fee(
            organization_id=organization_id,
            invoice_id=invoice.id,
            add_on_id=add_on.id,
            position=position,
            units=line.units,
            unit_amount_cents=line.unit_amount_cents,
            precise_amount_cents=_canonical_decimal(computed_fee.precise_amount_cents),
            amount_cents=computed_fee.amount_cents,
            taxes_amount_cents=computed_fee.taxes_amount_cents,
            total_amount_cents=computed_fee.total_amount_cents,
            currency=currency,
            description=fee_in.description
            if fee_in.description is not None
            else add_on.description,
            invoice_display_name=fee_in.invoice_display_name,
            invoice_name=fee_in.invoice_display_name or add_on.invoice_display_name or add_on.name,
            created_at=now,
        )
        fees.append(fee)
        fee_tax_rows[fee.id] = [
            FeeAppliedTax(
                fee_id=fee.id,
                invoice_id=invoice.id,
                tax_id=share.tax.tax_id,
                position=tax_position,
                tax_code=share.tax.code,
                tax_name=share.tax.name,
                tax_rate=share.tax.rate,
                amount_cents=share.amount_cents,
            )
            for tax_position, share in enumerate(computed_fee.taxes)
        ]
    applied = [
        InvoiceAppliedTax(
            invoice_id=invoice.id,
            tax_id=tax.tax.tax_id,
            position=position,
            tax_code=tax.tax.code,
            tax_name=tax.tax.name,
            tax_rate=tax.tax.rate,
            taxable_base_amount_cents=tax.taxable_base_amount_cents,
            amount_cents=tax.amount_cents,
        )
        for position, tax in enumerate(computed.applied_taxes)
    ]
    session.add_all(fees)
    await session.flush()
    session.add_all(row for rows in fee_tax_rows.values() for row in rows)
    session.add_all(applied)
    await session.flush()

    payload = invoice_payload(
        invoice, customer, fees, fee_tax_rows, applied, {a.id: a for a in add_ons}
    )
    await record_event(
        session,
        organization_id=organization_id,
        sequence=event_seq,
        webhook_type=INVOICE_ONE_OFF_CREATED,
        object_id=invoice.id,
        customer_id=customer.id,
        invoice=payload,
        occurred_at=now,
    )
    return CreatedInvoice(invoice, replayed=False)
