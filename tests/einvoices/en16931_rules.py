"""EN 16931's calculation rules that concern us, as code over the XML itself (CII or UBL):
what an accounting program reading our e-invoice would check, read from what we wrote.

BR-CO-10 Σ line net amounts = line total; BR-CO-13 tax exclusive total = line total (no
document allowances or charges); BR-CO-14 tax total = Σ VAT category tax amounts; BR-CO-15
grand total = tax exclusive total + tax total; BR-CO-16 amount due = grand total (nothing
prepaid, no rounding amount); BR-S-08, BR-E-08 and their kin for every category: a
breakdown's taxable amount = Σ net amounts of the lines of its category and rate, and one
breakdown per category and rate (BR-E-01 and kin); BR-DEC:
amounts carry at most two decimals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from lxml import etree

from models.einvoices.cii import NS as CII_NS
from models.einvoices.ubl import NS as UBL_DEFAULT

# XPath names the default namespace too.
UBL_NS = {
    "inv": str(UBL_DEFAULT[None]),
    "cac": str(UBL_DEFAULT["cac"]),
    "cbc": str(UBL_DEFAULT["cbc"]),
}

Syntax = Literal["cii", "ubl"]
Key = tuple[str, Decimal | None]  # (category, rate)


@dataclass(frozen=True)
class Read:
    """The figures of an e-invoice, as its XML states them."""

    lines: list[tuple[Key, Decimal]]  # (category and rate, net amount)
    breakdowns: list[tuple[Key, Decimal, Decimal]]  # (category and rate, base, tax)
    line_total: Decimal
    tax_exclusive: Decimal
    tax_total: Decimal
    grand_total: Decimal
    due: Decimal
    amounts: list[str]  # every amount as written


def read(xml: bytes, syntax: Syntax) -> Read:
    root = etree.fromstring(xml)
    return _cii(root) if syntax == "cii" else _ubl(root)


def _texts(node: Any, path: str, ns: dict[str, str]) -> list[str]:
    return [str(found.text) for found in node.xpath(path, namespaces=ns)]


def _one(node: Any, path: str, ns: dict[str, str]) -> Decimal:
    (text,) = _texts(node, path, ns)
    return Decimal(text)


def _rate(node: Any, path: str, ns: dict[str, str]) -> Decimal | None:
    found = _texts(node, path, ns)
    return Decimal(found[0]) if found else None


def _cii(root: Any) -> Read:
    ns, total = CII_NS, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    lines = [
        (
            (
                _texts(line, ".//ram:ApplicableTradeTax/ram:CategoryCode", ns)[0],
                _rate(line, ".//ram:ApplicableTradeTax/ram:RateApplicablePercent", ns),
            ),
            _one(line, ".//ram:LineTotalAmount", ns),
        )
        for line in root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=ns)
    ]
    breakdowns = [
        (
            (_texts(tax, "ram:CategoryCode", ns)[0], _rate(tax, "ram:RateApplicablePercent", ns)),
            _one(tax, "ram:BasisAmount", ns),
            _one(tax, "ram:CalculatedAmount", ns),
        )
        for tax in root.xpath(
            "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=ns
        )
    ]
    amounts = _texts(
        root,
        "//ram:LineTotalAmount | //ram:BasisAmount | //ram:CalculatedAmount"
        " | //ram:TaxBasisTotalAmount | //ram:TaxTotalAmount | //ram:GrandTotalAmount"
        " | //ram:DuePayableAmount",
        ns,
    )
    return Read(
        lines,
        breakdowns,
        _one(root, total + "LineTotalAmount", ns),
        _one(root, total + "TaxBasisTotalAmount", ns),
        _one(root, total + "TaxTotalAmount", ns),
        _one(root, total + "GrandTotalAmount", ns),
        _one(root, total + "DuePayableAmount", ns),
        amounts,
    )


def _ubl(root: Any) -> Read:
    ns, total = UBL_NS, "/inv:Invoice/cac:LegalMonetaryTotal/cbc:"
    lines = [
        (
            (
                _texts(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID", ns)[0],
                _rate(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", ns),
            ),
            _one(line, "cbc:LineExtensionAmount", ns),
        )
        for line in root.xpath("/inv:Invoice/cac:InvoiceLine", namespaces=ns)
    ]
    breakdowns = [
        (
            (
                _texts(sub, "cac:TaxCategory/cbc:ID", ns)[0],
                _rate(sub, "cac:TaxCategory/cbc:Percent", ns),
            ),
            _one(sub, "cbc:TaxableAmount", ns),
            _one(sub, "cbc:TaxAmount", ns),
        )
        for sub in root.xpath("/inv:Invoice/cac:TaxTotal/cac:TaxSubtotal", namespaces=ns)
    ]
    amounts = _texts(
        root,
        "//cbc:LineExtensionAmount | //cbc:TaxableAmount | //cbc:TaxAmount"
        " | //cbc:TaxExclusiveAmount | //cbc:TaxInclusiveAmount | //cbc:PayableAmount",
        ns,
    )
    return Read(
        lines,
        breakdowns,
        _one(root, total + "LineExtensionAmount", ns),
        _one(root, total + "TaxExclusiveAmount", ns),
        _one(root, "/inv:Invoice/cac:TaxTotal/cbc:TaxAmount", ns),
        _one(root, total + "TaxInclusiveAmount", ns),
        _one(root, total + "PayableAmount", ns),
        amounts,
    )


def broken_rules(xml: bytes, syntax: Syntax) -> list[str]:
    """The ids of the rules above that the XML breaks; [] when it keeps them all."""
    figures = read(xml, syntax)
    broken: list[str] = []
    if sum((net for _, net in figures.lines), Decimal(0)) != figures.line_total:
        broken.append("BR-CO-10")
    if figures.tax_exclusive != figures.line_total:
        broken.append("BR-CO-13")
    if sum((tax for _, _, tax in figures.breakdowns), Decimal(0)) != figures.tax_total:
        broken.append("BR-CO-14")
    if figures.grand_total != figures.tax_exclusive + figures.tax_total:
        broken.append("BR-CO-15")
    if figures.due != figures.grand_total:
        broken.append("BR-CO-16")
    by_key: dict[Key, Decimal] = defaultdict(Decimal)
    for key, net in figures.lines:
        by_key[key] += net
    stated = {key: base for key, base, _ in figures.breakdowns}
    # Named after the category whose breakdown is wrong: BR-S-08, BR-E-08, BR-AE-08, …
    wrong = {key for key in set(stated) | set(by_key) if stated.get(key) != by_key.get(key)}
    # One breakdown per category and rate: for S, each rate's is its taxable sum (BR-S-08);
    # the others have exactly one (BR-Z-01, BR-E-01, BR-AE-01, …).
    keys = [key for key, _, _ in figures.breakdowns]
    twice = {key for key in keys if keys.count(key) > 1}
    broken += sorted(
        {f"BR-{_FAMILY.get(category, category)}-08" for category, _ in wrong}
        | {
            f"BR-{_FAMILY.get(category, category)}-{'08' if category == 'S' else '01'}"
            for category, _ in twice
        }
    )
    if any(_decimals(text) > 2 for text in figures.amounts):
        broken.append("BR-DEC")
    return broken


_FAMILY = {"K": "IC", "L": "AF", "M": "AG"}


def _decimals(text: str) -> int:
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)
