"""A per-process cache of authenticated API keys: a request pays for the key check at most
once per `seconds`, and a key revoked elsewhere stops working within that delay.

Keyed by the database URL and a SHA-256 of the presented key, so that the plain key is never
held here and two databases never share an entry. A revocation by this process drops the
key's entries at once; a revocation by another process is seen once the entry expires.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

from models.store.tables import Organization

# A bound on memory: a flood of distinct valid keys evicts the oldest instead of growing.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry:
    key_id: str
    organization: Organization
    expires_at: float


_entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
# Moves on at every revocation: a read begun before one may not be remembered after it.
_revocations = 0


def generation() -> int:
    """Take before reading a key; hand to `remember` after."""
    return _revocations


def _slot(url: str, presented: str) -> tuple[str, str]:
    return url, hashlib.sha256(presented.encode()).hexdigest()


def cached(url: str, presented: str) -> Organization | None:
    slot = _slot(url, presented)
    entry = _entries.get(slot)
    if entry is None:
        return None
    if entry.expires_at <= time.monotonic():
        del _entries[slot]
        return None
    return entry.organization


def remember(
    url: str,
    presented: str,
    key_id: str,
    organization: Organization,
    seconds: float,
    *,
    read_at: int,
) -> None:
    """Unless a revocation committed since `read_at` (a `generation()`): the key read
    live then may be the one revoked."""
    if seconds <= 0 or read_at != _revocations:
        return
    slot = _slot(url, presented)
    _entries[slot] = _Entry(key_id, organization, time.monotonic() + seconds)
    _entries.move_to_end(slot)
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)


def forget(key_id: str) -> None:
    """Drop every entry of the key: called once its revocation committed."""
    global _revocations
    _revocations += 1
    for slot in [slot for slot, entry in _entries.items() if entry.key_id == key_id]:
        del _entries[slot]
