from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import pytest

from models.billing.numbering import (
    default_document_number_prefix,
    format_invoice_number_per_customer,
    format_invoice_number_per_organization,
    is_timezone,
    issuing_date,
    payment_due_date,
)


@pytest.mark.parametrize(
    ("sequential_id", "seq", "expected"),
    [
        (1, 2, "ACM-1A2B-001-002"),
        (42, 999, "ACM-1A2B-042-999"),
        (1234, 1000, "ACM-1A2B-1234-1000"),
    ],
)
def test_number_per_customer(sequential_id: int, seq: int, expected: str) -> None:
    assert format_invoice_number_per_customer("ACM-1A2B", sequential_id, seq) == expected


@pytest.mark.parametrize(
    ("issued", "seq", "expected"),
    [
        (date(2026, 3, 9), 7, "ACM-1A2B-202603-007"),
        (date(2026, 1, 31), 1, "ACM-1A2B-202601-001"),
        (date(2026, 12, 1), 1000, "ACM-1A2B-202612-1000"),
    ],
)
def test_number_per_organization(issued: date, seq: int, expected: str) -> None:
    assert format_invoice_number_per_organization("ACM-1A2B", issued, seq) == expected


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        # 01:00 UTC is still 17:00 the day before in Los Angeles (PST, UTC-8).
        (datetime(2026, 3, 10, 1, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 9)),
        # 15:30 UTC is 00:30 the next day in Tokyo (UTC+9).
        (datetime(2026, 3, 9, 15, 30, tzinfo=UTC), "Asia/Tokyo", date(2026, 3, 10)),
        (datetime(2026, 3, 9, 15, 30, tzinfo=UTC), "UTC", date(2026, 3, 9)),
        # The day after DST starts (8 March 2026), 07:30 UTC is 00:30 PDT; a fixed -8 says the 8th.
        (datetime(2026, 3, 9, 7, 30, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 9)),
        # Any aware instant will do, not only UTC ones: 23:30+02:00 is 21:30 UTC.
        (
            datetime(2026, 3, 9, 23, 30, tzinfo=timezone(timedelta(hours=2))),
            "Europe/London",
            date(2026, 3, 9),
        ),
    ],
)
def test_issuing_date(instant: datetime, zone: str, expected: date) -> None:
    assert issuing_date(instant, zone) == expected


def test_issuing_date_refuses_naive_instants() -> None:
    with pytest.raises(ValueError, match="aware"):
        issuing_date(datetime(2026, 3, 10, 1, 0), "UTC")


def test_issuing_date_refuses_unknown_zones() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        issuing_date(datetime(2026, 3, 10, tzinfo=UTC), "Mars/Olympus_Mons")


@pytest.mark.parametrize(
    ("issued", "days", "expected"),
    [
        (date(2026, 3, 9), 0, date(2026, 3, 9)),
        (date(2026, 3, 9), 30, date(2026, 4, 8)),
        (date(2026, 12, 15), 30, date(2027, 1, 14)),
        (date(2028, 2, 28), 1, date(2028, 2, 29)),
    ],
)
def test_payment_due_date(issued: date, days: int, expected: date) -> None:
    assert payment_due_date(issued, days) == expected


def test_payment_due_date_refuses_negative_terms() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        payment_due_date(date(2026, 3, 9), -1)


@pytest.mark.parametrize(
    ("name", "organization_id", "expected"),
    [
        ("Acme Corp", "5f0c8e2a-9d41-4c7b-8a3e-0b6d2f7e1a2b", "ACM-1A2B"),
        ("acme", "5f0c8e2a-9d41-4c7b-8a3e-0b6d2f7e1a2b", "ACM-1A2B"),
        ("A.B. 3M Co", "org_0042", "ABM-0042"),
        ("Ab", "org_0042", "ABX-0042"),
        ("3M", "org_0042", "MXX-0042"),
        ("", "org_0042", "XXX-0042"),
        ("東京", "org_0042", "XXX-0042"),
        ("Éclair Über", "org_00ff", "ECL-00FF"),
        ("Zo", "ab", "ZOX-AB"),
    ],
)
def test_default_document_number_prefix(name: str, organization_id: str, expected: str) -> None:
    assert default_document_number_prefix(name, organization_id) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("UTC", True),
        ("Europe/Paris", True),
        ("America/Los_Angeles", True),
        ("Asia/Tokyo", True),
        ("Mars/Olympus_Mons", False),
        ("", False),
        ("localtime", False),
        ("../etc/passwd", False),
    ],
)
def test_is_timezone(name: str, expected: bool) -> None:
    assert is_timezone(name) is expected
