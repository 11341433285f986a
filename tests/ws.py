"""A minimal graphql-transport-ws client over the `websockets` package, for tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

PROTOCOL = "graphql-transport-ws"


async def open_socket(ws_url: str, key: str | None, **options: Any) -> ClientConnection:
    """Connect and send connection_init; the caller reads the ack (or the close). `options`
    go to websockets' connect."""
    socket = await connect(ws_url, subprotocols=[PROTOCOL], **options)  # type: ignore[list-item]
    payload = {} if key is None else {"Authorization": f"Bearer {key}"}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    return socket


async def connected(ws_url: str, key: str, **options: Any) -> ClientConnection:
    socket = await open_socket(ws_url, key, **options)
    ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    return socket


async def subscribe(
    socket: ClientConnection, query: str, variables: dict[str, Any], op_id: str = "1"
) -> None:
    await socket.send(
        json.dumps(
            {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
    )


async def next_message(socket: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    """The next non-ping message."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if message["type"] == "ping":
            await socket.send(json.dumps({"type": "pong"}))
            continue
        return message


async def next_data(socket: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    message = await next_message(socket, timeout)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    data: dict[str, Any] = message["payload"]["data"]
    return data


async def nothing_within(socket: ClientConnection, seconds: float) -> bool:
    try:
        message = await asyncio.wait_for(socket.recv(), seconds)
    except TimeoutError:
        return True
    raise AssertionError(f"expected silence, got {message!r}")


async def close_frame(socket: ClientConnection, timeout: float = 10.0) -> Close:
    """The close frame the server ends the socket with; fails if it sends a message first."""
    try:
        message = await next_message(socket, timeout)
    except ConnectionClosed as closed:
        frame = closed.rcvd
    else:
        raise AssertionError(f"expected the socket to close, got {message!r}")
    if frame is None:
        raise AssertionError("the socket closed without a close frame")
    return frame
