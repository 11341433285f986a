"""The ASGI application: GraphQL over HTTP and WebSocket, health, limits, lifespan."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graph.context import Context
from graph.schema import schema
from models.db import Database
from models.organizations import authenticate
from models.pg_wakeups import pg_wakeups
from models.settings import Settings, get_settings
from models.webhook_sender import webhook_sender

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


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, db: Database, settings: Settings) -> None:
        # graphql-transport-ws only: the legacy protocol cannot refuse a connection with 4403.
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            graphql_ide="graphiql",
        )
        self.db = db
        self.settings = settings

    @property
    def graphql_ide_html(self) -> str:
        return _graphiql_html()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        context = Context(db=self.db, settings=self.settings, request_id=request_id)
        context.request, context.response = request, response
        if isinstance(response, Response):
            response.headers["X-Request-Id"] = request_id
        if isinstance(request, Request):
            key = _bearer(request.headers.get("authorization"))
            if key is not None:
                context.organization = await authenticate(self.db, key)
        return context

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        key = _bearer(params.get("Authorization") or params.get("authorization"))
        organization = await authenticate(self.db, key) if key else None
        if organization is None:
            raise ConnectionRejectionError()
        context.organization = organization
        context.api_key = key


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
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"Request body is larger than {self.max_bytes} bytes.",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def default_services(settings: Settings) -> tuple[BackgroundService, ...]:
    services: list[BackgroundService] = [pg_wakeups]
    if settings.run_webhook_sender:
        services.append(webhook_sender)
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
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Mount("/graphiql-assets", StaticFiles(directory=STATIC / "graphiql"), name="graphiql"),
        ],
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
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
