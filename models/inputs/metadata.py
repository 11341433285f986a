"""Metadata: an integrator's own key/value strings on a record (an invoice today), kept as
given and returned wherever the record goes, so that it can be tied to the integrator's order
without a lookup table."""

from __future__ import annotations

from collections.abc import Mapping

from models.inputs.checks import NOT_TEXT, Checks, is_text
from models.inputs.errors import ErrorCode, Path

MAX_KEYS = 50
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500

Metadata = dict[str, str]


def checked_metadata(checks: Checks, value: object, field: Path) -> Metadata | None:
    """`value` as metadata (None when absent or empty); each refusal goes to `checks` with the
    path of its key. Keys and values are kept exactly as given: they are the integrator's
    identifiers, and a trimmed one would no longer match its source."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        checks.add(ErrorCode.INVALID_VALUE, field, "metadata is an object of string values")
        return None
    if len(value) > MAX_KEYS:
        # Its entries go unchecked: the limit bounds the work spent on a request.
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, field, f"at most {MAX_KEYS} keys")
        return None
    metadata: Metadata = {}
    for key, item in value.items():
        at = (*field, str(key))
        if not isinstance(key, str):
            checks.add(ErrorCode.INVALID_VALUE, at, "a metadata key must be a string")
        elif not is_text(key):
            # The key is escaped in the path: the answer's JSON could not carry it as it is.
            checks.add(ErrorCode.INVALID_VALUE, (*field, ascii(key)), f"a metadata key {NOT_TEXT}")
        elif not key.strip():
            checks.add(ErrorCode.INVALID_VALUE, at, "a metadata key must not be blank")
        elif len(key) > MAX_KEY_LENGTH:
            checks.add(
                ErrorCode.TOO_LONG, at, f"a metadata key is at most {MAX_KEY_LENGTH} characters"
            )
        elif not isinstance(item, str):
            checks.add(ErrorCode.INVALID_VALUE, at, f"the value of {key!r} must be a string")
        elif not is_text(item):
            checks.add(ErrorCode.INVALID_VALUE, at, f"the value of {key!r} {NOT_TEXT}")
        elif len(item) > MAX_VALUE_LENGTH:
            checks.add(
                ErrorCode.TOO_LONG,
                at,
                f"the value of {key!r} is longer than {MAX_VALUE_LENGTH} characters",
            )
        else:
            metadata[key] = item
    return metadata or None
