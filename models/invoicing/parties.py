"""Who an invoice is from and to: what it takes from its organization under the
organization's lock (Issuer), and the seller, buyer and locale its document prints, frozen
on the invoice at issue (parties)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.inputs.identity import ADDRESS
from models.store.tables import Customer, Organization

ADDRESS_COLUMNS = (*ADDRESS, "country")


@dataclass(frozen=True)
class Issuer:
    """What an invoice takes from its organization, as read under the organization's lock:
    its numbering and terms, and the identity its document prints."""

    id: str
    document_numbering: str
    document_number_prefix: str
    timezone: str
    net_payment_term: int
    name: str
    legal_name: str | None
    email: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    zipcode: str | None
    state: str | None
    country: str | None
    tax_identification_number: str | None
    legal_registration_number: str | None
    peppol_id: str | None
    document_locale: str
    invoice_footer: str | None

    # The columns to read back from the counter's UPDATE, in this order.
    COLUMNS = (
        "id",
        "document_numbering",
        "document_number_prefix",
        "timezone",
        "net_payment_term",
        "name",
        "legal_name",
        "email",
        *ADDRESS_COLUMNS,
        "tax_identification_number",
        "legal_registration_number",
        "peppol_id",
        "document_locale",
        "invoice_footer",
    )


def dated_in(organization: Issuer | Organization, customer: Customer) -> str:
    """The timezone an invoice's dates are counted in (rule 9, models/invoicing)."""
    return customer.timezone or organization.timezone or "UTC"


def parties(organization: Issuer | Organization, customer: Customer) -> dict[str, Any]:
    """Seller, buyer and document locale as the invoice's document prints them, frozen at
    issue (Invoice.parties): the customer's locale, else its organization's."""

    def address(row: Issuer | Organization | Customer) -> dict[str, str | None]:
        return {name: getattr(row, name) for name in ADDRESS_COLUMNS}

    return {
        "locale": customer.document_locale or organization.document_locale or "en",
        # Fee periods print in it.
        "timezone": dated_in(organization, customer),
        "seller": {
            "name": organization.legal_name or organization.name,
            # Whether that name is the legal one: an e-invoice needs it (models/einvoices).
            "legal_name": organization.legal_name,
            "email": organization.email,
            **address(organization),
            "tax_identification_number": organization.tax_identification_number,
            "legal_registration_number": organization.legal_registration_number,
            "peppol_id": organization.peppol_id,
        },
        "buyer": {
            "name": customer.name or customer.external_id,
            "external_id": customer.external_id,
            "email": customer.email,
            **address(customer),
            "tax_identification_number": customer.tax_identification_number,
            "legal_registration_number": customer.legal_registration_number,
            "peppol_id": customer.peppol_id,
        },
    }
