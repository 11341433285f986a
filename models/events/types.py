"""The event types: every kind of event the outbox records, in one list.

A new kind of event is one entry here and one `record_event` call in its use-case: the
outbox, its readers, the webhooks and their deliveries work from the entry alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventType:
    """`name` is the `webhook_type` consumers switch on; the body of what the event is about
    is published under the key `object_type`."""

    name: str
    object_type: str
    description: str

    def payload(self, organization_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The envelope every webhook body and outbox row holds. Key order is part of the
        published format (tests/webhooks/test_delivery.py pins it byte for byte)."""
        return {
            "webhook_type": self.name,
            "object_type": self.object_type,
            "organization_id": organization_id,
            self.object_type: body,
        }


INVOICE_ONE_OFF_CREATED = EventType(
    "invoice.one_off_created",
    "invoice",
    "An invoice was issued by createOneOffInvoice; the body is the whole invoice.",
)

INVOICE_PAYMENT_STATUS_UPDATED = EventType(
    "invoice.payment_status_updated",
    "invoice",
    "An invoice's payment status changed (updateInvoicePaymentStatus); the body is the whole "
    "invoice, as it is after the change.",
)
INVOICE_VOIDED = EventType(
    "invoice.voided",
    "invoice",
    "An invoice was voided (voidInvoice); the body is the whole invoice, as voided.",
)

EVENT_TYPES: Mapping[str, EventType] = {
    event_type.name: event_type
    for event_type in (INVOICE_ONE_OFF_CREATED, INVOICE_PAYMENT_STATUS_UPDATED, INVOICE_VOIDED)
}
