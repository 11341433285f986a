"""The stuck listener of rows h (bench/rows_memory.py): it subscribes, then reads nothing
while a burst of invoices goes to the others; resumed, it must receive every one of them, in
order, once."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket as net
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection

from bench.queries import STUCK_LISTEN
from bench.receipts import Tally, post
from tests.ws import connected, subscribe


class Stalled:
    """One more listener that subscribes and then reads nothing while a burst of invoices goes
    to the others; resumed, it must receive every one of them, in order, once."""

    def __init__(self) -> None:
        self.socket: ClientConnection | None = None
        self.ids: list[str] = []

    async def open(self, args: argparse.Namespace) -> None:
        # A receive queue of one message and a 4 KB receive buffer: the library soon stops
        # reading, and the server's sends back up into the server, as a stuck client's do.
        url = urlsplit(args.ws_url)
        raw = net.socket(net.AF_INET, net.SOCK_STREAM)
        raw.setsockopt(net.SOL_SOCKET, net.SO_RCVBUF, 4096)
        raw.connect((url.hostname, url.port))
        self.socket = await connected(args.ws_url, args.key, max_queue=1, sock=raw)
        await subscribe(self.socket, STUCK_LISTEN, {})

    async def burst(
        self, http: httpx.AsyncClient, args: argparse.Namespace, tally: Tally, count: int
    ) -> dict[str, Any]:
        """`count` invoices one after the other, then the live listeners' receipts of them."""
        for _ in range(count):
            self.ids.append((await post(http, args.http_url, args.mutation))[0])
        await tally.wait_until(lambda: all(tally.everyone_has(i) for i in self.ids), args.patience)
        missing = sum(args.count - len(tally.holding(i)) for i in self.ids)
        return {"invoices": count, "missing": missing}

    async def resume(self, patience: float) -> dict[str, Any]:
        """What the stalled listener receives once it reads again: the burst's invoices."""
        assert self.socket is not None
        received: list[str] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(patience):
                while not set(self.ids) <= set(received):
                    message: dict[str, Any] = json.loads(await self.socket.recv())
                    if message["type"] == "ping":
                        await self.socket.send(json.dumps({"type": "pong"}))
                    elif message["type"] == "next":
                        received.append(
                            message["payload"]["data"]["invoiceCreated"]["invoice"]["id"]
                        )
                    else:
                        break
        burst = [i for i in received if i in set(self.ids)]
        return {
            "expected": len(self.ids),
            "received": len(set(burst)),
            "duplicates": len(burst) - len(set(burst)),
            "in_order": burst == [i for i in self.ids if i in set(burst)],
        }

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
