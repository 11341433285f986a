"""Subscription listeners in their own process, and the handle the bench drives them with.

    python -m bench.listeners WS_URL HTTP_URL --key K --count N --mutation BODY

The process opens N graphql-transport-ws sockets, one `invoiceCreated` subscription each
(bench/queries.py LISTEN), and proves them live with one warm-up event that every listener
must receive. Then it prints READY and, for each `event` line on stdin, posts the mutation
once and prints `RESULT {...}`: each listener's delay from the mutation's answer to its
receipt, in ms (time.monotonic is one clock for every process of the machine). `stall`,
`burst N` and `resume` drive one stuck listener more (bench/stuck.py) for rows h.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

from bench.procs import REPO_ROOT, Server
from bench.queries import LISTEN
from bench.receipts import Tally, listen, post
from bench.stuck import Stalled
from tests.ws import connected, subscribe

RESULT = "RESULT "


async def run(args: argparse.Namespace) -> None:
    tally = Tally(args.count)
    sockets: list[ClientConnection] = []
    tasks = []
    for first in range(0, args.count, 50):
        batch = range(first, min(args.count, first + 50))
        opened = await asyncio.gather(*(connected(args.ws_url, args.key) for _ in batch))
        for n, socket in zip(batch, opened, strict=True):
            await subscribe(socket, LISTEN, {})
            tasks.append(asyncio.create_task(listen(socket, tally.times[n], tally)))
        sockets.extend(opened)
    headers = {"Authorization": f"Bearer {args.key}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(headers=headers, timeout=120, trust_env=False) as http:
        if not await warm_up(http, args, tally):
            live = sum(1 for times in tally.times if times)
            print(f"{live} of {args.count} listeners live; {tally.failures[:3]}", file=sys.stderr)
            return
        print("READY", flush=True)
        stalled = Stalled()
        while True:
            command, *rest = (await asyncio.to_thread(sys.stdin.readline)).split() or ["quit"]
            if command == "event":
                invoice_id, answered = await post(http, args.http_url, args.mutation)
                everyone = functools.partial(tally.everyone_has, invoice_id)
                await tally.wait_until(everyone, args.patience)
                delays = [1000 * (t - answered) for t in tally.holding(invoice_id)]
                result = {"delays_ms": delays, "missing": args.count - len(delays)}
            elif command == "stall":
                await stalled.open(args)
                result = {}
            elif command == "burst":
                result = await stalled.burst(http, args, tally, int(rest[0]))
            elif command == "resume":
                result = await stalled.resume(args.patience)
            else:
                break
            print(RESULT + json.dumps(result | {"failures": tally.failures[:3]}), flush=True)
        await stalled.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


async def warm_up(http: httpx.AsyncClient, args: argparse.Namespace, tally: Tally) -> bool:
    """Invoices until every listener has received one: then every subscription is live."""
    deadline = time.monotonic() + args.patience
    while time.monotonic() < deadline:
        await post(http, args.http_url, args.mutation)
        if await tally.wait_until(lambda: all(tally.times), 3.0):
            await asyncio.sleep(1.0)  # the last warm-up invoices' stragglers
            return True
    return False


@dataclass
class Listeners:
    """The bench's handle on one listener process."""

    process: asyncio.subprocess.Process

    @classmethod
    async def start(
        cls, server: Server, key: str, count: int, mutation: str, patience: float
    ) -> Listeners:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bench.listeners", server.ws_url, server.graphql_url),
            *("--key", key, "--count", str(count), "--mutation", mutation),
            *("--patience", str(patience)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO_ROOT,
        )
        listeners = cls(process)
        if (await listeners._line()).strip() != "READY":
            await listeners.close()
            raise RuntimeError(f"{count} listeners did not all receive the warm-up event")
        return listeners

    async def event(self) -> tuple[list[float], int]:
        """One invoice: every listener's delay (ms) and how many never received it."""
        assert self.process.stdin is not None
        self.process.stdin.write(b"event\n")
        await self.process.stdin.drain()
        line = await self._line()
        if not line.startswith(RESULT):
            raise RuntimeError(f"the listener process stopped: {line!r}")
        result = json.loads(line[len(RESULT) :])
        if result["failures"]:
            print(f"listener failures: {result['failures']}", file=sys.stderr)
        return list(result["delays_ms"]), int(result["missing"])

    async def command(self, line: str) -> dict[str, Any]:
        """Any other command (stall, burst N, resume): its RESULT."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{line}\n".encode())
        await self.process.stdin.drain()
        answer = await self._line()
        if not answer.startswith(RESULT):
            raise RuntimeError(f"the listener process stopped: {answer!r}")
        result: dict[str, Any] = json.loads(answer[len(RESULT) :])
        return result

    async def close(self) -> None:
        if self.process.returncode is None and self.process.stdin is not None:
            self.process.stdin.write(b"quit\n")
            with contextlib.suppress(ConnectionError):
                await self.process.stdin.drain()
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def _line(self) -> str:
        assert self.process.stdout is not None
        return (await self.process.stdout.readline()).decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ws_url")
    parser.add_argument("http_url")
    parser.add_argument("--key", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--mutation", required=True)
    parser.add_argument("--patience", type=float, default=120.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
