"""The database tables; importing this package registers them all on one metadata."""

from models.store.tables.base import metadata  # first: the naming convention precedes every table
from models.store.tables.catalog import AddOn, AddOnTax, CustomerTax, Tax
from models.store.tables.customers import Customer
from models.store.tables.events import Event
from models.store.tables.invoices import (
    Fee,
    FeeAppliedTax,
    Invoice,
    InvoiceAppliedTax,
    InvoiceDocument,
)
from models.store.tables.organizations import ApiKey, InstanceSecret, Organization
from models.store.tables.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AddOn",
    "AddOnTax",
    "ApiKey",
    "Customer",
    "CustomerTax",
    "Event",
    "Fee",
    "FeeAppliedTax",
    "InstanceSecret",
    "Invoice",
    "InvoiceAppliedTax",
    "InvoiceDocument",
    "Organization",
    "Tax",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
]
