"""The ASGI application: GraphQL over HTTP and WebSocket, health, limits, lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cache, partial
from pathlib import Path

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graph import documents
from graph.console import console_routes
from graph.context import Context
from graph.schema import schema
from graph.subscription_slots import SubscriptionSlots
from graph.transport import (
    REJECTION_REASON,
    BodyLimit,
    RefusedRequest,
    RequestIds,
    WebSocketAdapter,
    decode_json,
    error_response,
    request_id,
)
from models.documents.webhook_links import with_document_links
from models.events.hub import event_hub
from models.events.wakeups import pg_wakeups
from models.organizations.api_keys import authenticate
from models.store.db import Database
from models.store.settings import Settings, get_settings
from models.webhooks.sender import webhook_sender

logger = logging.getLogger("oneoff")

BackgroundService = Callable[[Database, Settings], AbstractAsyncContextManager[None]]

# GraphiQL without a CDN: static/graphiql.html is Strawberry's page with its scripts and styles
# taken from static/graphiql/ (vendored, see its README), which the app serves at /graphiql-assets.
STATIC = Path(__file__).parent / "static"


@cache
def _graphiql_html() -> str:
    return (STATIC / "graphiql.html").read_text(encoding="utf-8")


def _bearer(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _rejection_reason(value: object) -> str:
    """Why a connection_init payload signed nobody in, short enough for a close frame."""
    if value is None:
        return 'API key missing: send {"Authorization": "Bearer <key>"} in connection_init'
    if _bearer(value) is None:
        return 'Authorization must be "Bearer <key>"'
    return "API key invalid or revoked"


# Keys are ASCII (`oo_<hex>_<base64url>`): anything else cannot be one, and must not reach
# the hash, which would choke on an unpaired surrogate.
def _plausible(key: str) -> bool:
    return key.isascii() and key.isprintable()


def _http_code(error: HTTPException) -> str:
    if isinstance(error, RefusedRequest):
        return error.code
    if isinstance(error.__cause__, CannotGetOperationTypeError):
        return "OPERATION_RESOLUTION_FAILURE"
    return _HTTP_CODES.get(error.status_code, "BAD_REQUEST")


_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


class GraphQLView(GraphQL[Context, None]):
    websocket_adapter_class = WebSocketAdapter

    def __init__(self, db: Database, settings: Settings) -> None:
        # graphql-transport-ws only: the legacy protocol cannot refuse a connection with 4403.
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            graphql_ide="graphiql",
            # Subscriptions are capped per organization (SubscriptionSlots), with a code;
            # Strawberry's own per-socket cap would answer first, without one.
            max_subscriptions_per_connection=None,
        )
        self.db = db
        self.settings = settings
        self.subscription_slots = SubscriptionSlots(settings.max_subscriptions_per_organization)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every HTTP answer is JSON with a code, whatever Strawberry or the code below raises."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response: Response
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            response = error_response(error.status_code, _http_code(error), error.reason, scope)
        except Exception:
            logger.exception("unexpected error in request %s", request_id(scope))
            message = f"Internal server error (request {request_id(scope)})."
            response = error_response(500, "INTERNAL_SERVER_ERROR", message, scope)
        await response(scope, receive, send)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: the WebSocket transport sends what this returns as a text frame.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        value = decode_json(data)
        # Strawberry reads the body (and `variables`, `extensions`) as objects, or a body as a
        # batch; a bare string or number would fail inside it.
        if not isinstance(value, dict | list):
            raise RefusedRequest(400, "JSON here must be an object.", "BAD_REQUEST")
        return value

    @property
    def graphql_ide_html(self) -> str:
        return _graphiql_html()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(
            db=self.db,
            settings=self.settings,
            request_id=request_id(request.scope),
            shared_slots=self.subscription_slots,
        )
        context.request, context.response = request, response
        if isinstance(request, Request):
            key = _bearer(request.headers.get("authorization"))
            if key is not None and _plausible(key):
                context.organization = await authenticate(
                    self.db, key, cache_seconds=self.settings.api_key_cache_seconds
                )
        return context

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        value = params.get("Authorization") or params.get("authorization")
        key = _bearer(value)
        organization = None
        if key is not None and _plausible(key):
            organization = await authenticate(
                self.db, key, cache_seconds=self.settings.api_key_cache_seconds
            )
        if organization is None:
            # Read back by WebSocketAdapter.close: Strawberry's own reason is a bare "Forbidden".
            context.response.scope[REJECTION_REASON] = _rejection_reason(value)
            raise ConnectionRejectionError()
        context.organization = organization
        context.api_key = key


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def default_services(settings: Settings) -> tuple[BackgroundService, ...]:
    services: list[BackgroundService] = [pg_wakeups, event_hub]
    if settings.run_webhook_sender:
        services.append(partial(webhook_sender, enrich=with_document_links))
    return tuple(services)


def create_app(
    settings: Settings | None = None,
    services: tuple[BackgroundService, ...] | None = None,
) -> Starlette:
    settings = settings or get_settings()
    if services is None:
        services = default_services(settings)
    db = Database(settings.database_url)
    view = GraphQLView(db, settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            async with _running(services, db, settings):
                yield
        finally:
            await db.dispose()

    app = Starlette(
        routes=[
            Route("/health", health),
            Route(documents.PATH, documents.invoice_document, methods=["GET", "HEAD"]),
            Route(documents.UBL_PATH, documents.invoice_ubl_document, methods=["GET", "HEAD"]),
            # Every method reaches the view, so that even a PUT is answered in JSON.
            Route("/graphql", view),
            WebSocketRoute("/graphql", view),
            Mount("/graphiql-assets", StaticFiles(directory=STATIC / "graphiql"), name="graphiql"),
            *console_routes(),
        ],
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    # Outermost, so that every answer carries its request id, a 413 included.
    app.add_middleware(RequestIds)
    return app


@asynccontextmanager
async def _running(
    services: tuple[BackgroundService, ...], db: Database, settings: Settings
) -> AsyncIterator[None]:
    if not services:
        yield
        return
    first, *rest = services
    async with first(db, settings), _running(tuple(rest), db, settings):
        yield


__all__ = ["create_app"]
