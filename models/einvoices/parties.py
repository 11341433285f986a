"""Why the seller or the buyer, as frozen at issue, cannot be named in an EN 16931
e-invoice: what the standard requires of each party, checked against the official code
lists (codes.py) rather than against what our inputs happen to accept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.billing.vat_categories import NEEDS_BUYER_VAT_ID, VatCategory
from models.einvoices.codes import address_schemes, countries, is_vat_id
from models.einvoices.problem_codes import Add, ProblemCode
from models.einvoices.terms import Issued, text


def party_problems(issued: Issued, add: Add) -> None:
    seller: Mapping[str, Any] = issued.parties.get("seller") or {}
    buyer: Mapping[str, Any] = issued.parties.get("buyer") or {}
    categories = {VatCategory(tax.tax_category) for tax in issued.taxes}
    _seller(seller, categories, add)
    _buyer(buyer, categories, add)


def _seller(seller: Mapping[str, Any], categories: set[VatCategory], add: Add) -> None:
    if "legal_name" not in seller:
        add(
            ProblemCode.SELLER_LEGAL_NAME_MISSING,
            "the invoice was issued before invoices kept whether the seller's name is its "
            "legal name (BT-27)",
        )
    elif not text(seller.get("legal_name") or ""):
        add(
            ProblemCode.SELLER_LEGAL_NAME_MISSING,
            "the organization had no legal name at issue (BT-27)",
        )
    country = seller.get("country")
    if not (seller.get("address_line1") and seller.get("city") and country):
        add(
            ProblemCode.SELLER_ADDRESS_MISSING,
            "the organization had no full address at issue: line 1, city and country (BG-5)",
        )
    elif country not in countries():
        add(
            ProblemCode.SELLER_COUNTRY_INVALID,
            f"the organization's country {country} is not in ISO 3166-1 (BR-CL-14)",
        )
    _peppol_id(seller, ProblemCode.SELLER_PEPPOL_ID_INVALID, "organization", add)
    if VatCategory.O in categories:
        # Outside the scope of VAT no VAT identifier may be named (BR-O-02): the seller is
        # identified by its registration instead (BR-CO-26).
        if not seller.get("legal_registration_number"):
            add(
                ProblemCode.SELLER_REGISTRATION_MISSING,
                "an invoice outside the scope of VAT (O) names no VAT identifier (BR-O-02), "
                "so it identifies the seller by its legal registration number (BT-30, "
                "BR-CO-26), which the organization did not have at issue",
            )
        return
    vat_id = seller.get("tax_identification_number")
    if not vat_id:
        add(
            ProblemCode.SELLER_VAT_ID_MISSING,
            "the organization had no VAT identifier at issue (BT-31, BR-S-02)",
        )
    elif not is_vat_id(vat_id):
        add(
            ProblemCode.SELLER_VAT_ID_INVALID,
            f"the organization's VAT identifier {vat_id!r} does not start with a country "
            "code (BR-CO-09)",
        )


def _buyer(buyer: Mapping[str, Any], categories: set[VatCategory], add: Add) -> None:
    if not text(buyer.get("name") or ""):
        add(
            ProblemCode.BUYER_NAME_MISSING,
            "the customer's name holds no text an e-invoice can carry (BT-44)",
        )
    country = buyer.get("country")
    if not country:
        add(ProblemCode.BUYER_COUNTRY_MISSING, "the customer had no country at issue (BR-11)")
    elif country not in countries():
        add(
            ProblemCode.BUYER_COUNTRY_INVALID,
            f"the customer's country {country} is not in ISO 3166-1 (BR-CL-14)",
        )
    _peppol_id(buyer, ProblemCode.BUYER_PEPPOL_ID_INVALID, "customer", add)
    if not categories & NEEDS_BUYER_VAT_ID:
        # Elsewhere the buyer's VAT identifier is optional (BT-48): a tax number that is no
        # VAT identifier (a US EIN) is left out of the e-invoice, not refused.
        return
    vat_id = buyer.get("tax_identification_number")
    if not vat_id:
        add(
            ProblemCode.BUYER_VAT_ID_MISSING,
            "reverse charge and intra-community supply need the customer's VAT identifier "
            "(BR-AE-02, BR-IC-02)",
        )
    elif not is_vat_id(vat_id):
        add(
            ProblemCode.BUYER_VAT_ID_INVALID,
            f"the customer's VAT identifier {vat_id!r} does not start with a country code "
            "(BR-CO-09)",
        )


def _peppol_id(party: Mapping[str, Any], code: ProblemCode, whose: str, add: Add) -> None:
    peppol_id = party.get("peppol_id")
    if peppol_id and peppol_id.partition(":")[0] not in address_schemes():
        add(
            code,
            f"the {whose}'s Peppol identifier {peppol_id!r} names a scheme that is not in the "
            "EAS code list (BR-CL-25)",
        )
