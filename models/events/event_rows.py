"""Writing an event's row and its webhook deliveries: one statement on PostgreSQL, with the
outbox's NOTIFY, and three round trips on SQLite (the event, the endpoints, the deliveries).

Both ways, one delivery per endpoint of the organization that receives the event's type (its
`event_types` NULL, for all, or a list naming that type), in the transaction of the event: a
committed event cannot miss its webhooks, and a rolled-back one cannot send any. A JSON
`null` there, which the ORM writes for None unless told otherwise, counts as NULL on both
engines. FOR SHARE (PostgreSQL): an endpoint being deleted concurrently is waited for and
then skipped, not referenced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.events.wakeups import CHANNEL, EVENTS, notified
from models.store.columns import new_id
from models.store.core_rows import execute_core
from models.store.inserts import Tail, insert_together, insert_values, table_of_model
from models.store.sqlite_trips import inserts_deferred
from models.store.tables import Event, WebhookEndpoint
from models.store.tables.webhooks import DeliveryStatus, WebhookDelivery

_EVENTS = table_of_model(Event)
_DELIVERIES = table_of_model(WebhookDelivery)
_ENDPOINTS_TABLE = table_of_model(WebhookEndpoint)

_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_ENDPOINTS = (
    select(_ENDPOINTS_TABLE.c.id, _ENDPOINTS_TABLE.c.event_types)
    .where(_ENDPOINTS_TABLE.c.organization_id == bindparam("organization_id"))
    .with_for_update(read=True)
)
# On PostgreSQL, the event, its deliveries and the outbox's NOTIFY (sent at commit) in one
# round trip: under the organization's lock, which its caller holds until commit, every
# round trip saved is one others wait less.
_EVENT_AND_DELIVERIES = Tail(
    ctes="""
event AS (
  INSERT INTO events (organization_id, sequence, webhook_type, object_type, object_id,
                      customer_id, payload, occurred_at)
  VALUES (:organization_id, :sequence, :webhook_type, :object_type, :object_id,
          :customer_id, :payload, :occurred_at)
  RETURNING id
), deliveries AS (
  INSERT INTO webhook_deliveries (id, organization_id, endpoint_id, event_id, status,
                                  attempt_count, next_attempt_at, lease_until, created_at,
                                  updated_at)
  SELECT CAST(gen_random_uuid() AS VARCHAR), webhook_endpoints.organization_id,
         webhook_endpoints.id, event.id, :pending, 0, :occurred_at, NULL, :occurred_at,
         :occurred_at
  FROM webhook_endpoints, event
  WHERE webhook_endpoints.organization_id = :organization_id
    AND (webhook_endpoints.event_types IS NULL
         OR CAST(webhook_endpoints.event_types AS jsonb) = 'null'
         OR CAST(webhook_endpoints.event_types AS jsonb)
            @> jsonb_build_array(CAST(:webhook_type AS text)))
  FOR SHARE OF webhook_endpoints
)""",
    select="SELECT id, pg_notify(:channel, :what) FROM event",
    binds=(
        bindparam("payload", type_=_EVENTS.c.payload.type),
        bindparam("occurred_at", type_=_EVENTS.c.occurred_at.type),
    ),
)
Rows = Sequence[tuple[Table, Sequence[Mapping[str, Any]]]]


async def insert_event(session: AsyncSession, values: dict[str, Any], rows: Rows = ()) -> int:
    """Insert the rows the event announces (`insert_together`'s parts), then the event whose
    columns `values` gives (all but its id) and one delivery per endpoint of its organization
    that receives its type; the event's id, which the database numbers. On PostgreSQL all of
    it is one statement: one round trip less under the organization's lock than rows and
    event apart."""
    if session.get_bind().dialect.name == "postgresql":
        params = {"pending": DeliveryStatus.PENDING.value, "channel": CHANNEL, "what": EVENTS}
        result = await insert_together(session, rows, _EVENT_AND_DELIVERIES, {**values, **params})
        assert result is not None  # PostgreSQL always runs the tail
        event_id: int = result.scalar_one()
        notified(session, EVENTS)
        return event_id
    # SQLite: the rows wait for the event's INSERT … RETURNING and share its trip.
    async with inserts_deferred(session):
        await insert_together(session, rows)
        event_id = (await execute_core(session, _INSERT_EVENT, values)).scalar_one()
    organization_id: str = values["organization_id"]
    occurred_at: datetime = values["occurred_at"]
    webhook_type: str = values["webhook_type"]
    found = (await execute_core(session, _ENDPOINTS, {"organization_id": organization_id})).all()
    # event_types None (SQL NULL or JSON null): every type.
    endpoints = [
        row.id for row in found if row.event_types is None or webhook_type in row.event_types
    ]
    await insert_values(
        session,
        _DELIVERIES,
        [
            {
                "id": new_id(),
                "organization_id": organization_id,
                "endpoint_id": endpoint_id,
                "event_id": event_id,
                "status": DeliveryStatus.PENDING,
                "attempt_count": 0,
                "next_attempt_at": occurred_at,
                "lease_until": None,
                "created_at": occurred_at,
                "updated_at": occurred_at,
            }
            for endpoint_id in endpoints
        ],
    )
    return event_id
