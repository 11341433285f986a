"""Invoices with what their documents and e-invoices are made of (models/einvoices' Issued),
read for a whole page at once: the invoices, their fees, the fees' taxes and the invoices'
taxes, one query each, and the parties of the few issued before they were frozen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models.einvoices.problems import Problem, problems_of
from models.einvoices.terms import Issued
from models.invoicing.parties import parties
from models.invoicing.reads import (
    applied_taxes_of_invoices,
    customers_by_id,
    fees_of_invoices,
    invoices_by_id,
    taxes_of_fees,
)
from models.store.tables import Invoice, Organization


async def issued_invoices(session: AsyncSession, invoices: Sequence[Invoice]) -> dict[str, Issued]:
    ids = [invoice.id for invoice in invoices]
    fees = await fees_of_invoices(session, ids)
    fee_taxes = await taxes_of_fees(session, [fee.id for i in ids for fee in fees.get(i, [])])
    taxes = await applied_taxes_of_invoices(session, ids)
    unfrozen = await _current_parties(session, [i for i in invoices if i.parties is None])
    return {
        invoice.id: Issued(
            invoice,
            invoice.parties if invoice.parties is not None else unfrozen[invoice.id],
            fees.get(invoice.id, []),
            fee_taxes,
            taxes.get(invoice.id, []),
        )
        for invoice in invoices
    }


async def _current_parties(
    session: AsyncSession, invoices: Sequence[Invoice]
) -> dict[str, dict[str, Any]]:
    """Issued before invoices kept their parties: as they are now, which their first
    document then keeps (store.py)."""
    if not invoices:
        return {}
    customers = await customers_by_id(session, [i.customer_id for i in invoices])
    found: dict[str, dict[str, Any]] = {}
    for invoice in invoices:
        organization = await session.get(Organization, invoice.organization_id)
        assert organization is not None
        found[invoice.id] = parties(organization, customers[invoice.customer_id])
    return found


async def einvoice_problems(
    session: AsyncSession, invoice_ids: Sequence[str]
) -> dict[str, list[Problem]]:
    """Why each invoice cannot be an e-invoice; [] for one that is."""
    invoices = await invoices_by_id(session, invoice_ids)
    issued = await issued_invoices(session, list(invoices.values()))
    return {invoice_id: problems_of(one) for invoice_id, one in issued.items()}
