"""GraphiQL at `GET /graphql` works offline: every script and stylesheet is vendored and served."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from graph.app import create_app
from models.store.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "graph" / "static"
VENDORED = STATIC / "graphiql"
ASSETS = "/graphiql-assets/"
# The inline favicon is an SVG data URI: its xmlns is a namespace name, never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
CONTENT_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",)}


class Assets(HTMLParser):
    """The URLs of the page's <script src> and <link href>, with their integrity hashes."""

    def __init__(self) -> None:
        super().__init__()
        self.integrity: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") if tag == "script" else attributes.get("href")
        if tag in ("script", "link") and url:
            self.integrity[url] = attributes.get("integrity")


def assets_of(page: str) -> dict[str, str | None]:
    parser = Assets()
    parser.feed(page)
    return {url: sri for url, sri in parser.integrity.items() if not url.startswith("data:")}


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, services=())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await app.state.db.dispose()


@pytest.fixture
async def page(client: httpx.AsyncClient) -> str:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_get_graphql_serves_the_graphiql_page(page: str) -> None:
    assert '<div id="graphiql"' in page
    assert "GraphiQL.createFetcher(" in page
    assert set(assets_of(page)) == {
        f"{ASSETS}react@18.2.0/umd/react.production.min.js",
        f"{ASSETS}react-dom@18.2.0/umd/react-dom.production.min.js",
        f"{ASSETS}js-cookie@3.0.5/dist/js.cookie.min.js",
        f"{ASSETS}graphiql@3.8.3/graphiql.min.css",
        f"{ASSETS}graphiql@3.8.3/graphiql.min.js",
        f"{ASSETS}@graphiql/plugin-explorer@1.0.2/dist/style.css",
        f"{ASSETS}@graphiql/plugin-explorer@1.0.2/dist/index.umd.js",
    }


async def test_the_page_references_no_external_url(page: str) -> None:
    assert re.findall(r"https?://[^\s\"'<>%]+", page.replace(SVG_NAMESPACE, "")) == []
    assert "unpkg" not in page.lower()
    for url in assets_of(page):
        assert url.startswith("/"), url
        assert not url.startswith("//"), url


async def test_every_asset_is_served_with_its_type_and_matches_its_integrity(
    client: httpx.AsyncClient, page: str
) -> None:
    for url, integrity in assets_of(page).items():
        response = await client.get(url)
        assert response.status_code == 200, url
        content_type = response.headers["content-type"].split(";")[0].strip()
        assert content_type in CONTENT_TYPES[Path(url).suffix], (url, content_type)
        assert len(response.content) > 500, url
        # The files are the npm tarballs' own, so the template's hashes hold; a browser
        # refuses a script or stylesheet whose hash does not match.
        assert integrity is not None, url
        algorithm, _, expected = integrity.partition("-")
        digest = base64.b64encode(hashlib.new(algorithm, response.content).digest()).decode()
        assert digest == expected, url


async def test_a_missing_asset_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ASSETS}react@18.2.0/umd/react.development.js")
    assert response.status_code == 404


def package_folder(url: str) -> Path:
    """`/graphiql-assets/@scope/name@1.0.0/dist/x.js` → VENDORED/@scope/name@1.0.0."""
    parts = url.removeprefix(ASSETS).split("/")
    return VENDORED.joinpath(*parts[: 2 if parts[0].startswith("@") else 1])


async def test_every_vendored_package_carries_its_license(page: str) -> None:
    folders = {package_folder(url) for url in assets_of(page)}
    assert len(folders) == 5
    for folder in folders:
        license_text = (folder / "LICENSE").read_text(encoding="utf-8")
        assert "MIT License" in license_text, folder
        assert "Permission is hereby granted" in license_text, folder


async def test_only_what_the_page_needs_is_vendored(page: str) -> None:
    needed = {VENDORED / url.removeprefix(ASSETS) for url in assets_of(page)}
    for path in VENDORED.rglob("*"):
        if path.is_file() and path not in needed:
            assert path.name.startswith("LICENSE") or path == VENDORED / "README.md", path


def test_package_data_ships_the_page_and_its_assets() -> None:
    """A normal (non-editable) install gets them too."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["graph"]
    shipped = {path for pattern in patterns for path in (ROOT / "graph").glob(pattern)}
    for path in STATIC.rglob("*"):
        if path.is_file():
            assert path in shipped, path


def test_subscriptions_send_the_headers_tab_as_the_connection_init_payload() -> None:
    """Pins what the page relies on for authenticated subscriptions (re-check on an upgrade).

    GraphiQL passes the Headers tab's JSON to the fetcher as `fetcherOpts.headers`, and
    @graphiql/toolkit's getWsFetcher hands them to graphql-ws as `connectionParams`, which
    it sends as the connection_init payload, where `on_ws_connect` reads `Authorization`.
    """
    bundle = (VENDORED / "graphiql@3.8.3" / "graphiql.min.js").read_text(encoding="utf-8")
    assert (
        "if (options.subscriptionUrl) return createWebsocketsFetcherFromUrl("
        "options.subscriptionUrl, (0, _chunkLMOQIXV.__spreadValues)((0, "
        "_chunkLMOQIXV.__spreadValues)({}, options.wsConnectionParams), "
        "fetcherOpts == null ? void 0 : fetcherOpts.headers));"
    ) in bundle
    assert "}, {\n          headers: _headers,\n          documentAST\n        });" in bundle
