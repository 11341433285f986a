"""createOneOffInvoice: its input, its payload and the mutation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from graph.context import Info
from graph.errors import UserError
from graph.invoices import Invoice
from graph.mutations import outcome
from graph.scalars import CurrencyCode, Metadata, currency_value
from models.invoicing.create import CreatedInvoice, create_one_off_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput


@strawberry.input(description="One line of a one-off invoice.")
class OneOffFeeInput:
    add_on_id: strawberry.ID | None = strawberry.field(
        default=None, description="The add-on, by id (or give addOnCode)."
    )
    add_on_code: str | None = strawberry.field(default=None, description="The add-on, by code.")
    units: Decimal | None = strawberry.field(
        default=None, description="Units, ≥ 0, up to 12 decimals; 1 when null."
    )
    unit_amount_cents: Decimal | None = strawberry.field(
        default=None,
        description="Price of one unit in minor units, ≥ 0 (0 is valid), up to 12 decimals; "
        "null takes the add-on's price, if it is priced in the invoice's currency.",
    )
    description: str | None = strawberry.field(
        default=None, description="Shown on the invoice; the add-on's description when null."
    )
    invoice_display_name: str | None = strawberry.field(
        default=None, description="Name shown on the invoice for this fee."
    )
    tax_codes: list[str] | None = strawberry.field(
        default=None,
        description="Taxes of this fee ([] for none); when null: the add-on's ?? the "
        "customer's ?? the organization's defaults.",
    )
    from_datetime: datetime | None = strawberry.field(
        default=None,
        description="Start of the period of service billed, ISO 8601 with its UTC offset; "
        "give both ends or neither.",
    )
    to_datetime: datetime | None = strawberry.field(
        default=None,
        description="End of the period of service billed, not before fromDatetime.",
    )


@strawberry.input(
    description="A one-off invoice to preview: what createOneOffInvoice takes, but its "
    "idempotency key."
)
class PreviewOneOffInvoiceInput:
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer, by id (or give externalCustomerId)."
    )
    external_customer_id: str | None = strawberry.field(
        default=None, description="The customer, by your id."
    )
    currency: CurrencyCode | None = strawberry.field(
        default=None,
        description="Invoice currency; defaults to the customer's, else the add-ons' one.",
    )
    fees: list[OneOffFeeInput] = strawberry.field(description="1 to 100 fees.")
    purchase_order_number: str | None = strawberry.field(
        default=None,
        description="The customer's purchase order number, up to 100 characters: printed on "
        "the invoice and found by invoices(searchTerm:).",
    )
    note: str | None = strawberry.field(
        default=None, description="A note printed on the invoice, up to 1,000 characters."
    )
    metadata: Metadata | None = strawberry.field(
        default=None,
        description="Your own key/value strings (an order id, say), returned with the invoice "
        "and in every webhook body about it, and printed on its document.",
    )

    def to_request(self) -> OneOffInvoiceInput:
        return self._request(idempotency_key=None)

    def _request(self, *, idempotency_key: str | None) -> OneOffInvoiceInput:
        return OneOffInvoiceInput(
            customer_id=self.customer_id,
            external_customer_id=self.external_customer_id,
            currency=currency_value(self.currency),
            idempotency_key=idempotency_key,
            purchase_order_number=self.purchase_order_number,
            note=self.note,
            metadata=self.metadata,
            fees=[
                FeeInput(
                    add_on_id=fee.add_on_id,
                    add_on_code=fee.add_on_code,
                    units=fee.units,
                    unit_amount_cents=fee.unit_amount_cents,
                    description=fee.description,
                    invoice_display_name=fee.invoice_display_name,
                    tax_codes=fee.tax_codes,
                    from_datetime=fee.from_datetime,
                    to_datetime=fee.to_datetime,
                )
                for fee in self.fees
            ],
        )


@strawberry.input(description="A one-off invoice to issue now.")
class CreateOneOffInvoiceInput(PreviewOneOffInvoiceInput):
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Up to 255 characters; replaying the same input with it returns the "
        "same invoice instead of a second one.",
    )

    def to_request(self) -> OneOffInvoiceInput:
        return self._request(idempotency_key=self.idempotency_key)


@strawberry.type(description="Result of createOneOffInvoice.")
class CreateOneOffInvoicePayload:
    invoice: Invoice | None = strawberry.field(default=None, description="Null on failure.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, created: CreatedInvoice) -> CreateOneOffInvoicePayload:
        return cls(invoice=Invoice.of(created.invoice))


@strawberry.type
class InvoiceMutation:
    @strawberry.mutation(
        description="Bill add-ons to a customer now: the invoice is created "
        "finalized, numbered, and announced to listeners and webhooks."
    )
    async def create_one_off_invoice(
        self, info: Info, input: CreateOneOffInvoiceInput
    ) -> CreateOneOffInvoicePayload:
        context = info.context
        return await outcome(
            CreateOneOffInvoicePayload,
            create_one_off_invoice(context.db, context.organization_id, input.to_request()),
        )
