"""The event types: one list, and the envelope every webhook body and outbox row holds."""

from __future__ import annotations

import json

import pytest

from models.events.outbox import record_event
from models.events.types import EVENT_TYPES, INVOICE_ONE_OFF_CREATED, EventType
from tests.conftest import Api


def test_every_type_is_listed_once_under_its_name_and_names_its_object() -> None:
    assert INVOICE_ONE_OFF_CREATED in EVENT_TYPES.values()
    for name, event_type in EVENT_TYPES.items():
        assert name == event_type.name
        assert name.startswith(f"{event_type.object_type}.")
        assert event_type.description


def test_the_envelope_has_the_published_keys_in_the_published_order() -> None:
    body = {"id": "inv_1", "number": "ACM-001"}

    payload = INVOICE_ONE_OFF_CREATED.payload("org_1", body)

    assert json.dumps(payload, separators=(",", ":")) == (
        '{"webhook_type":"invoice.one_off_created","object_type":"invoice",'
        '"organization_id":"org_1","invoice":{"id":"inv_1","number":"ACM-001"}}'
    )


async def test_an_unlisted_type_is_refused_before_anything_is_written(api: Api) -> None:
    assert api.organization is not None
    stray = EventType("invoice.one_off_created", "invoice", "a copy, not the listed one")
    async with api.db.write() as session:
        with pytest.raises(LookupError, match="not registered"):
            await record_event(
                session, stray, organization_id=api.organization.id, object_id="x", body={}
            )
