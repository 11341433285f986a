"""Invoices written straight into the project's tables (models/store/tables), in bulk.

The API would take minutes for 100,000 invoices; this takes seconds: executemany inserts of
realistic rows (2 fees each, each fee taxed, one invoice tax), spread over the organization's
customers, newest last, with the organization's and customers' counters left consistent.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, create_engine, select, update
from sqlalchemy.engine import make_url

from models.billing.statuses import InvoiceStatus, InvoiceType, PaymentStatus
from models.store import tables

CHUNK = 5_000


def seed_invoices(database_url: str, customer_ids: list[str], count: int) -> None:
    """`count` invoices for the organization of `customer_ids`, on a SQLite database."""
    engine = create_engine(make_url(database_url).set(drivername="sqlite"))
    try:
        _seed(engine, customer_ids, count)
    finally:
        engine.dispose()


def _seed(engine: Engine, customer_ids: list[str], count: int) -> None:
    t = tables.metadata.tables
    with engine.begin() as connection:
        organization_id = connection.scalar(
            select(t["customers"].c.organization_id).where(t["customers"].c.id == customer_ids[0])
        )
        add_on_id = connection.scalar(
            select(t["add_ons"].c.id).where(t["add_ons"].c.organization_id == organization_id)
        )
        tax_id = connection.scalar(
            select(t["taxes"].c.id).where(t["taxes"].c.organization_id == organization_id)
        )
    if not (organization_id and add_on_id and tax_id):
        raise RuntimeError("the tenant has no catalog to seed invoices from")
    ids = {"organization": organization_id, "add_on": add_on_id, "tax": tax_id}
    start = datetime.now(UTC) - timedelta(seconds=count + 60)
    per_customer = dict.fromkeys(customer_ids, 0)
    for first in range(0, count, CHUNK):
        batch: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("invoices", "fees", "fee_applied_taxes", "invoice_applied_taxes")
        }
        for n in range(first + 1, min(count, first + CHUNK) + 1):
            customer = customer_ids[n % len(customer_ids)]
            per_customer[customer] += 1
            _invoice(batch, ids, customer, n, per_customer[customer], start + timedelta(seconds=n))
        with engine.begin() as connection:
            for name, rows in batch.items():
                connection.execute(t[name].insert(), rows)
    with engine.begin() as connection:
        organizations, customers = t["organizations"], t["customers"]
        connection.execute(
            update(organizations)
            .where(organizations.c.id == organization_id)
            .values(invoice_seq=organizations.c.invoice_seq + count)
        )
        for customer, seq in per_customer.items():
            connection.execute(
                update(customers)
                .where(customers.c.id == customer)
                .values(invoice_seq=customers.c.invoice_seq + seq)
            )


def _invoice(
    batch: dict[str, list[dict[str, Any]]],
    ids: dict[str, str],
    customer: str,
    n: int,
    sequential_id: int,
    created: datetime,
) -> None:
    invoice_id = str(uuid.uuid4())
    batch["invoices"].append(
        {
            "id": invoice_id,
            "organization_id": ids["organization"],
            "customer_id": customer,
            "number": f"SEED-{n:07d}",
            "sequential_id": sequential_id,
            "organization_sequential_id": n,
            "invoice_type": InvoiceType.ONE_OFF,
            "status": InvoiceStatus.FINALIZED,
            "payment_status": PaymentStatus.PENDING,
            "currency": "EUR",
            "issuing_date": created.date(),
            "payment_due_date": created.date(),
            "net_payment_term": 0,
            "fees_amount_cents": 3001,
            "coupons_amount_cents": 0,
            "prepaid_credit_amount_cents": 0,
            "sub_total_excluding_taxes_amount_cents": 3001,
            "taxes_amount_cents": 600,
            "sub_total_including_taxes_amount_cents": 3601,
            "total_amount_cents": 3601,
            "idempotency_key": None,
            "request_fingerprint": None,
            "created_at": created,
        }
    )
    for position, (units, unit, amount, tax) in enumerate(((3, 1000, 3000, 600), (1, 0.5, 1, 0))):
        fee_id = str(uuid.uuid4())
        batch["fees"].append(
            {
                "id": fee_id,
                "organization_id": ids["organization"],
                "invoice_id": invoice_id,
                "add_on_id": ids["add_on"],
                "position": position,
                "units": Decimal(units),
                "unit_amount_cents": Decimal(str(unit)),
                "precise_amount_cents": Decimal(str(units * unit)),
                "amount_cents": amount,
                "taxes_amount_cents": tax,
                "total_amount_cents": amount + tax,
                "currency": "EUR",
                "description": None,
                "invoice_display_name": None,
                "invoice_name": "A",
                "created_at": created,
            }
        )
        batch["fee_applied_taxes"].append(
            {**_tax(ids, position=0, amount=tax), "fee_id": fee_id, "invoice_id": invoice_id}
        )
    batch["invoice_applied_taxes"].append(
        {**_tax(ids, position=0, amount=600), "invoice_id": invoice_id}
        | {"taxable_base_amount_cents": 3001}
    )


def _tax(ids: dict[str, str], *, position: int, amount: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "tax_id": ids["tax"],
        "position": position,
        "tax_code": "vat_20",
        "tax_name": "VAT 20%",
        "tax_rate": Decimal(20),
        "amount_cents": amount,
    }
