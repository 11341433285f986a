"""HTTP and WebSocket plumbing around the GraphQL view: request ids, body size, JSON depth,
and every refusal answered as a GraphQL error in JSON."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncGenerator

from cross_web import HTTPException
from graphql import GraphQLSyntaxError, parse
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived

from graph.limits import MAX_TOKENS

# The deepest input of the schema is about 6 levels (variables, input, fees, a fee, its
# taxCodes); 32 leaves room and stays far below Python's recursion limit.
MAX_JSON_DEPTH = 32
JSON_TOO_DEEP = "JSON_TOO_DEEP"
BAD_REQUEST = "BAD_REQUEST"
# A close frame's reason is at most 123 bytes of UTF-8.
MAX_CLOSE_REASON = 123
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
    """json.loads with one clear limit on nesting, instead of a RecursionError somewhere, and
    a 400 for what json.loads refuses without a JSONDecodeError (bytes that are not UTF-8,
    integers of more than 4300 digits)."""
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        raise RefusedRequest(
            400, "JSON must be UTF-8, with integers of at most 4300 digits.", BAD_REQUEST
        ) from None
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = list(item.values()) if isinstance(item, dict) else item
        if isinstance(children, list) and children:
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            pending.extend((child, depth + 1) for child in children)
    return value


def request_id(scope: Scope) -> str:
    """The id RequestIds gave this request (set for every HTTP and WebSocket scope)."""
    found: str = scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    return found


def error_response(status_code: int, code: str, message: str, scope: Scope) -> Response:
    # ensure_ascii: a message may quote input holding an unpaired surrogate, which UTF-8
    # cannot encode (Starlette's JSONResponse would fail on it).
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(
        json.dumps(body, ensure_ascii=True),
        status_code=status_code,
        media_type="application/json",
        headers={"X-Request-Id": request_id(scope)},
    )


def close_reason(reason: str) -> str:
    """A reason a close frame can carry: valid UTF-8, at most 123 bytes."""
    encoded = reason.encode("utf-8", "backslashreplace")[:MAX_CLOSE_REASON]
    return encoded.decode("utf-8", "ignore")


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
    """Strawberry's adapter, except that a message its handler would choke on (JSON too deep,
    not an object, a subscribe payload of the wrong shape) closes the socket with 4400 and a
    reason, and a refused connection says why (the reason the view left in the scope)."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    message = decode_json(text)
                except json.JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
                    continue
                except RefusedRequest as refused:
                    await self.close(WS_BAD_REQUEST, refused.reason)
                    return
                problem = _message_problem(message)
                if problem is not None:
                    await self.close(WS_BAD_REQUEST, problem)
                    return
                assert isinstance(message, dict)
                syntax_error = _syntax_error(message)
                if syntax_error is not None:
                    # Strawberry's parser cache raises out of its subscribe task instead.
                    await self.send_json(
                        {"id": message.get("id"), "type": "error", "payload": [syntax_error]}
                    )
                    continue
                yield message
        except KeyError as error:
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass

    async def close(self, code: int, reason: str) -> None:
        if code == WS_FORBIDDEN:
            reason = self.ws.scope.get(REJECTION_REASON) or reason
        await self.ws.close(code=code, reason=close_reason(reason))


def _syntax_error(message: dict[str, object]) -> dict[str, object] | None:
    payload = message.get("payload")
    if message.get("type") != "subscribe" or not isinstance(payload, dict):
        return None
    try:
        parse(payload["query"], max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError as error:
        return {**error.formatted, "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}
    return None


_SUBSCRIBE_FIELDS = {"query": str, "variables": dict, "operationName": str, "extensions": dict}


def _message_problem(message: object) -> str | None:
    """Why a graphql-transport-ws message cannot be handled, None when it can."""
    if not isinstance(message, dict):
        return "WebSocket messages must be JSON objects"
    if message.get("type") != "subscribe":
        return None
    payload = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "A subscribe message needs a payload object with a query string"
    for name, kind in _SUBSCRIBE_FIELDS.items():
        if payload.get(name) is not None and not isinstance(payload[name], kind):
            return f"subscribe payload: {name} must be a {kind.__name__} or null"
    return None
