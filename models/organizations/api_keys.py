"""API keys: how a caller reaches its organization. Stored as a SHA-256 of their secret only,
shown once, at most MAX_LIVE_API_KEYS live per organization, never the last one revoked."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.inputs.errors import ErrorCode, reject
from models.organizations import key_cache
from models.store.columns import new_id, utcnow
from models.store.db import Database, after_commit
from models.store.pagination import Page, paginate
from models.store.tables import ApiKey, Organization

KEY_PREFIX = "oo_"


# Enough for rotation across many services; a runaway script stops here instead of at
# thousands of live keys (revoked ones do not count: they cannot be used).
MAX_LIVE_API_KEYS = 100


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    plain: str  # shown once, never stored


def issue_key(organization_id: str) -> IssuedKey:
    key_id = new_id()
    secret = secrets.token_urlsafe(32)
    row = ApiKey(id=key_id, organization_id=organization_id, secret_hash=_hash(secret))
    return IssuedKey(row, f"{KEY_PREFIX}{key_id.replace('-', '')}_{secret}")


def _parse_key(presented: str) -> tuple[str, str] | None:
    if not presented.startswith(KEY_PREFIX):
        return None
    key_hex, _, secret = presented[len(KEY_PREFIX) :].partition("_")
    if len(key_hex) != 32 or not secret:
        return None
    try:
        key_id = f"{key_hex[:8]}-{key_hex[8:12]}-{key_hex[12:16]}-{key_hex[16:20]}-{key_hex[20:]}"
        int(key_hex, 16)
    except ValueError:
        return None
    return key_id, secret


async def authenticate(
    db: Database, presented: str, *, cache_seconds: float = 0
) -> Organization | None:
    """The organization a live key belongs to; None for anything else, without saying why.

    With `cache_seconds`, a key found live is trusted for that long without another read
    (models/organizations/key_cache.py): a revocation by another process takes up to that
    long to be seen; by this one, none. The organization returned is then as it was read
    then: callers use its id.
    """
    if cache_seconds > 0:
        known = key_cache.cached(db.url, presented)
        if known is not None:
            return known
    parsed = _parse_key(presented)
    if parsed is None:
        return None
    read_at = key_cache.generation()
    key_id, secret = parsed
    async with db.read() as session:
        row = (
            await session.exec(
                select(ApiKey, Organization)
                .join(Organization, col(Organization.id) == ApiKey.organization_id)
                .where(ApiKey.id == key_id, col(ApiKey.revoked_at).is_(None))
            )
        ).first()
    if row is None:
        # Hash anyway so that an unknown key id costs what a known one does.
        hmac.compare_digest(_hash(secret), _hash(""))
        return None
    api_key, organization = row
    if not hmac.compare_digest(_hash(secret), api_key.secret_hash):
        return None
    key_cache.remember(db.url, presented, api_key.id, organization, cache_seconds, read_at=read_at)
    return organization


async def count_live_api_keys(session: AsyncSession, organization_id: str) -> int:
    live = await session.scalar(
        select(func.count())
        .select_from(ApiKey)
        .where(col(ApiKey.organization_id) == organization_id, col(ApiKey.revoked_at).is_(None))
    )
    return int(live or 0)


async def create_api_key(db: Database, organization_id: str) -> IssuedKey:
    """Issue one more key, unless the organization already has MAX_LIVE_API_KEYS live ones."""
    key = issue_key(organization_id)
    async with db.write() as session:
        # The organization row lock makes concurrent creates count one after the other
        # (PostgreSQL), so two creates at 99 cannot both see room; SQLite's BEGIN IMMEDIATE
        # already does.
        locked = (
            await session.exec(
                select(Organization.id).where(Organization.id == organization_id).with_for_update()
            )
        ).first()
        if locked is None:
            raise reject(ErrorCode.NOT_FOUND, ("organizationId",), "no such organization")
        if await count_live_api_keys(session, organization_id) >= MAX_LIVE_API_KEYS:
            raise reject(
                ErrorCode.LIMIT_REACHED,
                None,
                f"an organization has at most {MAX_LIVE_API_KEYS} live API keys: "
                "revoke one before creating another",
            )
        session.add(key.api_key)
    return key


async def revoke_api_key(db: Database, organization_id: str, key_id: str) -> ApiKey:
    """Revoke one key; the last live key stays, or the organization would lock itself out."""
    async with db.write() as session:
        # Two revocations at once must not both see two live keys and leave none (PostgreSQL):
        # the organization row lock makes them count one after the other.
        await session.exec(
            select(Organization.id).where(Organization.id == organization_id).with_for_update()
        )
        live = list(
            await session.exec(
                select(ApiKey).where(
                    ApiKey.organization_id == organization_id, col(ApiKey.revoked_at).is_(None)
                )
            )
        )
        target = next((key for key in live if key.id == key_id), None)
        if target is None:
            raise reject(ErrorCode.API_KEY_NOT_FOUND, ("id",), "no live API key with this id")
        if len(live) == 1:
            raise reject(
                ErrorCode.LAST_API_KEY, ("id",), "create another key before revoking the last one"
            )
        target.revoked_at = utcnow()
        session.add(target)
        after_commit(session, lambda: key_cache.forget(key_id))
    return target


async def list_api_keys(
    session: AsyncSession,
    organization_id: str,
    *,
    first: int | None,
    after: str | None,
    revoked: bool | None = None,
) -> Page[ApiKey]:
    """Newest first; `revoked` False keeps the live keys only, True the revoked ones."""
    where = [col(ApiKey.organization_id) == organization_id]
    if revoked is not None:
        revoked_at = col(ApiKey.revoked_at)
        where.append(revoked_at.is_not(None) if revoked else revoked_at.is_(None))
    return await paginate(session, ApiKey, where, first=first, after=after)


async def revoke_api_key_by_id(db: Database, key_id: str) -> ApiKey:
    """For operators: the key's organization is looked up from the key id, given as its
    UUID or as the 32 hex digits embedded in the key itself."""
    with contextlib.suppress(ValueError):
        key_id = str(uuid.UUID(key_id.strip()))
    async with db.read() as session:
        key = await session.get(ApiKey, key_id)
    if key is None:
        raise reject(ErrorCode.API_KEY_NOT_FOUND, ("id",), f"no API key with id {key_id}")
    return await revoke_api_key(db, key.organization_id, key_id)
