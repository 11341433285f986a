"""Throughput of createOneOffInvoice and latency of invoiceCreated, against a real server.

    .venv/bin/python bench/create_invoices.py [--database-url URL] [--invoices N] [--concurrency C]

Without --database-url, a fresh SQLite file in a temporary folder. A PostgreSQL URL must point
at an empty, existing database. Prints one line per measure; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.http_api import Http, create_organization_key
from tests.server import sqlite_url, start_server
from tests.ws import connected, next_data, subscribe

CREATE = """
mutation($c: ID) {
  createOneOffInvoice(input: {customerId: $c, fees: [{addOnCode: "a", units: "3"},
                                                     {addOnCode: "a", unitAmountCents: "0.5"}]}) {
    invoice { id } userErrors { code }
  }
}
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(database_url: str, invoices: int, concurrency: int, log_dir: Path) -> None:
    server = start_server(
        database_url, log_dir=log_dir, env_overrides={"ONEOFF_WEBHOOK_SENDER": "false"}
    )
    try:
        key = await create_organization_key(database_url)
        api = Http(server.base_url, key)
        customers = list((await api.setup(*(f"c{n}" for n in range(10)))).values())
        latencies: list[float] = []
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                started = time.perf_counter()
                data: dict[str, Any] = await api(CREATE, c=customers[index % len(customers)])
                latencies.append(time.perf_counter() - started)
                assert data["createOneOffInvoice"]["userErrors"] == []

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(invoices)))
        elapsed = time.perf_counter() - started
        print(
            f"engine={database_url.split(':')[0]} invoices={invoices} "
            f"concurrency={concurrency} rate={invoices / elapsed:.1f}/s "
            f"p50={percentile(latencies, 0.5) * 1000:.1f}ms "
            f"p95={percentile(latencies, 0.95) * 1000:.1f}ms"
        )

        socket = await connected(server.ws_url, key)
        await subscribe(socket, "subscription { invoiceCreated { cursor } }", {})
        await asyncio.sleep(0.5)
        delays: list[float] = []
        for _ in range(50):
            await api(CREATE, c=customers[0])
            answered = time.perf_counter()
            await next_data(socket)
            delays.append(time.perf_counter() - answered)
        await socket.close()
        print(
            f"subscription: event after the mutation's answer "
            f"p50={statistics.median(delays) * 1000:.1f}ms "
            f"max={max(delays) * 1000:.1f}ms (n=50)"
        )
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or sqlite_url(Path(folder) / "bench.sqlite3")
        asyncio.run(run(url, args.invoices, args.concurrency, Path(folder)))


if __name__ == "__main__":
    main()
