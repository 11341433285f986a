"""previewOneOffInvoice: what createOneOffInvoice would issue now, with nothing written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.context import Info
from graph.customers import Customer
from graph.enums import PaymentStatus
from graph.errors import UserError
from graph.invoice_mutations import PreviewOneOffInvoiceInput
from graph.invoices import FeeAppliedTax, InvoiceAppliedTax, invoice_amounts, invoice_texts
from graph.mutations import outcome
from graph.scalars import BigInt, CurrencyCode, Metadata, currency_of
from models.catalog.add_ons import add_ons_by_id
from models.invoicing.preview import Preview, preview_one_off_invoice
from models.invoicing.rows import FeeRow, FeeTaxRow

if TYPE_CHECKING:
    from graph.add_ons import AddOn


@strawberry.type(description="A fee as the invoice would carry it (it has no id yet).")
class PreviewFee:
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
    description: str | None = strawberry.field(description="Description shown on the invoice.")
    invoice_display_name: str | None = strawberry.field(
        description="Display name given for this fee, if any."
    )
    invoice_name: str = strawberry.field(description="Name the invoice would print.")
    from_datetime: datetime | None = strawberry.field(
        description="Start of the period of service billed (UTC), if one was given."
    )
    to_datetime: datetime | None = strawberry.field(
        description="End of the period of service billed (UTC), if one was given."
    )
    applied_taxes: list[FeeAppliedTax] = strawberry.field(description="Its share of each tax.")

    @strawberry.field(description="The add-on billed.")
    async def add_on(self, info: Info) -> Annotated[AddOn, strawberry.lazy("graph.add_ons")]:
        from graph.add_ons import AddOn

        row = await info.context.loaders.of(add_ons_by_id, None).load(self.add_on_id)
        assert row is not None
        return AddOn.of(row)

    @classmethod
    def of(cls, fee: FeeRow, taxes: list[FeeTaxRow]) -> PreviewFee:
        return cls(
            add_on_id=fee.add_on_id,
            units=fee.units,
            unit_amount_cents=fee.unit_amount_cents,
            precise_amount_cents=fee.precise_amount_cents,
            amount_cents=BigInt(fee.amount_cents),
            taxes_amount_cents=BigInt(fee.taxes_amount_cents),
            total_amount_cents=BigInt(fee.total_amount_cents),
            description=fee.description,
            invoice_display_name=fee.invoice_display_name,
            invoice_name=fee.invoice_name,
            from_datetime=fee.from_datetime,
            to_datetime=fee.to_datetime,
            applied_taxes=[FeeAppliedTax.of(tax) for tax in taxes],
        )


@strawberry.type(
    description="The invoice createOneOffInvoice would issue now, computed by the same code: "
    "every amount, tax and date it would carry. No id and no number: a number is only known "
    "by taking it, and a preview takes nothing."
)
class OneOffInvoicePreview:
    currency: CurrencyCode = strawberry.field(description="Currency of every amount.")
    issuing_date: date = strawberry.field(
        description="Today in the customer's timezone (else the organization's)."
    )
    payment_due_date: date = strawberry.field(description="issuingDate + net payment term.")
    net_payment_term: int = strawberry.field(description="Days between issue and due date.")
    payment_status: PaymentStatus = strawberry.field(
        description="PENDING when there would be something to pay, else SUCCEEDED."
    )
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
    total_amount_cents: BigInt = strawberry.field(description="Amount that would be due.")
    purchase_order_number: str | None = strawberry.field(
        description="The purchase order number it would carry."
    )
    note: str | None = strawberry.field(description="The note it would print.")
    footer: str | None = strawberry.field(
        description="The organization's invoice footer it would copy."
    )
    metadata: Metadata = strawberry.field(description="The metadata it would carry; {} when none.")
    customer: Customer = strawberry.field(
        description="The customer billed, as it is now (a customer without a currency takes "
        "the invoice's only when the invoice is created)."
    )
    fees: list[PreviewFee] = strawberry.field(description="The lines, in the order given.")
    applied_taxes: list[InvoiceAppliedTax] = strawberry.field(
        description="Each tax over the whole invoice."
    )

    @classmethod
    def of(cls, preview: Preview) -> OneOffInvoicePreview:
        rows, invoice = preview.rows, preview.rows.invoice
        return cls(
            currency=currency_of(invoice.currency),
            issuing_date=invoice.issuing_date,
            payment_due_date=invoice.payment_due_date,
            net_payment_term=invoice.net_payment_term,
            payment_status=PaymentStatus(invoice.payment_status),
            **invoice_amounts(invoice),
            **invoice_texts(invoice),
            customer=Customer.of(preview.customer),
            fees=[PreviewFee.of(fee, rows.fee_taxes.get(fee.id, [])) for fee in rows.fees],
            applied_taxes=[InvoiceAppliedTax.of(tax) for tax in rows.applied_taxes],
        )


@strawberry.type(description="Result of previewOneOffInvoice.")
class PreviewOneOffInvoicePayload:
    preview: OneOffInvoicePreview | None = strawberry.field(
        default=None, description="Null when createOneOffInvoice would refuse the input."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="What createOneOffInvoice would answer: the same codes, paths and order.",
    )

    @classmethod
    def of(cls, preview: Preview) -> PreviewOneOffInvoicePayload:
        return cls(preview=OneOffInvoicePreview.of(preview))


@strawberry.type
class InvoicePreviewQuery:
    @strawberry.field(
        description="The invoice createOneOffInvoice would issue for this input now, or the "
        "userErrors it would answer, computed by the same code and with nothing written (no "
        "number taken, no customer currency set, no event). Reads the catalog and nothing "
        "else: cheap enough for every keystroke of a form."
    )
    async def preview_one_off_invoice(
        self, info: Info, input: PreviewOneOffInvoiceInput
    ) -> PreviewOneOffInvoicePayload:
        context = info.context
        return await outcome(
            PreviewOneOffInvoicePayload,
            preview_one_off_invoice(context.db, context.organization_id, input.to_request()),
        )
