"""A seller in France billing a business in Germany, with a tax of every VAT category it may
need: the invoices whose e-invoices the tests read, issued through the real models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.catalog.taxes import TaxFields, create_tax
from models.documents.issued import issued_invoices
from models.einvoices.terms import Issued
from models.invoicing.create import create_one_off_invoice
from models.invoicing.reads import invoices_by_id
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.organizations.organizations import update_organization
from tests.conftest import Api
from tests.documents.test_content import SELLER as DOCUMENT_SELLER

# The documents' seller, with what e-invoices add: a SIREN, and the SIRET-based Peppol
# identifier (scheme 0009) a French seller may use.
SELLER: dict[str, Any] = {
    **DOCUMENT_SELLER,
    "legal_registration_number": "552081317",
    "peppol_id": "0009:55208131700036",
}
BUYER: dict[str, Any] = {
    "external_id": "c1",
    "name": "Librairie du Parc GmbH",
    "email": "invoices@parc.example",
    "address_line1": "Hauptstraße 5",
    "zipcode": "10115",
    "city": "Berlin",
    "country": "DE",
    "tax_identification_number": "DE987654321",
}
# code → (category, rate, reason, reason code)
TAXES: dict[str, tuple[str, str, str | None, str | None]] = {
    "vat20": ("S", "20", None, None),
    "vat10": ("S", "10", None, None),
    "vat55": ("S", "5.5", None, None),
    "vat7": ("S", "7.6543", None, None),
    "zero": ("Z", "0", None, None),
    "exempt": ("E", "0", "Exempt under article 261 C of the CGI", None),
    "reverse": ("AE", "0", "Reverse charge", "VATEX-EU-AE"),
    "intra": ("K", "0", None, "VATEX-EU-IC"),
    "export": ("G", "0", "Export outside the EU", "VATEX-EU-G"),
    "outside": ("O", "0", "Not subject to VAT", "VATEX-EU-O"),
}
PERIOD = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


class Biller:
    """One organization with its legal identity, every tax of TAXES, one add-on per currency
    and one customer."""

    def __init__(self, api: Api) -> None:
        assert api.organization is not None
        self.api, self.org = api, api.organization.id
        self.customer_id = ""

    async def setup(
        self, *, seller: dict[str, Any] | None = None, buyer: dict[str, Any] | None = None
    ) -> Biller:
        db, org = self.api.db, self.org
        await update_organization(db, org, seller if seller is not None else SELLER)  # type: ignore[arg-type]
        for code, (category, rate, reason, reason_code) in TAXES.items():
            fields: TaxFields = {"code": code, "name": f"Tax {code}", "rate": rate}
            fields |= {"category": category, "exemption_reason": reason}
            fields["exemption_reason_code"] = reason_code
            await create_tax(db, org, fields)
        for currency in ("EUR", "JPY", "KWD"):
            await create_add_on(
                db,
                org,
                {
                    "code": f"svc-{currency}",
                    "name": "Consulting",
                    "description": "Consulting services",
                    "amount_cents": 10000,
                    "amount_currency": currency,
                    "tax_codes": ["vat20"],
                },
            )
        customer = await create_customer(db, org, buyer if buyer is not None else BUYER)  # type: ignore[arg-type]
        self.customer_id = customer.id
        return self

    async def issue(
        self,
        currency: str,
        fees: list[tuple[str, str, list[str]]],
        *,
        period: bool = False,
        **fields: Any,
    ) -> str:
        """An invoice of `fees`, each (units, unit price in minor units, tax codes)."""
        created = await create_one_off_invoice(
            self.api.db,
            self.org,
            OneOffInvoiceInput(
                customer_id=self.customer_id,
                currency=currency,
                fees=[
                    FeeInput(
                        add_on_code=f"svc-{currency}",
                        units=Decimal(units),
                        unit_amount_cents=Decimal(price),
                        tax_codes=codes,
                        from_datetime=PERIOD[0] if period else None,
                        to_datetime=PERIOD[1] if period else None,
                    )
                    for units, price, codes in fees
                ],
                **fields,
            ),
        )
        return created.invoice.id

    async def issued(self, invoice_id: str) -> Issued:
        async with self.api.db.read() as session:
            invoice = (await invoices_by_id(session, [invoice_id]))[invoice_id]
            return (await issued_invoices(session, [invoice]))[invoice_id]
