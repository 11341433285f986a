"""`oneoff`: serve, migrate, create an organization, manage keys, export the schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from models import migrate, organizations
from models.db import Database
from models.errors import Rejected
from models.seed import is_empty, seed_demo
from models.settings import get_settings

DEMO_KEY_FILE = Path("var") / "demo-api-key.txt"


def _serve(host: str, port: int, seed_demo_data: bool) -> int:
    import uvicorn

    from graph.app import create_app

    settings = get_settings()
    asyncio.run(migrate.upgrade(settings.database_url))
    if seed_demo_data:
        key = asyncio.run(_seed_if_empty(settings.database_url))
        print(f"GraphiQL:  http://{host}:{port}/graphql")
        if key:
            print(f'Headers:   {{"Authorization": "Bearer {key}"}}')
            print(f"Demo API key: {key}")
    uvicorn.run(
        create_app(settings), host=host, port=port, log_level="info", ws="websockets-sansio"
    )
    return 0


async def _seed_if_empty(url: str) -> str | None:
    db = Database(url)
    try:
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
    finally:
        await db.dispose()


async def _create_organization(url: str, name: str) -> tuple[str, str]:
    db = Database(url)
    try:
        organization, key = await organizations.create_organization(db, name)
        return organization.id, key.plain
    finally:
        await db.dispose()


async def _create_key(url: str, organization_id: str) -> str:
    db = Database(url)
    try:
        return (await organizations.create_api_key(db, organization_id)).plain
    finally:
        await db.dispose()


async def _revoke(url: str, key_id: str) -> None:
    db = Database(url)
    try:
        await organizations.revoke_api_key_by_id(db, key_id)
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
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
        help="create an organization; prints its API key alone on the last line",
    )
    create.add_argument("name")
    issue = commands.add_parser(
        "create-api-key",
        help="issue another API key for an organization; prints it alone on the last line",
    )
    issue.add_argument("organization_id")
    revoke = commands.add_parser("revoke-api-key", help="revoke an API key by its id")
    revoke.add_argument("key_id")
    commands.add_parser("export-schema", help="print the GraphQL SDL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    url = get_settings().database_url

    if args.command == "serve":
        return _serve(args.host, args.port, args.seed_demo)
    if args.command == "migrate":
        asyncio.run(migrate.upgrade(url))
        print("database is up to date")
        return 0
    if args.command == "export-schema":
        from graph.schema import schema

        sys.stdout.write(schema.as_str() + "\n")
        return 0
    try:
        if args.command == "create-organization":
            asyncio.run(migrate.upgrade(url))
            organization_id, key = asyncio.run(_create_organization(url, args.name))
            print(f"organization {organization_id} created; its API key (shown once):")
            print(key)
            return 0
        if args.command == "create-api-key":
            key = asyncio.run(_create_key(url, args.organization_id))
            print(f"API key for organization {args.organization_id} (shown once):")
            print(key)
            return 0
        asyncio.run(_revoke(url, args.key_id))
        print(f"API key {args.key_id} revoked")
        return 0
    except Rejected as rejected:
        for error in rejected.errors:
            print(f"error: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
