"""Finding invoices again: the filters of an invoice page, as SQL conditions, and what
"overdue" means.

Every condition keeps the page's keyset order (newest first, models/store/pagination.py);
the indexes that serve the daily ones are in models/store/tables/invoices.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select
from sqlmodel import col

from models.billing.statuses import InvoiceStatus, PaymentStatus
from models.store.pagination import matches_any
from models.store.tables import Customer, Invoice


@dataclass(frozen=True)
class InvoiceFilters:
    """None (or an empty search term) leaves a filter out; the given ones all apply."""

    customer_id: str | None = None
    external_customer_id: str | None = None
    status: InvoiceStatus | None = None
    payment_status: PaymentStatus | None = None
    currency: str | None = None
    issuing_date_from: date | None = None  # inclusive
    issuing_date_to: date | None = None  # inclusive
    search_term: str | None = None  # number, purchase order, customer name or id, any case
    payment_overdue: bool | None = None


class Overdue(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def payment_status(self) -> str: ...
    @property
    def payment_due_date(self) -> date: ...
    @property
    def payment_overdue_at(self) -> datetime | None: ...


def is_overdue(invoice: Overdue, now: datetime) -> bool:
    """Still to be paid (pending, not voided) past its due date, where its dates are counted:
    due yesterday there is overdue, due today is not yet (Invoice.payment_overdue_at). An
    invoice issued before that instant was kept is judged on the UTC date."""
    if invoice.status == InvoiceStatus.VOIDED or invoice.payment_status != PaymentStatus.PENDING:
        return False
    if invoice.payment_overdue_at is None:
        return invoice.payment_due_date < now.astimezone(UTC).date()
    return now >= invoice.payment_overdue_at


def _overdue(now: datetime) -> ColumnElement[bool]:
    # The same rule as is_overdue, for the database. "Not voided" rather than "finalized",
    # the same on the statuses there are: an equality on status would lead the planner to the
    # status index, where nearly every invoice is finalized, instead of the payment status's.
    overdue_at = col(Invoice.payment_overdue_at)
    return and_(
        col(Invoice.status) != InvoiceStatus.VOIDED,
        col(Invoice.payment_status) == PaymentStatus.PENDING,
        or_(
            and_(overdue_at.is_not(None), overdue_at <= now),
            and_(overdue_at.is_(None), col(Invoice.payment_due_date) < now.astimezone(UTC).date()),
        ),
    )


def conditions(
    organization_id: str, filters: InvoiceFilters, now: datetime
) -> list[ColumnElement[bool]]:
    where = [col(Invoice.organization_id) == organization_id]
    if filters.customer_id is not None:
        where.append(col(Invoice.customer_id) == filters.customer_id)
    if filters.external_customer_id is not None:
        where.append(
            col(Invoice.customer_id).in_(
                _customers(
                    organization_id, col(Customer.external_id) == filters.external_customer_id
                )
            )
        )
    if filters.status is not None:
        where.append(col(Invoice.status) == filters.status)
    if filters.payment_status is not None:
        where.append(col(Invoice.payment_status) == filters.payment_status)
    if filters.currency is not None:
        where.append(col(Invoice.currency) == filters.currency)
    if filters.issuing_date_from is not None:
        where.append(col(Invoice.issuing_date) >= filters.issuing_date_from)
    if filters.issuing_date_to is not None:
        where.append(col(Invoice.issuing_date) <= filters.issuing_date_to)
    term = (filters.search_term or "").strip()
    if term:
        by_customer = _customers(
            organization_id, matches_any(term, Customer.name, Customer.external_id)
        )
        where.append(
            matches_any(term, Invoice.number, Invoice.purchase_order_number)
            | col(Invoice.customer_id).in_(by_customer)
        )
    if filters.payment_overdue is not None:
        overdue = _overdue(now)
        where.append(overdue if filters.payment_overdue else not_(overdue))
    return where


def _customers(organization_id: str, condition: ColumnElement[bool]) -> Select[str]:
    return select(col(Customer.id)).where(
        col(Customer.organization_id) == organization_id, condition
    )
