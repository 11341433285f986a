"""After issue: updateInvoicePaymentStatus and voidInvoice (rule 13, models/invoicing)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.enums import PaymentStatus
from graph.errors import UserError
from graph.invoices import Invoice
from graph.mutations import outcome
from models.invoicing.lifecycle import InvoiceChange, update_payment_status, void_invoice


@strawberry.input(description="A new payment status for an invoice.")
class UpdateInvoicePaymentStatusInput:
    id: strawberry.ID = strawberry.field(description="The invoice.")
    payment_status: PaymentStatus = strawberry.field(
        description="PENDING, SUCCEEDED or FAILED; the status it already has changes nothing."
    )


@strawberry.type(description="Result of updateInvoicePaymentStatus and voidInvoice.")
class InvoicePayload:
    invoice: Invoice | None = strawberry.field(
        default=None, description="The invoice after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was changed."
    )

    @classmethod
    def of(cls, change: InvoiceChange) -> InvoicePayload:
        return cls(invoice=Invoice.of(change.invoice))


@strawberry.type
class InvoiceLifecycleMutation:
    @strawberry.mutation(
        description="Record that an invoice was paid, failed to be paid, or awaits payment "
        "again. Sets paymentStatusUpdatedAt and emits invoice.payment_status_updated; the "
        "status it already has changes nothing and emits nothing. A voided invoice refuses "
        "(INVOICE_VOIDED). Concurrent updates of one invoice apply one after the other: the "
        "last event tells the final status."
    )
    async def update_invoice_payment_status(
        self, info: Info, input: UpdateInvoicePaymentStatusInput
    ) -> InvoicePayload:
        context = info.context
        return await outcome(
            InvoicePayload,
            update_payment_status(
                context.db, context.organization_id, str(input.id), input.payment_status
            ),
        )

    @strawberry.mutation(
        description="Cancel an invoice issued by mistake: only a PENDING or FAILED one "
        "(INVOICE_NOT_VOIDABLE otherwise, and for one already voided). Its status becomes "
        "VOIDED and voidedAt is set; its number and amounts stay, so the numbering keeps no "
        "gap; invoice.voided is emitted."
    )
    async def void_invoice(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The invoice to void.")],
    ) -> InvoicePayload:
        context = info.context
        return await outcome(
            InvoicePayload, void_invoice(context.db, context.organization_id, str(id))
        )
