"""Arithmetic of a one-off invoice: fee amounts, taxes split to the cent, totals.

Every sum on the result adds up exactly: a tax is rounded once on the invoice, then shared
out over its fees by largest remainder, so the fee taxes can never miss the invoice by a cent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from models.billing.money import EXACT, MAX_MINOR_UNITS, round_half_up


@dataclass(frozen=True)
class TaxRate:
    tax_id: str
    code: str
    name: str
    rate: Decimal  # percent
    # Carried to the invoice's tax rows for its e-invoices (models/billing/vat_categories.py).
    category: str = "S"
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None

    def __post_init__(self) -> None:
        if not (self.rate.is_finite() and 0 <= self.rate <= 100):
            raise ValueError(f"tax rate must be a percentage in 0..100, got {self.rate}")


@dataclass(frozen=True)
class FeeLine:
    units: Decimal
    unit_amount_cents: Decimal  # may carry sub-cent decimals
    taxes: tuple[TaxRate, ...]  # already resolved by precedence

    def __post_init__(self) -> None:
        for value in (self.units, self.unit_amount_cents):
            if not (value.is_finite() and value >= 0):
                raise ValueError(f"units and unit amounts must be finite and >= 0, got {value}")


@dataclass(frozen=True)
class FeeTax:
    """One tax's share of one fee."""

    tax: TaxRate
    amount_cents: int


@dataclass(frozen=True)
class ComputedFee:
    precise_amount_cents: Decimal
    amount_cents: int
    taxes: tuple[FeeTax, ...]  # in the order of FeeLine.taxes
    taxes_amount_cents: int
    total_amount_cents: int


@dataclass(frozen=True)
class InvoiceTax:
    """One tax over the whole invoice."""

    tax: TaxRate
    taxable_base_amount_cents: int
    amount_cents: int


@dataclass(frozen=True)
class ComputedInvoice:
    fees: tuple[ComputedFee, ...]
    applied_taxes: tuple[InvoiceTax, ...]  # one per tax_id, in order of first appearance
    fees_amount_cents: int
    coupons_amount_cents: int  # coupons never reduce a one-off invoice
    prepaid_credit_amount_cents: int  # nor do prepaid credits
    sub_total_excluding_taxes_amount_cents: int
    taxes_amount_cents: int
    sub_total_including_taxes_amount_cents: int
    total_amount_cents: int


class AmountOutOfRange(Exception):
    """An amount does not fit in a signed 64-bit integer of minor units.

    `fee_index` is the fee whose own amount overflows, None when only a sum over fees does;
    `product` is True when units × unit price itself does, False when only its taxes push it
    over; the message says which amount. Which input to blame is the caller's to say: only it
    knows which numbers the request gave and which came from the catalog.
    """

    def __init__(self, what: str, fee_index: int | None = None, *, product: bool = False) -> None:
        super().__init__(f"{what} exceeds {MAX_MINOR_UNITS} minor units")
        self.fee_index = fee_index
        self.product = product


def compute_invoice(lines: Sequence[FeeLine]) -> ComputedInvoice:
    precise = [EXACT.multiply(line.units, line.unit_amount_cents) for line in lines]
    for index, value in enumerate(precise):
        _check(value, f"fee {index}'s amount (units × unit price)", index, product=True)
    amounts = [round_half_up(value) for value in precise]
    fees_amount = sum(amounts)
    _check(fees_amount, "the sum of the fees")

    shares: dict[tuple[int, str], int] = {}
    applied_taxes: list[InvoiceTax] = []
    for tax, carriers in _carriers_by_tax(lines):
        bases = [amounts[index] for index in carriers]
        tax_amount, split = _split_tax(tax.rate, bases)
        _check(tax_amount, f"tax {tax.code} over the invoice")
        shares.update(
            ((index, tax.tax_id), share) for index, share in zip(carriers, split, strict=True)
        )
        applied_taxes.append(InvoiceTax(tax, sum(bases), tax_amount))

    fees: list[ComputedFee] = []
    for index, line in enumerate(lines):
        fee_taxes = tuple(FeeTax(tax, shares[index, tax.tax_id]) for tax in line.taxes)
        fee_taxes_amount = sum(fee_tax.amount_cents for fee_tax in fee_taxes)
        fee_total = amounts[index] + fee_taxes_amount
        _check(fee_total, f"fee {index}'s amount with its taxes", index)
        fees.append(
            ComputedFee(precise[index], amounts[index], fee_taxes, fee_taxes_amount, fee_total)
        )

    taxes_amount = sum(applied.amount_cents for applied in applied_taxes)
    total = fees_amount + taxes_amount
    _check(total, "the invoice total with taxes")
    return ComputedInvoice(
        fees=tuple(fees),
        applied_taxes=tuple(applied_taxes),
        fees_amount_cents=fees_amount,
        coupons_amount_cents=0,
        prepaid_credit_amount_cents=0,
        sub_total_excluding_taxes_amount_cents=fees_amount,
        taxes_amount_cents=taxes_amount,
        sub_total_including_taxes_amount_cents=total,
        total_amount_cents=total,
    )


def _check(
    amount: int | Decimal, what: str, fee_index: int | None = None, *, product: bool = False
) -> None:
    if amount > MAX_MINOR_UNITS:
        raise AmountOutOfRange(what, fee_index, product=product)


def _carriers_by_tax(lines: Sequence[FeeLine]) -> list[tuple[TaxRate, list[int]]]:
    carriers: dict[str, tuple[TaxRate, list[int]]] = {}
    for index, line in enumerate(lines):
        if len({tax.tax_id for tax in line.taxes}) != len(line.taxes):
            raise ValueError(f"fee {index} carries the same tax twice")
        for tax in line.taxes:
            first, indexes = carriers.setdefault(tax.tax_id, (tax, []))
            if first != tax:
                raise ValueError(f"tax {tax.tax_id} is given with two different rates or names")
            indexes.append(index)
    return list(carriers.values())


def _split_tax(rate: Decimal, bases: list[int]) -> tuple[int, list[int]]:
    """The tax on the sum of `bases`, and its share of each base (largest remainder)."""
    # Exact: the default 28 digits would round big shares and their sum.
    with localcontext(EXACT):
        exact = [base * rate / 100 for base in bases]
        total = round_half_up(sum(exact, Decimal(0)))
        split = [math.floor(share) for share in exact]
        remainders = [share - floor for share, floor in zip(exact, split, strict=True)]
    # Σ remainders < the count of non-zero remainders, so the leftover cents go only to fees
    # with one, and no share ends a whole cent away from its exact value. The sort is stable
    # even reversed: on equal remainders the lower fee index comes first.
    by_remainder = sorted(range(len(bases)), key=remainders.__getitem__, reverse=True)
    for index in by_remainder[: total - sum(split)]:
        split[index] += 1
    return total, split
