"""Webhook endpoints: an organization's receivers (at most 10), the event types each receives
(None for all, now and to come), and their signing secrets, shown once; created, changed,
rotated and deleted."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode, Rejected, reject
from models.store.columns import utcnow
from models.store.db import Database
from models.store.pagination import Page, paginate
from models.store.tables import (
    Organization,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.webhooks.event_types import checked_event_types
from models.webhooks.urls import check_url

MAX_ENDPOINTS = 10
SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 24


class EndpointFields(TypedDict, total=False):
    url: str | None
    # None: every event type, now and to come.
    event_types: list[str] | None


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its secret in clear: returned once, by create and rotate."""

    endpoint: WebhookEndpoint
    secret: str


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _checked_url(url: str | None, checks: Checks, *, allow_private: bool) -> str | None:
    """`check_url`, its rejection added to `checks` (None then), so that the other fields are
    checked too."""
    try:
        return check_url(url, allow_private=allow_private)
    except Rejected as rejected:
        checks.errors.extend(rejected.errors)
        return None


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
    db: Database,
    organization_id: str,
    url: str | None,
    *,
    allow_private: bool,
    event_types: Sequence[str] | None = None,
) -> EndpointWithSecret:
    """A new endpoint receiving `event_types` (None: all), with its secret in clear."""
    checks = Checks()
    checked = _checked_url(url, checks, allow_private=allow_private)
    chosen = checked_event_types(event_types, checks)
    checks.raise_if_any()
    assert checked is not None  # refused above otherwise
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
        endpoint = WebhookEndpoint(
            organization_id=organization_id, url=checked, secret=secret, event_types=chosen
        )
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
    """Change the fields given: `url`, and `event_types` (None: all from now on, a list: those
    only). `updated_at` moves only when something changed."""
    checks = Checks()
    url = (
        _checked_url(fields["url"], checks, allow_private=allow_private)
        if "url" in fields
        else None
    )
    event_types = checked_event_types(fields.get("event_types"), checks)
    checks.raise_if_any()
    async with db.write() as session:
        endpoint = await find_endpoint(session, organization_id, endpoint_id)
        if endpoint is None:
            raise _endpoint_not_found()
        if url is not None and url != endpoint.url:
            endpoint.url = url
            endpoint.updated_at = utcnow()
        if "event_types" in fields and event_types != endpoint.event_types:
            # None is written as SQL NULL (the column's none_as_null), which the deliveries'
            # query reads as every type.
            endpoint.event_types = event_types
            endpoint.updated_at = utcnow()
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


async def endpoints_by_id(
    session: AsyncSession, endpoint_ids: Sequence[str]
) -> dict[str, WebhookEndpoint]:
    rows = await session.exec(
        select(WebhookEndpoint).where(col(WebhookEndpoint.id).in_(endpoint_ids))
    )
    return {row.id: row for row in rows}
