import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from models.billing.arithmetic import (
    AmountOutOfRange,
    ComputedInvoice,
    FeeLine,
    FeeTax,
    InvoiceTax,
    TaxRate,
    compute_invoice,
)
from models.billing.money import MAX_MINOR_UNITS, format_amount

VAT = TaxRate("tax-vat", "VAT", "VAT 20%", Decimal("20"))
ECO = TaxRate("tax-eco", "ECO", "Eco 5.5%", Decimal("5.5"))
EXEMPT = TaxRate("tax-exempt", "EXEMPT", "Exempt", Decimal("0"))
TEN = TaxRate("tax-ten", "TEN", "Ten percent", Decimal("10"))


def fee(units: str, unit_amount_cents: str, *taxes: TaxRate) -> FeeLine:
    return FeeLine(Decimal(units), Decimal(unit_amount_cents), taxes)


def shares(invoice: ComputedInvoice) -> list[list[int]]:
    return [[fee_tax.amount_cents for fee_tax in fee.taxes] for fee in invoice.fees]


def test_hand_computed_multi_fee_multi_tax_invoice() -> None:
    # fee 0: 2 * 1049     = 2098            VAT, ECO
    # fee 1: 1.5 * 333    = 499.5  -> 500   VAT
    # fee 2: 3 * 0.333    = 0.999  -> 1     ECO, EXEMPT
    # fees = 2098 + 500 + 1 = 2599
    #
    # VAT 20%:  2098 * 0.2 = 419.6,  500 * 0.2 = 100.0;  Σ 519.6 -> 520
    #           floors 419 + 100 = 519, 1 cent left -> fee 0 (remainder .6): 420, 100
    # ECO 5.5%: 2098 * 0.055 = 115.39,  1 * 0.055 = 0.055;  Σ 115.445 -> 115
    #           floors 115 + 0 = 115, nothing left: 115, 0
    # EXEMPT 0%: 0
    # taxes = 520 + 115 + 0 = 635;  total = 2599 + 635 = 3234
    # fee totals: 2098 + 420 + 115 = 2633;  500 + 100 = 600;  1 + 0 + 0 = 1;  Σ 3234
    invoice = compute_invoice(
        [fee("2", "1049", VAT, ECO), fee("1.5", "333", VAT), fee("3", "0.333", ECO, EXEMPT)]
    )

    assert [f.precise_amount_cents for f in invoice.fees] == [
        Decimal("2098"),
        Decimal("499.5"),
        Decimal("0.999"),
    ]
    assert [f.amount_cents for f in invoice.fees] == [2098, 500, 1]
    assert [[t.tax for t in f.taxes] for f in invoice.fees] == [[VAT, ECO], [VAT], [ECO, EXEMPT]]
    assert shares(invoice) == [[420, 115], [100], [0, 0]]
    assert [f.taxes_amount_cents for f in invoice.fees] == [535, 100, 0]
    assert [f.total_amount_cents for f in invoice.fees] == [2633, 600, 1]
    assert invoice.applied_taxes == (
        InvoiceTax(VAT, taxable_base_amount_cents=2598, amount_cents=520),
        InvoiceTax(ECO, taxable_base_amount_cents=2099, amount_cents=115),
        InvoiceTax(EXEMPT, taxable_base_amount_cents=1, amount_cents=0),
    )
    assert invoice == ComputedInvoice(
        fees=invoice.fees,
        applied_taxes=invoice.applied_taxes,
        fees_amount_cents=2599,
        coupons_amount_cents=0,
        prepaid_credit_amount_cents=0,
        sub_total_excluding_taxes_amount_cents=2599,
        taxes_amount_cents=635,
        sub_total_including_taxes_amount_cents=3234,
        total_amount_cents=3234,
    )


def test_fee_taxes_keep_the_fee_order_not_the_invoice_order() -> None:
    invoice = compute_invoice([fee("1", "100", VAT), fee("1", "100", ECO, VAT)])
    assert [t.tax for t in invoice.fees[1].taxes] == [ECO, VAT]
    assert [a.tax for a in invoice.applied_taxes] == [VAT, ECO]


def test_naive_per_fee_rounding_overshoots_ours_adds_up() -> None:
    # 25 * 10% = 2.5 per fee: rounding each gives 3 + 3 + 3 = 9, but the invoice owes
    # round(7.5) = 8. Floors 2 + 2 + 2 = 6, 2 cents left, equal remainders: fees 0 and 1.
    invoice = compute_invoice([fee("1", "25", TEN)] * 3)
    assert invoice.applied_taxes[0].amount_cents == 8
    assert shares(invoice) == [[3], [3], [2]]
    assert invoice.taxes_amount_cents == sum(f.taxes_amount_cents for f in invoice.fees) == 8


def test_naive_per_fee_rounding_undershoots_ours_adds_up() -> None:
    # 12 * 20% = 2.4 per fee: rounding each gives 2 + 2 + 2 = 6, the invoice owes
    # round(7.2) = 7. The one cent left goes to fee 0 (equal remainders, lower index).
    invoice = compute_invoice([fee("1", "12", VAT)] * 3)
    assert invoice.taxes_amount_cents == 7
    assert shares(invoice) == [[3], [2], [2]]
    assert invoice.total_amount_cents == sum(f.total_amount_cents for f in invoice.fees) == 43


def test_leftover_cents_go_to_the_largest_remainders() -> None:
    # 11 * 20% = 2.2, 14 * 20% = 2.8, 13 * 20% = 2.6; Σ 7.6 -> 8; floors 6;
    # 2 cents left -> remainders .8 (fee 1) and .6 (fee 2).
    invoice = compute_invoice([fee("1", "11", VAT), fee("1", "14", VAT), fee("1", "13", VAT)])
    assert shares(invoice) == [[2], [3], [3]]


@pytest.mark.parametrize(
    ("units", "unit_amount_cents", "precise", "amount"),
    [
        ("5", "0.5", "2.5", 3),  # round() would give 2
        ("1", "0.5", "0.5", 1),  # round() would give 0
        ("3", "0.333", "0.999", 1),
        ("1.5", "0.333", "0.4995", 0),
        ("0.000000000001", "1000000000000.5", "1.0000000000005", 1),
        ("0", "999", "0", 0),
        ("7", "0", "0", 0),
    ],
)
def test_fee_amount_is_the_product_rounded_half_up(
    units: str, unit_amount_cents: str, precise: str, amount: int
) -> None:
    computed = compute_invoice([fee(units, unit_amount_cents)]).fees[0]
    assert computed.precise_amount_cents == Decimal(precise)
    assert computed.amount_cents == amount


def test_tax_half_cent_rounds_up_on_the_invoice() -> None:
    # 25 * 10% = 2.5 -> 3 (round() would give 2).
    assert compute_invoice([fee("1", "25", TEN)]).taxes_amount_cents == 3


def test_zero_amount_fee_with_taxes() -> None:
    invoice = compute_invoice([fee("0", "1500", VAT, ECO), fee("2", "0", VAT)])
    assert shares(invoice) == [[0, 0], [0]]
    assert [a.amount_cents for a in invoice.applied_taxes] == [0, 0]
    assert invoice.total_amount_cents == 0


def test_zero_rate_tax_is_applied_with_nothing_to_pay() -> None:
    invoice = compute_invoice([fee("1", "1000", EXEMPT)])
    assert invoice.applied_taxes == (InvoiceTax(EXEMPT, 1000, 0),)
    assert invoice.fees[0].taxes == (FeeTax(EXEMPT, 0),)
    assert invoice.total_amount_cents == 1000


def test_no_fees_and_no_taxes() -> None:
    invoice = compute_invoice([fee("2", "150")])
    assert invoice.applied_taxes == ()
    assert invoice.fees[0].taxes == ()
    assert invoice.total_amount_cents == invoice.fees_amount_cents == 300
    assert compute_invoice([]).total_amount_cents == 0


def test_jpy_has_no_minor_digits() -> None:
    # 7 * ¥99 = ¥693; 8% = 55.44 -> ¥55; total ¥748.
    eight = TaxRate("tax-jct", "JCT", "Consumption tax", Decimal("8"))
    invoice = compute_invoice([fee("7", "99", eight)])
    assert (invoice.fees_amount_cents, invoice.taxes_amount_cents) == (693, 55)
    assert format_amount(invoice.total_amount_cents, "JPY") == Decimal("748")


def test_kwd_has_three_minor_digits() -> None:
    # 2 * 12.345 KWD = 24690 fils; 5% = 1234.5 -> 1235 fils; total 25925 fils = 25.925 KWD.
    five = TaxRate("tax-kw", "KWVAT", "VAT 5%", Decimal("5"))
    invoice = compute_invoice([fee("2", "12345", five)])
    assert invoice.taxes_amount_cents == 1235
    assert str(format_amount(invoice.total_amount_cents, "KWD")) == "25.925"


def test_four_decimal_rate_on_sub_cent_prices() -> None:
    # 1000 * 0.12345 = 123.45 -> 123; 123 * 7.6543% = 9.414789 -> 9.
    rate = TaxRate("tax-x", "X", "X", Decimal("7.6543"))
    invoice = compute_invoice([fee("1000", "0.12345", rate)])
    assert (invoice.fees_amount_cents, invoice.taxes_amount_cents) == (123, 9)


def test_largest_amount_that_fits() -> None:
    invoice = compute_invoice([fee("1", str(MAX_MINOR_UNITS), EXEMPT)])
    assert invoice.total_amount_cents == MAX_MINOR_UNITS


def test_big_products_are_exact() -> None:
    # 0.5 * 18446744073709551612.999999999999 = 9223372036854775806.4999999999995 -> ...806.
    # Rounded to the default 28 digits first, it would read ...806.500000000 -> ...807.
    computed = compute_invoice([fee("0.5", "18446744073709551612.999999999999")]).fees[0]
    assert computed.precise_amount_cents == Decimal("9223372036854775806.4999999999995")
    assert computed.amount_cents == MAX_MINOR_UNITS - 1


@pytest.mark.parametrize(
    ("lines", "fee_index", "what"),
    [
        ([fee("1", str(MAX_MINOR_UNITS + 1))], 0, "fee 0's amount (units × unit price)"),
        # The precise amount itself must fit, even if rounding would bring it back.
        ([fee("1", f"{MAX_MINOR_UNITS}.4")], 0, "fee 0's amount (units × unit price)"),
        ([fee("1", "1"), fee("1e30", "1")], 1, "fee 1's amount (units × unit price)"),
        # A fee whose own total (amount + its taxes) overflows.
        ([fee("1", str(MAX_MINOR_UNITS), TEN)], 0, "fee 0's amount with its taxes"),
        # Each fee fits, only their sum does not.
        ([fee("1", str(MAX_MINOR_UNITS // 2 + 1))] * 2, None, "the sum of the fees"),
        # Each fee and the fees sum fit, only the invoice total with taxes does not.
        (
            [fee("1", str(MAX_MINOR_UNITS // 2), TEN), fee("1", str(MAX_MINOR_UNITS // 2))],
            None,
            "the invoice total with taxes",
        ),
    ],
)
def test_amount_out_of_range(lines: list[FeeLine], fee_index: int | None, what: str) -> None:
    with pytest.raises(AmountOutOfRange) as raised:
        compute_invoice(lines)
    assert raised.value.fee_index == fee_index
    assert str(raised.value) == f"{what} exceeds {MAX_MINOR_UNITS} minor units"


@pytest.mark.parametrize(
    ("units", "unit_amount_cents"), [("-1", "100"), ("1", "-0.01"), ("NaN", "1"), ("1", "Inf")]
)
def test_fee_line_refuses_negative_or_non_finite_numbers(
    units: str, unit_amount_cents: str
) -> None:
    with pytest.raises(ValueError, match="finite and >= 0"):
        fee(units, unit_amount_cents)


@pytest.mark.parametrize("rate", ["-0.0001", "100.0001", "NaN"])
def test_tax_rate_refuses_rates_outside_0_to_100(rate: str) -> None:
    with pytest.raises(ValueError, match=r"0\.\.100"):
        TaxRate("tax-x", "X", "X", Decimal(rate))


def test_a_tax_cannot_be_charged_twice_on_one_fee() -> None:
    with pytest.raises(ValueError, match="same tax twice"):
        compute_invoice([fee("1", "100", VAT, VAT)])


def test_a_tax_id_cannot_carry_two_rates() -> None:
    other_vat = TaxRate(VAT.tax_id, VAT.code, VAT.name, Decimal("19"))
    with pytest.raises(ValueError, match="two different rates"):
        compute_invoice([fee("1", "100", VAT), fee("1", "100", other_vat)])


# Property tests: an independent oracle in exact fractions, checked against every sum.


def _decimal(digits: int, places: int) -> Decimal:
    return Decimal(f"{digits}E-{places}")


# Up to 12 decimal places. Everyday numbers never overflow, so that half the invoices are
# checked in full; the other half mix in numbers far past 64 bits and prices at its very edge.
_everyday = st.one_of(st.integers(0, 10**6), st.integers(0, 10**13))
_extreme = st.one_of(_everyday, st.integers(0, 10**19), st.integers(0, 10**34))
everyday_quantities = st.one_of(
    st.builds(_decimal, st.integers(0, 10**5), st.integers(0, 2)),
    st.builds(_decimal, _everyday, st.integers(0, 12)),
)
extreme_quantities = st.one_of(
    st.builds(_decimal, _extreme, st.integers(0, 12)),
    st.builds(Decimal, st.integers(MAX_MINOR_UNITS - 10**4, MAX_MINOR_UNITS + 10**4)),
)
rates = st.one_of(
    st.sampled_from([Decimal(0), Decimal(100), Decimal(20), Decimal("5.5")]),
    st.builds(_decimal, st.integers(0, 100 * 10**4), st.just(4)),
)


@st.composite
def invoices(draw: st.DrawFn) -> list[FeeLine]:
    pool = [
        TaxRate(f"tax-{i}", f"T{i}", f"Tax {i}", rate)
        for i, rate in enumerate(draw(st.lists(rates, min_size=1, max_size=3)))
    ]
    pick_taxes = (
        st.lists(st.sampled_from(pool), unique_by=lambda t: t.tax_id) if pool else st.just([])
    )
    quantities = draw(st.sampled_from([everyday_quantities, extreme_quantities]))
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        units = draw(st.one_of(quantities, st.just(Decimal(1))))
        lines.append(FeeLine(units, draw(quantities), tuple(draw(pick_taxes))))
    return lines


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _exact_shares(lines: Sequence[FeeLine], amounts: list[int]) -> dict[str, dict[int, Fraction]]:
    by_tax: dict[str, dict[int, Fraction]] = {}
    for index, line in enumerate(lines):
        for tax in line.taxes:
            share = amounts[index] * Fraction(tax.rate) / 100
            by_tax.setdefault(tax.tax_id, {})[index] = share
    return by_tax


@settings(max_examples=300, deadline=None)
@given(invoices())
@example([FeeLine(Decimal(1), Decimal(MAX_MINOR_UNITS), ())])
@example([FeeLine(Decimal(1), Decimal(25), (TEN,))] * 3)
def test_every_sum_adds_up(lines: list[FeeLine]) -> None:
    precise = [Fraction(line.units) * Fraction(line.unit_amount_cents) for line in lines]
    amounts = [_half_up(value) for value in precise]
    exact = _exact_shares(lines, amounts)
    tax_amounts = {tax_id: _half_up(sum(s.values(), Fraction(0))) for tax_id, s in exact.items()}
    # Every other amount is a part of the total, so nothing else can overflow on its own.
    overflows = max(precise, default=0) > MAX_MINOR_UNITS or (
        sum(amounts) + sum(tax_amounts.values()) > MAX_MINOR_UNITS
    )

    try:
        invoice = compute_invoice(lines)
    except AmountOutOfRange:
        assert overflows
        return
    assert not overflows

    assert [f.precise_amount_cents for f in invoice.fees] == precise
    assert [f.amount_cents for f in invoice.fees] == amounts
    assert invoice.fees_amount_cents == sum(amounts)
    assert invoice.sub_total_excluding_taxes_amount_cents == invoice.fees_amount_cents
    assert invoice.coupons_amount_cents == invoice.prepaid_credit_amount_cents == 0

    assert [a.tax.tax_id for a in invoice.applied_taxes] == list(exact)
    for applied in invoice.applied_taxes:
        fee_shares = {
            index: fee_tax.amount_cents
            for index, fee in enumerate(invoice.fees)
            for fee_tax in fee.taxes
            if fee_tax.tax.tax_id == applied.tax.tax_id
        }
        exact_shares = exact[applied.tax.tax_id]
        assert fee_shares.keys() == exact_shares.keys()
        assert applied.amount_cents == tax_amounts[applied.tax.tax_id]
        assert applied.taxable_base_amount_cents == sum(amounts[i] for i in fee_shares)
        assert sum(fee_shares.values()) == applied.amount_cents
        assert all(abs(fee_shares[i] - exact_shares[i]) < 1 for i in fee_shares)
        # Largest remainder: a fee given an extra cent has a larger remainder than a fee left
        # at its floor, or the same one and a lower index.
        remainder = {i: exact_shares[i] - math.floor(exact_shares[i]) for i in fee_shares}
        raised = [i for i in fee_shares if fee_shares[i] > exact_shares[i]]
        floored = [i for i in fee_shares if 0 < exact_shares[i] - fee_shares[i] < 1]
        for up in raised:
            for down in floored:
                assert (remainder[up], -up) > (remainder[down], -down)

    for line, computed in zip(lines, invoice.fees, strict=True):
        assert [t.tax for t in computed.taxes] == list(line.taxes)
        assert computed.taxes_amount_cents == sum(t.amount_cents for t in computed.taxes)
        assert computed.total_amount_cents == computed.amount_cents + computed.taxes_amount_cents

    assert invoice.taxes_amount_cents == sum(a.amount_cents for a in invoice.applied_taxes)
    assert invoice.taxes_amount_cents == sum(f.taxes_amount_cents for f in invoice.fees)
    assert invoice.total_amount_cents == invoice.fees_amount_cents + invoice.taxes_amount_cents
    assert invoice.sub_total_including_taxes_amount_cents == invoice.total_amount_cents
    assert invoice.total_amount_cents == sum(f.total_amount_cents for f in invoice.fees)

    every_amount = [
        invoice.fees_amount_cents,
        invoice.taxes_amount_cents,
        invoice.total_amount_cents,
        *(a.amount_cents for a in invoice.applied_taxes),
        *(a.taxable_base_amount_cents for a in invoice.applied_taxes),
        *(f.amount_cents for f in invoice.fees),
        *(f.total_amount_cents for f in invoice.fees),
        *(t.amount_cents for f in invoice.fees for t in f.taxes),
    ]
    assert all(0 <= amount <= MAX_MINOR_UNITS for amount in every_amount)
    assert all(0 <= f.precise_amount_cents <= MAX_MINOR_UNITS for f in invoice.fees)
