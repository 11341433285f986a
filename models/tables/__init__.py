"""The database tables; importing this package registers them all on one metadata."""

from models.tables.base import metadata  # first: the naming convention precedes every table
from models.tables.catalog import AddOn, AddOnTax, CustomerTax, Tax
from models.tables.customers import Customer
from models.tables.events import Event
from models.tables.invoices import Fee, FeeAppliedTax, Invoice, InvoiceAppliedTax
from models.tables.organizations import ApiKey, Organization
from models.tables.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AddOn",
    "AddOnTax",
    "ApiKey",
    "Customer",
    "CustomerTax",
    "Event",
    "Fee",
    "FeeAppliedTax",
    "Invoice",
    "InvoiceAppliedTax",
    "Organization",
    "Tax",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
]
