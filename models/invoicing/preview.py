"""previewOneOffInvoice: the invoice createOneOffInvoice would issue now, computed by the same
code (request.py, pricing.py, rows.py) without writing anything: no counter is advanced, no
customer takes a currency, no event is recorded. So the preview and the invoice cannot
disagree; a property test holds them equal (tests/invoicing/test_preview.py).

It has no id and no number: a number is only known by taking it, and a preview must never
take one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.inputs.checks import Checks
from models.inputs.errors import Rejected
from models.invoicing.pricing import price
from models.invoicing.request import OneOffInvoiceInput, normalized
from models.invoicing.rows import InvoiceRows, Sequences, invoice_rows
from models.store.columns import utcnow
from models.store.db import Database
from models.store.tables import Customer, Organization

# No counter is read, let alone taken: the rows' numbers are placeholders, never shown.
_UNNUMBERED = Sequences(customer_invoice=0, organization_invoice=0)


@dataclass(frozen=True)
class Preview:
    rows: InvoiceRows  # the rows create would write, but for their ids and number
    customer: Customer  # as it is now (its currency still unset, if it has none yet)


async def preview_one_off_invoice(
    db: Database, organization_id: str, request: OneOffInvoiceInput, *, now: datetime | None = None
) -> Preview:
    """The request checked and priced as createOneOffInvoice does, in one read transaction;
    Rejected with the same errors (codes, paths, order) it would answer."""
    checks = Checks()
    request = normalized(request, checks)
    async with db.read() as session:
        # Read-only pricing is the one create runs itself for a refused request: same
        # stages, same order, same errors.
        priced = await price(session, organization_id, request, checks, lock=False)
        if priced is None:
            raise Rejected(checks.errors)
        organization = await session.get(Organization, organization_id)
        assert organization is not None
    rows = invoice_rows(
        organization, request, priced, _UNNUMBERED, fingerprint=None, now=now or utcnow()
    )
    return Preview(rows, priced.customer)
