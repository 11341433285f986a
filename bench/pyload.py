"""The fallback load client, when wrk is not installed: N connections posting for S seconds.

    python -m bench.pyload URL BODIES.json --key K --connections N --seconds S

Each connection posts the bodies in turn, one request at a time, as wrk does; prints the
same `BENCH_JSON {...}` line as bench/load.py's wrk script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx

from bench.load import BAD_MARKERS, MARK


async def connection(
    client: httpx.AsyncClient, url: str, bodies: list[bytes], deadline: float, offset: int
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    n = offset
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            response = await client.post(url, content=bodies[n % len(bodies)])
            text = response.text
            if response.status_code != 200 or any(marker in text for marker in BAD_MARKERS):
                errors += 1
        except httpx.HTTPError:
            errors += 1
        latencies.append(time.monotonic() - started)
        n += 1
    return latencies, errors


async def run(url: str, bodies: list[bytes], key: str, connections: int, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        headers=headers, limits=limits, timeout=30, trust_env=False
    ) as client:
        started = time.monotonic()
        deadline = started + seconds
        results = await asyncio.gather(
            *(connection(client, url, bodies, deadline, n) for n in range(connections))
        )
        elapsed = time.monotonic() - started
    latencies = sorted(latency for result in results for latency in result[0])
    errors = sum(result[1] for result in results)

    def percentile(share: float) -> int:
        if not latencies:
            return 0
        return int(1e6 * latencies[min(len(latencies) - 1, int(share * len(latencies)))])

    summary = {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "errors": 0,
        "bad": errors,
        "p50_us": percentile(0.5),
        "p99_us": percentile(0.99),
    }
    print(MARK + json.dumps(summary), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("bodies")
    parser.add_argument("--key", required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with open(args.bodies) as file:
        bodies = [body.encode() for body in json.load(file)]
    asyncio.run(run(args.url, bodies, args.key, args.connections, args.seconds))


if __name__ == "__main__":
    main()
