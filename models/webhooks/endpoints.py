"""Webhook endpoints and their deliveries: the use-cases behind the GraphQL webhook API."""

from __future__ import annotations

import base64
import ipaddress
import re
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import urlsplit

import sqlalchemy
from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.events.pg_wakeups import announce
from models.inputs.errors import ErrorCode, reject
from models.store.columns import utcnow
from models.store.db import Database
from models.store.pagination import Page, paginate
from models.store.tables import (
    Event,
    Organization,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.store.tables.webhooks import DeliveryStatus

MAX_ENDPOINTS = 10
MAX_URL_LENGTH = 2048
SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 24


# Letters of any script (IDNA happens when sending), digits, dots, hyphens, underscores.
_HOST_NAME = re.compile(r"^[\w.-]+$")


class EndpointFields(TypedDict, total=False):
    url: str | None


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its secret in clear: returned once, by create and rotate."""

    endpoint: WebhookEndpoint
    secret: str


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """False for private, loopback, link-local, unspecified, multicast and reserved ranges."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names by itself, including legacy IPv4 forms ("2130706433",
    "0x7f.1") that resolvers accept and that would otherwise slip past a range check."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fA-FxX.]+", bare) and any(c.isdigit() for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def check_url(url: str | None, *, allow_private: bool) -> str:
    """The URL, stripped, or a rejection on ["url"] saying what is wrong with it."""
    path = ("url",)
    if url is None or not url.strip():
        raise reject(ErrorCode.REQUIRED, path, "url is required")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise reject(ErrorCode.TOO_LONG, path, f"url is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (the property raises on a port that is not a number in range)
    except ValueError as error:
        raise reject(ErrorCode.INVALID_VALUE, path, f"url is not a valid URL: {error}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise reject(ErrorCode.INVALID_VALUE, path, "url must start with http:// or https://")
    host = parts.hostname or ""
    named = bool(host.strip(".")) and _HOST_NAME.match(host) is not None
    if not (named or (":" in host and ip_literal(host) is not None)):
        raise reject(ErrorCode.INVALID_VALUE, path, "url must name a host")
    if not allow_private:
        address = ip_literal(host)
        if is_local_name(host) or (address is not None and not is_public_address(address)):
            raise reject(
                ErrorCode.INVALID_VALUE,
                path,
                "url points at a private, loopback, link-local or reserved address; such "
                "endpoints are refused unless ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS=true",
            )
    return url


def _endpoint_not_found() -> Exception:
    return reject(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, ("id",), "no webhook endpoint with this id")


async def find_endpoint(
    session: AsyncSession, organization_id: str, endpoint_id: str, *, for_update: bool = False
) -> WebhookEndpoint | None:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.id == endpoint_id
    )
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def create_endpoint(
    db: Database, organization_id: str, url: str | None, *, allow_private: bool
) -> EndpointWithSecret:
    checked = check_url(url, allow_private=allow_private)
    async with db.write() as session:
        # The organization row lock makes concurrent creates count one after the other
        # (PostgreSQL); SQLite's BEGIN IMMEDIATE already does.
        await session.exec(
            select(Organization.id).where(Organization.id == organization_id).with_for_update()
        )
        count = await session.scalar(
            select(func.count())
            .select_from(WebhookEndpoint)
            .where(col(WebhookEndpoint.organization_id) == organization_id)
        )
        if (count or 0) >= MAX_ENDPOINTS:
            raise reject(
                ErrorCode.LIMIT_REACHED,
                None,
                f"an organization has at most {MAX_ENDPOINTS} webhook endpoints",
            )
        secret = new_secret()
        endpoint = WebhookEndpoint(organization_id=organization_id, url=checked, secret=secret)
        session.add(endpoint)
    return EndpointWithSecret(endpoint, secret)


async def update_endpoint(
    db: Database,
    organization_id: str,
    endpoint_id: str,
    fields: EndpointFields,
    *,
    allow_private: bool,
) -> WebhookEndpoint:
    url = check_url(fields["url"], allow_private=allow_private) if "url" in fields else None
    async with db.write() as session:
        endpoint = await find_endpoint(session, organization_id, endpoint_id)
        if endpoint is None:
            raise _endpoint_not_found()
        if url is not None and url != endpoint.url:
            endpoint.url = url
            endpoint.updated_at = utcnow()
            session.add(endpoint)
    return endpoint


async def delete_endpoint(db: Database, organization_id: str, endpoint_id: str) -> WebhookEndpoint:
    """Deletes the endpoint with its deliveries and their attempts; events stay."""
    async with db.write() as session:
        # The endpoint first (PostgreSQL): an invoice being created reads it FOR SHARE, so
        # it either finishes its delivery before this delete goes on, or waits and skips
        # the endpoint; locked after the deliveries, its new delivery would break the delete.
        endpoint = await find_endpoint(session, organization_id, endpoint_id, for_update=True)
        if endpoint is None:
            raise _endpoint_not_found()
        # Locked next (PostgreSQL): a sender finishing an attempt locks its delivery before
        # it adds the attempt, so no attempt can appear after the attempts are deleted.
        deliveries = list(
            await session.exec(
                select(WebhookDelivery.id)
                .where(WebhookDelivery.endpoint_id == endpoint.id)
                .with_for_update()
            )
        )
        await session.execute(
            delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(deliveries))
        )
        await session.execute(
            delete(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint.id)
        )
        await session.delete(endpoint)
    return endpoint


async def rotate_secret(db: Database, organization_id: str, endpoint_id: str) -> EndpointWithSecret:
    async with db.write() as session:
        endpoint = await find_endpoint(session, organization_id, endpoint_id)
        if endpoint is None:
            raise _endpoint_not_found()
        endpoint.secret = new_secret()
        endpoint.updated_at = utcnow()
        session.add(endpoint)
    return EndpointWithSecret(endpoint, endpoint.secret)


async def list_endpoints(
    session: AsyncSession, organization_id: str, *, first: int | None, after: str | None
) -> Page[WebhookEndpoint]:
    where = [col(WebhookEndpoint.organization_id) == organization_id]
    return await paginate(session, WebhookEndpoint, where, first=first, after=after)


async def list_deliveries(
    session: AsyncSession,
    organization_id: str,
    *,
    first: int | None,
    after: str | None,
    status: str | None = None,
    endpoint_id: str | None = None,
) -> Page[WebhookDelivery]:
    where = [col(WebhookDelivery.organization_id) == organization_id]
    if status is not None:
        where.append(col(WebhookDelivery.status) == status)
    if endpoint_id is not None:
        where.append(col(WebhookDelivery.endpoint_id) == endpoint_id)
    return await paginate(session, WebhookDelivery, where, first=first, after=after)


async def find_delivery(
    session: AsyncSession, organization_id: str, delivery_id: str
) -> WebhookDelivery | None:
    query = select(WebhookDelivery).where(
        WebhookDelivery.organization_id == organization_id, WebhookDelivery.id == delivery_id
    )
    return (await session.exec(query)).first()


async def retry_delivery(db: Database, organization_id: str, delivery_id: str) -> WebhookDelivery:
    """Due now, whatever its status. A lease held by a sender is left alone: the attempt in
    flight finishes first, and if it fails, the sender tries again at once (see
    models/webhooks/sender.py); if it succeeds, that success answers the retry."""
    async with db.write() as session:
        delivery = await find_delivery(session, organization_id, delivery_id)
        if delivery is None:
            raise reject(
                ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, ("id",), "no webhook delivery with this id"
            )
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = delivery.updated_at = utcnow()
        session.add(delivery)
        await announce(session, events=False)
    return delivery


def is_sending(delivery: WebhookDelivery) -> bool:
    return delivery.lease_until is not None and delivery.lease_until > utcnow()


async def attempts_of_deliveries(
    session: AsyncSession, delivery_ids: Sequence[str]
) -> dict[str, list[WebhookAttempt]]:
    rows = await session.exec(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(delivery_ids))
        .order_by(col(WebhookAttempt.started_at), col(WebhookAttempt.id))
    )
    found: dict[str, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    for attempt in rows:
        found[attempt.delivery_id].append(attempt)
    return found


async def endpoints_by_id(
    session: AsyncSession, endpoint_ids: Sequence[str]
) -> dict[str, WebhookEndpoint]:
    rows = await session.exec(
        select(WebhookEndpoint).where(col(WebhookEndpoint.id).in_(endpoint_ids))
    )
    return {row.id: row for row in rows}


@dataclass(frozen=True)
class EventSummary:
    """What a delivery shows of its event; the payload itself stays in the database."""

    webhook_type: str
    object_type: str
    object_id: str
    sequence: int


async def events_by_id(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, EventSummary]:
    # SQLAlchemy's select: sqlmodel's is typed for at most four columns.
    rows = await session.execute(
        sqlalchemy.select(
            col(Event.id),
            col(Event.webhook_type),
            col(Event.object_type),
            col(Event.object_id),
            col(Event.sequence),
        ).where(col(Event.id).in_(event_ids))
    )
    return {
        event_id: EventSummary(webhook_type, object_type, object_id, sequence)
        for event_id, webhook_type, object_type, object_id, sequence in rows
        if event_id is not None
    }
