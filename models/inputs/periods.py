"""A period of service (a fee's), given as two ISO 8601 instants with their offsets."""

from __future__ import annotations

from datetime import UTC, datetime

from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode, Path

# A billing period lies in these years; outside them an instant is a typo (or, near year 1 or
# 9999, cannot be moved to UTC at all).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def _instant(checks: Checks, value: datetime, field: Path) -> datetime | None:
    try:
        offset = value.utcoffset()
    except ValueError:  # a tzinfo of the caller's whose offset is not within a day
        offset = None
    if offset is None:
        checks.add(
            ErrorCode.INVALID_VALUE,
            field,
            f"{field[-1]} needs its UTC offset (2026-11-01T00:00:00+01:00 or …Z)",
        )
        return None
    try:
        instant = value.astimezone(UTC)
    except (OverflowError, ValueError):
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, field, f"{field[-1]} is not in years 1900–2999")
        return None
    return instant


def checked_period(
    checks: Checks, start: datetime | None, end: datetime | None, at: Path
) -> tuple[datetime | None, datetime | None]:
    """Both ends in UTC, or neither; each refusal goes to `checks` with the path of its end
    (`fromDatetime`, `toDatetime`) under `at`."""
    start_at, end_at = (*at, "fromDatetime"), (*at, "toDatetime")
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        missing = start_at if start is None else end_at
        checks.add(ErrorCode.REQUIRED, missing, "give both fromDatetime and toDatetime, or neither")
        return None, None
    first, last = _instant(checks, start, start_at), _instant(checks, end, end_at)
    if first is None or last is None:
        return None, None
    if first > last:
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, end_at, "toDatetime is before fromDatetime")
        return None, None
    return first, last
