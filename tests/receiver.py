"""A real HTTP webhook receiver on 127.0.0.1, in a thread, for tests against a real server.

    with Receiver() as receiver:
        receiver.answer(500)            # the next request gets 500, later ones 200
        receiver.delay = 2.0            # every answer waits this long
        receiver.wait_for(lambda r: len(r) >= 1)
        receiver.stop(); receiver.start()   # down, then back on the same port

It records every request when it arrives (before answering), and how many requests with the
same `webhook-id` were in flight at once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float
    status: int | None = None

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.delay = 0.0
        self._answers: deque[int] = deque()
        self._in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *statuses: int) -> None:
        """The next requests get these statuses, in order; then 200 again."""
        with self._lock:
            self._answers.extend(statuses)

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Closes the port: connections are refused until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.requests)

    def wait_for(
        self, condition: Callable[[list[Received]], bool], timeout: float = 15.0
    ) -> list[Received]:
        """Polls until condition(requests) holds; fails past the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            requests = self.snapshot()
            if condition(requests):
                return requests
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"receiver: condition not met within {timeout}s; got {len(requests)} "
                    f"requests: {[(r.webhook_id, r.status) for r in requests]}"
                )
            time.sleep(0.05)

    def __enter__(self) -> Receiver:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                record = Received(
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                    time.monotonic(),
                )
                with receiver._lock:
                    receiver.requests.append(record)
                    receiver._in_flight[record.webhook_id] += 1
                    receiver.max_in_flight[record.webhook_id] = max(
                        receiver.max_in_flight[record.webhook_id],
                        receiver._in_flight[record.webhook_id],
                    )
                    status = receiver._answers.popleft() if receiver._answers else 200
                try:
                    time.sleep(receiver.delay)
                    record.status = status
                    reply = b"ok" if status < 300 else b"receiver says no"
                    self.send_response(status)
                    self.send_header("content-length", str(len(reply)))
                    self.send_header("connection", "close")
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    pass  # the sender gave up waiting (its timeout) and hung up
                finally:
                    with receiver._lock:
                        receiver._in_flight[record.webhook_id] -= 1

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
