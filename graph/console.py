"""The web console at /console: static pages (graph/static/console/) that call the public
GraphQL API like any other front-end, with nothing private behind them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ROOT = Path(__file__).parent / "static" / "console"
# Its own scripts only, from this server: no CDN, nothing injected runs, and the page cannot
# be framed by another site to trick a click.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    # The API key sits in a fragment at most, which browsers never send; no Referer either.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@cache
def _page() -> str:
    return (ROOT / "index.html").read_text(encoding="utf-8")


async def console_page(request: Request) -> HTMLResponse:
    return HTMLResponse(_page(), headers=HEADERS)


class _Assets(StaticFiles):
    """The console's files, each with the page's headers: index.html is among them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def console_routes() -> list[BaseRoute]:
    return [
        Route("/console", console_page, methods=["GET", "HEAD"]),
        Mount("/console/assets", _Assets(directory=ROOT), name="console"),
    ]
