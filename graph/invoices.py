"""Invoices: createOneOffInvoice, the Invoice/Fee/AppliedTax types and their queries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.errors import UserError, user_errors
from graph.scalars import BigInt, CurrencyCode, currency_of, currency_value
from models.catalog.add_ons import add_ons_by_id
from models.inputs.errors import Rejected
from models.invoicing import reads as invoices
from models.invoicing.create import FeeInput, OneOffInvoiceInput, create_one_off_invoice
from models.store import tables

if TYPE_CHECKING:
    from graph.add_ons import AddOn
    from graph.customers import Customer


@strawberry.enum(description="Kind of invoice.")
class InvoiceType(Enum):
    ONE_OFF = strawberry.enum_value("ONE_OFF", description="Add-ons billed at once.")


@strawberry.enum(description="Lifecycle status; one-off invoices are finalized when created.")
class InvoiceStatus(Enum):
    FINALIZED = strawberry.enum_value("FINALIZED", description="Issued; it no longer changes.")


@strawberry.enum(description="Whether the invoice has been paid.")
class PaymentStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Awaiting payment.")
    SUCCEEDED = strawberry.enum_value("SUCCEEDED", description="Paid (or nothing to pay).")
    FAILED = strawberry.enum_value("FAILED", description="Payment failed.")


@strawberry.interface(description="A tax applied: to one fee, or over the whole invoice.")
class AppliedTax:
    tax_code: str = strawberry.field(description="Code of the tax, as when issued.")
    tax_name: str = strawberry.field(description="Name of the tax, as when issued.")
    tax_rate: Decimal = strawberry.field(description="Rate in percent, as when issued.")
    amount_cents: BigInt = strawberry.field(description="Amount of tax, in minor units.")


@strawberry.type(description="One tax's share of one fee.")
class FeeAppliedTax(AppliedTax):
    @classmethod
    def of(cls, row: tables.FeeAppliedTax) -> FeeAppliedTax:
        return cls(
            tax_code=row.tax_code,
            tax_name=row.tax_name,
            tax_rate=row.tax_rate,
            amount_cents=BigInt(row.amount_cents),
        )


@strawberry.type(
    description="One tax over the whole invoice: round-half-up(base × rate / 100), which "
    "equals the sum of its shares on the fees."
)
class InvoiceAppliedTax(AppliedTax):
    taxable_base_amount_cents: BigInt = strawberry.field(
        description="Sum of the amounts of the fees this tax applies to."
    )

    @classmethod
    def of(cls, row: tables.InvoiceAppliedTax) -> InvoiceAppliedTax:
        return cls(
            tax_code=row.tax_code,
            tax_name=row.tax_name,
            tax_rate=row.tax_rate,
            taxable_base_amount_cents=BigInt(row.taxable_base_amount_cents),
            amount_cents=BigInt(row.amount_cents),
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

    @strawberry.field(description="The add-on billed (even if it was deleted since).")
    async def add_on(self, info: Info) -> Annotated[AddOn, strawberry.lazy("graph.add_ons")]:
        from graph.add_ons import AddOn

        row = await info.context.loaders.of(add_ons_by_id, None).load(self.add_on_id)
        assert row is not None
        return AddOn.of(row)

    @strawberry.field(description="This fee's share of each tax.")
    async def applied_taxes(self, info: Info) -> list[FeeAppliedTax]:
        rows = await info.context.loaders.of(
            invoices.taxes_of_fees, list[tables.FeeAppliedTax]()
        ).load(str(self.id))
        return [FeeAppliedTax.of(row) for row in rows]

    @classmethod
    def of(cls, row: tables.Fee) -> Fee:
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
        )


@strawberry.type(description="An invoice, finalized and numbered when created.")
class Invoice:
    id: strawberry.ID = strawberry.field(description="Invoice id.")
    customer_id: strawberry.Private[str]
    number: str = strawberry.field(description="Gapless, unique document number.")
    sequential_id: int = strawberry.field(description="Position among the customer's invoices.")
    invoice_type: InvoiceType = strawberry.field(description="Always ONE_OFF here.")
    status: InvoiceStatus = strawberry.field(description="FINALIZED at creation.")
    payment_status: PaymentStatus = strawberry.field(
        description="PENDING when there is something to pay, else SUCCEEDED."
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

    @strawberry.field(description="The customer billed.")
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("graph.customers")]:
        from graph.customers import Customer

        row = await info.context.loaders.of(invoices.customers_by_id, None).load(self.customer_id)
        assert row is not None
        return Customer.of(row)

    @strawberry.field(description="The invoice's lines, in the order given.")
    async def fees(self, info: Info) -> list[Fee]:
        rows = await info.context.loaders.of(invoices.fees_of_invoices, list[tables.Fee]()).load(
            str(self.id)
        )
        return [Fee.of(row) for row in rows]

    @strawberry.field(description="Each tax over the whole invoice.")
    async def applied_taxes(self, info: Info) -> list[InvoiceAppliedTax]:
        rows = await info.context.loaders.of(
            invoices.applied_taxes_of_invoices, list[tables.InvoiceAppliedTax]()
        ).load(str(self.id))
        return [InvoiceAppliedTax.of(row) for row in rows]

    @classmethod
    def of(cls, row: tables.Invoice) -> Invoice:
        return cls(
            id=strawberry.ID(row.id),
            customer_id=row.customer_id,
            number=row.number,
            sequential_id=row.sequential_id,
            invoice_type=InvoiceType(row.invoice_type),
            status=InvoiceStatus(row.status),
            payment_status=PaymentStatus(row.payment_status),
            currency=currency_of(row.currency),
            issuing_date=row.issuing_date,
            payment_due_date=row.payment_due_date,
            net_payment_term=row.net_payment_term,
            fees_amount_cents=BigInt(row.fees_amount_cents),
            coupons_amount_cents=BigInt(row.coupons_amount_cents),
            prepaid_credit_amount_cents=BigInt(row.prepaid_credit_amount_cents),
            sub_total_excluding_taxes_amount_cents=BigInt(
                row.sub_total_excluding_taxes_amount_cents
            ),
            taxes_amount_cents=BigInt(row.taxes_amount_cents),
            sub_total_including_taxes_amount_cents=BigInt(
                row.sub_total_including_taxes_amount_cents
            ),
            total_amount_cents=BigInt(row.total_amount_cents),
            created_at=row.created_at,
        )


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


@strawberry.input(description="A one-off invoice to issue now.")
class CreateOneOffInvoiceInput:
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
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Up to 255 characters; replaying the same input with it returns the "
        "same invoice instead of a second one.",
    )

    def to_model(self) -> OneOffInvoiceInput:
        return OneOffInvoiceInput(
            customer_id=self.customer_id,
            external_customer_id=self.external_customer_id,
            currency=currency_value(self.currency),
            idempotency_key=self.idempotency_key,
            fees=[
                FeeInput(
                    add_on_id=fee.add_on_id,
                    add_on_code=fee.add_on_code,
                    units=fee.units,
                    unit_amount_cents=fee.unit_amount_cents,
                    description=fee.description,
                    invoice_display_name=fee.invoice_display_name,
                    tax_codes=fee.tax_codes,
                )
                for fee in self.fees
            ],
        )


@strawberry.type(description="Result of createOneOffInvoice.")
class CreateOneOffInvoicePayload:
    invoice: Invoice | None = strawberry.field(description="Null on failure.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type
class InvoiceQuery:
    @strawberry.field(description="One invoice.")
    async def invoice(self, info: Info, id: strawberry.ID) -> Invoice | None:
        organization_id = info.context.organization_id
        async with info.context.db.read() as session:
            row = await invoices.find_invoice(session, organization_id, str(id))
        return Invoice.of(row) if row else None

    @strawberry.field(description="Invoices, newest first, optionally of one customer.")
    async def invoices(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        customer_id: strawberry.ID | None = None,
    ) -> Connection[Invoice]:
        return await invoice_page(info, first, after, customer_id)


async def invoice_page(
    info: Info, first: int | None, after: str | None, customer_id: str | None
) -> Connection[Invoice]:
    return await paged(
        info, invoices.list_invoices, Invoice.of, first=first, after=after, customer_id=customer_id
    )


@strawberry.type
class InvoiceMutation:
    @strawberry.mutation(
        description="Bill add-ons to a customer now: the invoice is created "
        "finalized, numbered, and announced to listeners and webhooks."
    )
    async def create_one_off_invoice(
        self, info: Info, input: CreateOneOffInvoiceInput
    ) -> CreateOneOffInvoicePayload:
        try:
            created = await create_one_off_invoice(
                info.context.db, info.context.organization_id, input.to_model()
            )
        except Rejected as rejected:
            return CreateOneOffInvoicePayload(
                invoice=None, user_errors=user_errors(rejected.errors)
            )
        return CreateOneOffInvoicePayload(invoice=Invoice.of(created.invoice), user_errors=[])
