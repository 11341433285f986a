"""`oneoff`: serve, migrate, create an organization, manage and list keys, export the schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from graph.cli_errors import explain
from models.inputs.errors import Rejected
from models.operators import lookups
from models.operators.demo import is_empty, seed_demo
from models.organizations import api_keys, organizations
from models.store import migrate
from models.store.db import Database, describe
from models.store.settings import get_settings

DEMO_KEY_FILE = Path("var") / "demo-api-key.txt"


def _serve(url: str, host: str, port: int, seed_demo_data: bool) -> int:
    import uvicorn

    from graph.app import create_app

    asyncio.run(migrate.upgrade(url))
    if seed_demo_data:
        key = asyncio.run(_seed_if_empty(url))
        print(f"GraphiQL:  http://{host}:{port}/graphql")
        if key:
            print(f'Headers:   {{"Authorization": "Bearer {key}"}}')
            print(f"Demo API key: {key}")
            # In the fragment, which browsers never send: the console takes it from there.
            print(f"Console:   http://{host}:{port}/console#key={key}")
        else:
            print(f"Console:   http://{host}:{port}/console (sign in with an API key)")
    uvicorn.run(
        create_app(get_settings()), host=host, port=port, log_level="info", ws="websockets-sansio"
    )
    return 0


async def _seed_if_empty(url: str) -> str | None:
    async with _database(url) as db:
        if await is_empty(db):
            key = await seed_demo(db)
            # Keys are stored hashed; this local file is how `make run` can show it again.
            DEMO_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
            DEMO_KEY_FILE.write_text(key + "\n")
            return key
        if DEMO_KEY_FILE.exists():
            return DEMO_KEY_FILE.read_text().strip()
        print(
            f"The database already has organizations and {DEMO_KEY_FILE} is gone: nothing "
            "seeded. Issue a key with `oneoff create-api-key ORGANIZATION_ID`."
        )
        return None


@asynccontextmanager
async def _database(url: str, *, existing: bool = False) -> AsyncIterator[Database]:
    """`existing`: fail unless the database is there and migrated, and create nothing."""
    if existing:
        await migrate.check_ready(url)
    db = Database(url)
    try:
        yield db
    finally:
        await db.dispose()


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _create_organization(url: str, name: str) -> None:
    await migrate.upgrade(url)
    async with _database(url) as db:
        organization, key = await organizations.create_organization(db, name)
    # Said, since a relative SQLite path depends on the folder the command was run from.
    print(f"organization {organization.id} created in {describe(url)}")
    print(f"API key {key.api_key.id} (revoke-api-key takes this id); the key, shown once:")
    print(key.plain)


async def _create_api_key(url: str, organization_id: str) -> None:
    async with _database(url, existing=True) as db:
        key = await api_keys.create_api_key(db, organization_id)
    print(f"API key {key.api_key.id} for organization {organization_id}; the key, shown once:")
    print(key.plain)


async def _revoke_api_key(url: str, key_id: str) -> None:
    async with _database(url, existing=True) as db:
        key = await api_keys.revoke_api_key_by_id(db, key_id)
    print(f"API key {key.id} revoked")


async def _list_organizations(url: str) -> None:
    async with _database(url, existing=True) as db:
        rows = await lookups.list_organizations(db)
    for row in rows:
        print(f"{row.id}\t{row.name}\t{_time(row.created_at)}\t{row.live_keys}")


async def _list_api_keys(url: str, organization_id: str) -> None:
    async with _database(url, existing=True) as db:
        keys = await lookups.every_api_key(db, organization_id)
    for key in keys:
        state = _time(key.revoked_at) if key.revoked_at else "live"
        print(f"{key.id}\t{_time(key.created_at)}\t{state}")


async def _migrate(url: str) -> None:
    await migrate.upgrade(url)
    print("database is up to date")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oneoff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, then serve GraphQL over HTTP and WebSocket")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--seed-demo",
        action="store_true",
        help="on an empty database, create a demo organization and print its key",
    )
    commands.add_parser("migrate", help="apply the database migrations")
    create = commands.add_parser(
        "create-organization",
        help="create an organization; prints its key's id, then the key alone on the last line",
    )
    create.add_argument("name")
    issue = commands.add_parser(
        "create-api-key",
        help="issue another API key; prints its id, then the key alone on the last line",
    )
    issue.add_argument("organization_id")
    revoke = commands.add_parser("revoke-api-key", help="revoke an API key by its id")
    revoke.add_argument("key_id")
    commands.add_parser(
        "list-organizations",
        help="one line per organization: id, name, created_at, live keys (tab-separated)",
    )
    keys = commands.add_parser(
        "list-api-keys",
        help="one line per key of an organization: id, created_at, revoked_at or live",
    )
    keys.add_argument("organization_id")
    commands.add_parser("export-schema", help="print the GraphQL SDL")
    return parser


def _run(args: argparse.Namespace, url: str) -> int:
    if args.command == "serve":
        return _serve(url, args.host, args.port, args.seed_demo)
    if args.command == "create-organization":
        asyncio.run(_create_organization(url, args.name))
    elif args.command == "create-api-key":
        asyncio.run(_create_api_key(url, args.organization_id))
    elif args.command == "revoke-api-key":
        asyncio.run(_revoke_api_key(url, args.key_id))
    elif args.command == "list-organizations":
        asyncio.run(_list_organizations(url))
    elif args.command == "list-api-keys":
        asyncio.run(_list_api_keys(url, args.organization_id))
    else:
        asyncio.run(_migrate(url))
    return 0


_UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Bytes that are not UTF-8 arrive as lone surrogates, which no database can store.
    if any(
        _UNPAIRED_SURROGATE.search(value) for value in vars(args).values() if isinstance(value, str)
    ):
        print("error: arguments must be UTF-8 text", file=sys.stderr)
        return 1
    if args.command == "export-schema":
        from graph.schema import schema

        sys.stdout.write(schema.as_str() + "\n")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    url: str | None = None
    # Every command that touches the database fails here, in one place, and in one line
    # when the failure is a known mistake (see graph/cli_errors.py).
    try:
        url = get_settings().database_url
        return _run(args, url)
    except Rejected as rejected:
        for error in rejected.errors:
            print(f"error: {error.message}", file=sys.stderr)
        return 1
    except Exception as error:
        line = explain(error, url)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
