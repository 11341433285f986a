"""Signed, expiring links to invoice documents: they work in a browser or an e-mail without
an API key, and any server process that shares the secret verifies them.

The token (itsdangerous, HMAC-SHA256 with a timestamp) names the organization and the
invoice; the document is read within that organization only. The secret is the configured
one (ONEOFF_DOCUMENT_LINK_SECRET); without one, a random secret made once and kept in the
database, which every process on that database then shares.
"""

from __future__ import annotations

import secrets
from weakref import WeakKeyDictionary

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from models.store.columns import utcnow
from models.store.db import Database
from models.store.inserts import table_of_model
from models.store.tables import InstanceSecret

_SECRETS = table_of_model(InstanceSecret)
_SALT = "oneoff.invoice-document"
_SECRET_NAME = "document_links"  # noqa: S105 (the row's name, not its value)
_kept: WeakKeyDictionary[Database, str] = WeakKeyDictionary()


class LinkExpired(Exception):
    """The link was genuine, but is older than links live."""


class LinkInvalid(Exception):
    """Not a link this server signed: tampered with, truncated, or signed with another secret."""


def sign(secret: str, organization_id: str, invoice_id: str) -> str:
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps([organization_id, invoice_id])


def verify(secret: str, token: str, max_age_seconds: int) -> tuple[str, str]:
    """(organization id, invoice id) of a genuine, unexpired token."""
    serializer = URLSafeTimedSerializer(secret, salt=_SALT)
    try:
        value = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise LinkExpired from error
    except BadData as error:
        raise LinkInvalid from error
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise LinkInvalid
    return value[0], value[1]


async def link_secret(db: Database, configured: str | None) -> str:
    if configured:
        return configured
    known = _kept.get(db)
    if known is None:
        known = _kept[db] = await _stored_secret(db)
    return known


async def _stored_secret(db: Database) -> str:
    async with db.write() as session:
        insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
        # Made once: processes starting together each offer one, and all keep the first.
        await session.execute(
            insert(_SECRETS)
            .values(name=_SECRET_NAME, value=secrets.token_urlsafe(32), created_at=utcnow())
            .on_conflict_do_nothing()
        )
        value: str = (
            await session.execute(select(_SECRETS.c.value).where(_SECRETS.c.name == _SECRET_NAME))
        ).scalar_one()
    return value
