"""What a bench listener records: each listener's receipt time of each invoice, and the
invoice a mutation answered with, when."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection


class Tally:
    """Each listener's receipt time of each invoice (by id), and a wake-up on every receipt.

    Events are told apart by invoice id, not by order: a listener whose subscription was not
    live yet when an early warm-up invoice committed never receives that one.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.times: list[dict[str, float]] = [{} for _ in range(count)]
        self.failures: list[str] = []
        self.changed = asyncio.Event()

    def everyone_has(self, invoice_id: str) -> bool:
        return all(invoice_id in times for times in self.times)

    def holding(self, invoice_id: str) -> list[float]:
        return [times[invoice_id] for times in self.times if invoice_id in times]

    async def wait_until(self, done: Callable[[], bool], patience: float) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(patience):
                while not done():
                    self.changed.clear()
                    await self.changed.wait()
        return done()


async def listen(socket: ClientConnection, times: dict[str, float], tally: Tally) -> None:
    async for raw in socket:
        arrived = time.monotonic()
        message: dict[str, Any] = json.loads(raw)
        if message["type"] == "ping":
            await socket.send(json.dumps({"type": "pong"}))
        elif message["type"] == "next" and not message["payload"].get("errors"):
            times[message["payload"]["data"]["invoiceCreated"]["invoice"]["id"]] = arrived
            tally.changed.set()
        else:
            tally.failures.append(json.dumps(message)[:300])
            return


async def post(http: httpx.AsyncClient, url: str, body: str) -> tuple[str, float]:
    """The invoice id the mutation answered with, and when the answer arrived."""
    response = await http.post(url, content=body)
    answered = time.monotonic()
    data = response.json().get("data") or {}
    invoice = (data.get("createOneOffInvoice") or {}).get("invoice")
    if response.status_code != 200 or not invoice:
        raise RuntimeError(f"the mutation failed: {response.text[:500]}")
    return str(invoice["id"]), answered
