"""HTTP and WebSocket plumbing around the GraphQL view: request ids, body size, JSON depth,
and every refusal answered as a GraphQL error in JSON."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncGenerator

from cross_web import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived

# The deepest input of the schema is about 6 levels (variables, input, fees, a fee, its
# taxCodes); 32 leaves room and stays far below Python's recursion limit.
MAX_JSON_DEPTH = 32
JSON_TOO_DEEP = "JSON_TOO_DEEP"
WS_BAD_REQUEST = 4400
WS_FORBIDDEN = 4403
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RefusedRequest(HTTPException):
    """A request refused before execution, with the code its JSON answer carries."""

    def __init__(self, status_code: int, reason: str, code: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


def _too_deep() -> RefusedRequest:
    return RefusedRequest(
        400, f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep.", JSON_TOO_DEEP
    )


def decode_json(data: str | bytes) -> object:
    """json.loads with one clear limit on nesting, instead of a RecursionError somewhere."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise _too_deep() from None
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if children and depth > MAX_JSON_DEPTH:
            raise _too_deep()
        pending.extend((child, depth + 1) for child in children)
    return value


def request_id(scope: Scope) -> str:
    """The id RequestIds gave this request (set for every HTTP and WebSocket scope)."""
    found: str = scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    return found


def error_response(status_code: int, code: str, message: str, scope: Scope) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status_code,
        headers={"X-Request-Id": request_id(scope)},
    )


class RequestIds:
    """Gives each request an id (the client's X-Request-Id when it is a sane one), echoed in
    the response header of every HTTP answer, refusals included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        identifier = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = identifier

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = identifier
            await send(message)

        await self.app(scope, receive, with_id if scope["type"] == "http" else send)


class BodyLimit:
    """Refuses request bodies past a size, declared or streamed, with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                # The view answers it like any refusal; another route's answer is below.
                raise self._refusal()
            return message

        try:
            await self.app(scope, limited, send)
        except RefusedRequest as refused:
            await self._too_large(scope, receive, send, refused)

    def _refusal(self) -> RefusedRequest:
        message = f"Request body is larger than {self.max_bytes} bytes."
        return RefusedRequest(413, message, "PAYLOAD_TOO_LARGE")

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, refused: RefusedRequest | None = None
    ) -> None:
        refused = refused or self._refusal()
        response = error_response(refused.status_code, refused.code, refused.reason, scope)
        await response(scope, receive, send)


REJECTION_REASON = "oneoff_rejection_reason"


class WebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter, except that JSON too deep closes with 4400 and a reason, and a
    refused connection says why (the reason the view left in the socket's state)."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    yield decode_json(text)
                except json.JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
                except RefusedRequest as refused:
                    await self.close(WS_BAD_REQUEST, refused.reason)
                    return
        except KeyError as error:
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass

    async def close(self, code: int, reason: str) -> None:
        if code == WS_FORBIDDEN:
            reason = self.ws.scope.get(REJECTION_REASON) or reason
        await self.ws.close(code=code, reason=reason)
