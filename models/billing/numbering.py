"""Invoice numbers and dates: pure formatting, the sequences themselves live in the database."""

from __future__ import annotations

import string
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


def format_invoice_number_per_customer(
    prefix: str, customer_sequential_id: int, customer_invoice_seq: int
) -> str:
    return f"{prefix}-{customer_sequential_id:03}-{customer_invoice_seq:03}"


def format_invoice_number_per_organization(
    prefix: str, issued_in_org_tz: date, org_invoice_seq: int
) -> str:
    return f"{prefix}-{issued_in_org_tz:%Y%m}-{org_invoice_seq:03}"


def issuing_date(instant: datetime, timezone: str) -> date:
    # A naive datetime would be read as the server's local time, which is nobody's date.
    if instant.tzinfo is None:
        raise ValueError("issuing_date needs an aware instant")
    return instant.astimezone(ZoneInfo(timezone)).date()


def payment_due_date(issuing: date, net_payment_term_days: int) -> date:
    if net_payment_term_days < 0:
        raise ValueError(f"net payment term must be >= 0 days, got {net_payment_term_days}")
    return issuing + timedelta(days=net_payment_term_days)


def overdue_from(due: date, timezone: str) -> datetime:
    """The instant an invoice due on `due` becomes overdue: the start of the next day where
    its dates are counted (due today is not overdue yet, due yesterday is)."""
    next_day = datetime.combine(due + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return next_day.astimezone(UTC)


def default_document_number_prefix(organization_name: str, organization_id: str) -> str:
    # Accents are dropped rather than the letters they sit on: "Éclair" gives "ECL", not "CLA".
    decomposed = unicodedata.normalize("NFKD", organization_name)
    letters = "".join(c for c in decomposed if c in string.ascii_letters)[:3].upper()
    return f"{letters.ljust(3, 'X')}-{organization_id[-4:].upper()}"


def is_timezone(name: str) -> bool:
    return name in _timezones()


@cache
def _timezones() -> frozenset[str]:
    # "localtime" is this host's own zone file, not an IANA name.
    return frozenset(available_timezones() - {"localtime"})
