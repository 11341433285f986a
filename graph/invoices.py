"""Invoices: the Invoice, Fee and AppliedTax types and the queries that read them."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

import strawberry

from graph.context import Info
from graph.customers import Customer
from graph.enums import InvoiceStatus, InvoiceType, PaymentStatus, VatCategory
from graph.scalars import BigInt, CurrencyCode, Metadata, currency_of
from models.catalog.add_ons import add_ons_by_id
from models.invoicing import reads
from models.invoicing.filters import is_overdue
from models.invoicing.rows import FeeTaxRow, InvoiceRow, InvoiceTaxRow
from models.store import tables
from models.store.columns import utcnow

if TYPE_CHECKING:
    from graph.add_ons import AddOn
    from graph.einvoices import EInvoice


EInvoiceType = Annotated["EInvoice", strawberry.lazy("graph.einvoices")]
AppliedTaxRow = tables.FeeAppliedTax | FeeTaxRow | tables.InvoiceAppliedTax | InvoiceTaxRow


@strawberry.interface(description="A tax applied: to one fee, or over the whole invoice.")
class AppliedTax:
    tax_code: str = strawberry.field(description="Code of the tax, as when issued.")
    tax_name: str = strawberry.field(description="Name of the tax, as when issued.")
    tax_rate: Decimal = strawberry.field(description="Rate in percent, as when issued.")
    tax_category: VatCategory = strawberry.field(
        description="VAT category of the tax, as when issued."
    )
    tax_exemption_reason: str | None = strawberry.field(
        description="Its exemption reason, as when issued."
    )
    tax_exemption_reason_code: str | None = strawberry.field(
        description="Its exemption reason code (VATEX), as when issued."
    )
    amount_cents: BigInt = strawberry.field(description="Amount of tax, in minor units.")

    @staticmethod
    def frozen(row: AppliedTaxRow) -> dict[str, Any]:
        return {
            "tax_code": row.tax_code,
            "tax_name": row.tax_name,
            "tax_rate": row.tax_rate,
            "tax_category": VatCategory(row.tax_category),
            "tax_exemption_reason": row.tax_exemption_reason,
            "tax_exemption_reason_code": row.tax_exemption_reason_code,
            "amount_cents": BigInt(row.amount_cents),
        }


@strawberry.type(description="One tax's share of one fee.")
class FeeAppliedTax(AppliedTax):
    @classmethod
    def of(cls, row: tables.FeeAppliedTax | FeeTaxRow) -> FeeAppliedTax:
        return cls(**cls.frozen(row))


@strawberry.type(
    description="One tax over the whole invoice: round-half-up(base × rate / 100), which "
    "equals the sum of its shares on the fees."
)
class InvoiceAppliedTax(AppliedTax):
    taxable_base_amount_cents: BigInt = strawberry.field(
        description="Sum of the amounts of the fees this tax applies to."
    )

    @classmethod
    def of(cls, row: tables.InvoiceAppliedTax | InvoiceTaxRow) -> InvoiceAppliedTax:
        return cls(
            **cls.frozen(row), taxable_base_amount_cents=BigInt(row.taxable_base_amount_cents)
        )


@strawberry.type(description="A line of an invoice: an add-on billed some units at a price.")
class Fee:
    id: strawberry.ID = strawberry.field(description="Fee id.")
    add_on_id: strawberry.Private[str]
    units: Decimal = strawberry.field(description="Units billed (up to 12 decimals).")
    unit_amount_cents: Decimal = strawberry.field(
        description="Price of one unit in minor units; may carry sub-cent decimals."
    )
    precise_amount_cents: Decimal = strawberry.field(
        description="units × unitAmountCents, unrounded."
    )
    amount_cents: BigInt = strawberry.field(description="Precise amount rounded half-up.")
    taxes_amount_cents: BigInt = strawberry.field(description="Sum of this fee's tax shares.")
    total_amount_cents: BigInt = strawberry.field(description="amountCents + taxesAmountCents.")
    currency: CurrencyCode = strawberry.field(description="The invoice's currency.")
    description: str | None = strawberry.field(description="Description shown on the invoice.")
    invoice_display_name: str | None = strawberry.field(
        description="Display name given for this fee, if any."
    )
    invoice_name: str = strawberry.field(
        description="Name printed on the invoice: invoiceDisplayName ?? the add-on's display "
        "name ?? the add-on's name, frozen at issue."
    )
    from_datetime: datetime | None = strawberry.field(
        description="Start of the period of service billed (UTC), if one was given."
    )
    to_datetime: datetime | None = strawberry.field(
        description="End of the period of service billed (UTC), if one was given."
    )

    @strawberry.field(description="The add-on billed (even if it was deleted since).")
    async def add_on(self, info: Info) -> Annotated[AddOn, strawberry.lazy("graph.add_ons")]:
        from graph.add_ons import AddOn

        row = await info.context.loaders.of(add_ons_by_id, None).load(self.add_on_id)
        assert row is not None
        return AddOn.of(row)

    # Loaded with the page it is on, when the query asked for them; else read on demand.
    taxes: strawberry.Private[list[tables.FeeAppliedTax] | None] = None

    @strawberry.field(description="This fee's share of each tax.", graphql_type=list[FeeAppliedTax])
    def applied_taxes(self, info: Info) -> list[FeeAppliedTax] | Awaitable[list[FeeAppliedTax]]:
        # Answered without an await when loaded: an awaited field costs the executor a task
        # per item, which on a page of 50 invoices is most of the page's time.
        if self.taxes is not None:
            return [FeeAppliedTax.of(row) for row in self.taxes]
        return self._load_taxes(info)

    async def _load_taxes(self, info: Info) -> list[FeeAppliedTax]:
        rows = await info.context.loaders.of(
            reads.taxes_of_fees, list[tables.FeeAppliedTax]()
        ).load(str(self.id))
        return [FeeAppliedTax.of(row) for row in rows]

    @classmethod
    def of(cls, row: tables.Fee, taxes: list[tables.FeeAppliedTax] | None = None) -> Fee:
        return cls(
            id=strawberry.ID(row.id),
            add_on_id=row.add_on_id,
            units=row.units,
            unit_amount_cents=row.unit_amount_cents,
            precise_amount_cents=row.precise_amount_cents,
            amount_cents=BigInt(row.amount_cents),
            taxes_amount_cents=BigInt(row.taxes_amount_cents),
            total_amount_cents=BigInt(row.total_amount_cents),
            currency=currency_of(row.currency),
            description=row.description,
            invoice_display_name=row.invoice_display_name,
            invoice_name=row.invoice_name,
            from_datetime=row.from_datetime,
            to_datetime=row.to_datetime,
            taxes=taxes,
        )


INVOICE_AMOUNTS = (
    "fees_amount_cents",
    "coupons_amount_cents",
    "prepaid_credit_amount_cents",
    "sub_total_excluding_taxes_amount_cents",
    "taxes_amount_cents",
    "sub_total_including_taxes_amount_cents",
    "total_amount_cents",
)


def invoice_amounts(row: tables.Invoice | InvoiceRow) -> dict[str, BigInt]:
    """An invoice's totals as the API gives them, for the Invoice and its preview alike."""
    return {name: BigInt(getattr(row, name)) for name in INVOICE_AMOUNTS}


class InvoiceTexts(TypedDict):
    purchase_order_number: str | None
    note: str | None
    footer: str | None
    metadata: Metadata


def invoice_texts(row: tables.Invoice | InvoiceRow) -> InvoiceTexts:
    """What an invoice carries beyond its lines, for the Invoice and its preview alike."""
    return {
        "purchase_order_number": row.purchase_order_number,
        "note": row.note,
        "footer": row.footer,
        "metadata": Metadata(row.invoice_metadata or {}),
    }


@strawberry.type(description="An invoice, finalized and numbered when created.")
class Invoice:
    id: strawberry.ID = strawberry.field(description="Invoice id.")
    customer_id: strawberry.Private[str]
    number: str = strawberry.field(description="Gapless, unique document number.")
    sequential_id: int = strawberry.field(description="Position among the customer's invoices.")
    invoice_type: InvoiceType = strawberry.field(description="Always ONE_OFF here.")
    status: InvoiceStatus = strawberry.field(
        description="FINALIZED at creation; VOIDED once voidInvoice cancelled it."
    )
    payment_status: PaymentStatus = strawberry.field(
        description="At creation PENDING when there is something to pay, else SUCCEEDED; "
        "then as updateInvoicePaymentStatus set it."
    )
    payment_status_updated_at: datetime | None = strawberry.field(
        description="When updateInvoicePaymentStatus last changed paymentStatus; null since issue."
    )
    voided_at: datetime | None = strawberry.field(description="When it was voided; else null.")
    payment_overdue: bool = strawberry.field(
        description="Still to be paid (PENDING, not voided) past its paymentDueDate, in the "
        "timezone its dates are counted in (the customer's, else the organization's): due "
        "yesterday there is overdue, due today is not yet."
    )
    currency: CurrencyCode = strawberry.field(description="Currency of every amount.")
    issuing_date: date = strawberry.field(
        description="Creation date in the customer's timezone (else the organization's)."
    )
    payment_due_date: date = strawberry.field(description="issuingDate + net payment term.")
    net_payment_term: int = strawberry.field(description="Days between issue and due date.")
    fees_amount_cents: BigInt = strawberry.field(description="Sum of the fee amounts.")
    coupons_amount_cents: BigInt = strawberry.field(
        description="Always 0: coupons do not apply to one-off invoices."
    )
    prepaid_credit_amount_cents: BigInt = strawberry.field(
        description="Always 0: prepaid credits do not apply to one-off invoices."
    )
    sub_total_excluding_taxes_amount_cents: BigInt = strawberry.field(
        description="Fees amount (no discounts apply)."
    )
    taxes_amount_cents: BigInt = strawberry.field(description="Sum of the applied taxes.")
    sub_total_including_taxes_amount_cents: BigInt = strawberry.field(
        description="Subtotal plus taxes."
    )
    total_amount_cents: BigInt = strawberry.field(description="Amount due.")
    created_at: datetime = strawberry.field(description="Creation instant (UTC).")
    purchase_order_number: str | None = strawberry.field(
        description="The customer's purchase order number, as given at issue."
    )
    note: str | None = strawberry.field(description="The note printed on the invoice.")
    footer: str | None = strawberry.field(
        description="The organization's invoice footer as it was at issue (legal mentions)."
    )
    metadata: Metadata = strawberry.field(
        description="Your key/value strings given at issue; {} when none."
    )

    # What the page (or event) this invoice came with has loaded of it; else read on demand.
    # Each field answers without an await when its part is here (see Fee.applied_taxes).
    parts: strawberry.Private[reads.InvoiceParts | None] = None
    # The page's one Customer object for each of its customers, shared by their invoices.
    shown_customer: strawberry.Private[Customer | None] = None

    @strawberry.field(
        description="The invoice's PDF document: a signed link that works without an API key "
        "(in a browser, in an e-mail) until it expires (ONEOFF_DOCUMENT_LINK_SECONDS, 7 days by "
        "default); ask again for a fresh one. The document shows the invoice as issued, and "
        "says VOID once it is voided."
    )
    async def file_url(self, info: Info) -> str:
        from graph.documents import document_link

        return await document_link(info, str(self.id))

    @strawberry.field(
        description="The invoice as an EN 16931 e-invoice (Factur-X in the PDF, UBL at its own "
        "link), or why it is none.",
        graphql_type=EInvoiceType,
    )
    async def e_invoice(self, info: Info) -> EInvoiceType:
        from graph.einvoices import EInvoice

        return await EInvoice.load(info, str(self.id))

    @strawberry.field(description="The customer billed.", graphql_type=Customer)
    def customer(self, info: Info) -> Customer | Awaitable[Customer]:
        if self.shown_customer is not None:
            return self.shown_customer
        if self.parts is not None and self.parts.customers is not None:
            return Customer.of(self.parts.customers[self.customer_id])
        return self._load_customer(info)

    async def _load_customer(self, info: Info) -> Customer:
        row = await info.context.loaders.of(reads.customers_by_id, None).load(self.customer_id)
        assert row is not None
        return Customer.of(row)

    @strawberry.field(
        description="The invoice's lines, in the order given.", graphql_type=list[Fee]
    )
    def fees(self, info: Info) -> list[Fee] | Awaitable[list[Fee]]:
        if self.parts is not None and self.parts.fees is not None:
            taxes = self.parts.fee_taxes
            return [
                Fee.of(row, None if taxes is None else taxes[row.id])
                for row in self.parts.fees[str(self.id)]
            ]
        return self._load_fees(info)

    async def _load_fees(self, info: Info) -> list[Fee]:
        rows = await info.context.loaders.of(reads.fees_of_invoices, list[tables.Fee]()).load(
            str(self.id)
        )
        return [Fee.of(row) for row in rows]

    @strawberry.field(
        description="Each tax over the whole invoice.", graphql_type=list[InvoiceAppliedTax]
    )
    def applied_taxes(
        self, info: Info
    ) -> list[InvoiceAppliedTax] | Awaitable[list[InvoiceAppliedTax]]:
        if self.parts is not None and self.parts.applied_taxes is not None:
            return [InvoiceAppliedTax.of(row) for row in self.parts.applied_taxes[str(self.id)]]
        return self._load_applied_taxes(info)

    async def _load_applied_taxes(self, info: Info) -> list[InvoiceAppliedTax]:
        rows = await info.context.loaders.of(
            reads.applied_taxes_of_invoices, list[tables.InvoiceAppliedTax]()
        ).load(str(self.id))
        return [InvoiceAppliedTax.of(row) for row in rows]

    @classmethod
    def of(
        cls,
        row: tables.Invoice | InvoiceRow,
        parts: reads.InvoiceParts | None = None,
        customer: Customer | None = None,
    ) -> Invoice:
        return cls(
            id=strawberry.ID(row.id),
            customer_id=row.customer_id,
            number=row.number,
            sequential_id=row.sequential_id,
            invoice_type=InvoiceType(row.invoice_type),
            status=InvoiceStatus(row.status),
            payment_status=PaymentStatus(row.payment_status),
            payment_status_updated_at=row.payment_status_updated_at,
            voided_at=row.voided_at,
            payment_overdue=is_overdue(row, utcnow()),
            currency=currency_of(row.currency),
            issuing_date=row.issuing_date,
            payment_due_date=row.payment_due_date,
            net_payment_term=row.net_payment_term,
            **invoice_amounts(row),
            created_at=row.created_at,
            **invoice_texts(row),
            parts=parts,
            shown_customer=customer,
        )
