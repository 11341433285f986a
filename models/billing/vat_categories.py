"""A tax's VAT category as EN 16931 names it (UNCL 5305, the subset its rules cover), and what
each category asks of a tax: its rate, and whether it carries an exemption reason.

The rules are EN 16931's own, one family per category (BR-S-*, BR-Z-*, BR-E-*, BR-AE-*,
BR-IC-*, BR-G-*, BR-O-*, BR-AF-*, BR-AG-*): a category that exempts (E, AE, K, G, O) takes a
rate of 0 and a reason (BR-x-05, BR-x-10); the others take none. Standard rate at 0 % is
left to the tax (it is how a tax made before categories existed reads) and stops only its
invoices' e-invoices (models/einvoices/problems.py), which is where BR-S-05 applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class VatCategory(StrEnum):
    """Named by their codes, as EN 16931 and every e-invoice name them."""

    S = "S"
    Z = "Z"
    E = "E"
    AE = "AE"
    K = "K"
    G = "G"
    O = "O"  # noqa: E741 (the code's own name)
    L = "L"
    M = "M"


DEFAULT_CATEGORY = VatCategory.S
# Exempt from VAT in one way or another: no rate, and the reason must be given.
EXEMPTING = frozenset(
    {
        VatCategory.E,
        VatCategory.AE,
        VatCategory.K,
        VatCategory.G,
        VatCategory.O,
    }
)
ZERO_RATE = EXEMPTING | {VatCategory.Z}
# The buyer's VAT identifier is part of the invoice (BR-AE-02, BR-IC-02).
NEEDS_BUYER_VAT_ID = frozenset({VatCategory.AE, VatCategory.K})
# The CEF VATEX code list's shape (VATEX-EU-79-C, VATEX-EU-AE, VATEX-FR-FRANCHISE): the list
# itself grows by decision of the EU's e-invoicing service, so its codes are not kept here.
VATEX_CODE = re.compile(r"VATEX-[A-Z]{2}(-[A-Z0-9]+)+")
REASON_CODE_LENGTH = 40

DESCRIPTIONS = {
    VatCategory.S: "Standard rate",
    VatCategory.Z: "Zero rated goods",
    VatCategory.E: "Exempt from VAT",
    VatCategory.AE: "VAT reverse charge",
    VatCategory.K: "Intra-community supply (VAT exempt for EEA)",
    VatCategory.G: "Free export item, VAT not charged",
    VatCategory.O: "Services outside scope of tax",
    VatCategory.L: "Canary Islands general indirect tax (IGIC)",
    VatCategory.M: "Tax for production, services and importation in Ceuta and Melilla",
}


@dataclass(frozen=True)
class CategoryProblem:
    field: str  # rate, exemptionReason or exemptionReasonCode
    missing: bool  # a value is wanted, rather than a wrong one given
    message: str


def category_problems(
    category: VatCategory, rate: Decimal, reason: str | None, reason_code: str | None
) -> list[CategoryProblem]:
    """Each way a tax of `category` breaks its EN 16931 rules; none when it keeps them."""
    name = f"category {category.value}"
    problems: list[CategoryProblem] = []
    if category in ZERO_RATE and rate != 0:
        problems.append(CategoryProblem("rate", False, f"{name} takes a rate of 0"))
    if category in EXEMPTING and not (reason or reason_code):
        problems.append(
            CategoryProblem(
                "exemptionReason", True, f"{name} needs an exemption reason (text, code or both)"
            )
        )
    if category not in EXEMPTING:
        for field, given in (("exemptionReason", reason), ("exemptionReasonCode", reason_code)):
            if given:
                problems.append(CategoryProblem(field, False, f"{name} takes no exemption reason"))
    return problems
