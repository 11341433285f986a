"""WebSocket transport: graphql-transport-ws only; the legacy graphql-ws protocol is refused."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.http_api import create_organization_key
from tests.server import StartServer, server_factory

__all__ = ["server_factory"]


async def test_the_legacy_graphql_ws_protocol_is_refused_with_4406(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    key = await create_organization_key(server.database_url)

    legacy = await connect(
        server.ws_url, subprotocols=[Subprotocol("graphql-ws")], proxy=None, open_timeout=10
    )
    # The legacy handshake's first message; the server must not answer it.
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
    with contextlib.suppress(ConnectionClosed):
        await legacy.send(json.dumps(init))
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(legacy.recv(), 10)
    assert legacy.subprotocol is None
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406

    # Offered both, the server picks the current protocol and acknowledges.
    for offered in (["graphql-transport-ws"], ["graphql-ws", "graphql-transport-ws"]):
        current = await connect(
            server.ws_url,
            subprotocols=[Subprotocol(name) for name in offered],
            proxy=None,
            open_timeout=10,
        )
        try:
            assert current.subprotocol == "graphql-transport-ws"
            await current.send(json.dumps(init))
            ack = json.loads(await asyncio.wait_for(current.recv(), 10))
            assert ack["type"] == "connection_ack", ack
        finally:
            await current.close()
