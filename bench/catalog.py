"""What the bench bills from: an organization with a taxed add-on and customers, made through
the API, and the throwaway PostgreSQL database the bench creates and drops itself."""

from __future__ import annotations

import json
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url

from bench.procs import Server
from bench.queries import CREATE, PREVIEW
from models.store.db import normalize_database_url
from tests.http_api import Http, create_organization_key

PG_DATABASE = "oneoff_bench"
SETUP = """mutation {
  createTax(input: {code: "vat_20", name: "VAT 20%", rate: "20"}) { userErrors { code } }
  createAddOn(input: {code: "a", name: "A", amountCents: "1000", amountCurrency: EUR,
                      taxCodes: ["vat_20"]}) { userErrors { code } }
}"""
CUSTOMER = """mutation($e: String!) { createCustomer(input: {externalId: $e, currency: EUR})
  { customer { id } userErrors { code } } }"""


@dataclass
class Tenant:
    key: str
    customer_ids: list[str]

    def create_bodies(self) -> list[str]:
        """One createOneOffInvoice body per customer, so that no customer row is the only one."""
        return [body(CREATE, c=customer) for customer in self.customer_ids]

    def preview_bodies(self) -> list[str]:
        """The same requests as create_bodies, previewed."""
        return [body(PREVIEW, c=customer) for customer in self.customer_ids]


def body(query: str, **variables: object) -> str:
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":"))


async def tenant(server: Server, name: str, customers: int = 10) -> Tenant:
    key = await create_organization_key(normalize_database_url(server.database_url), name)
    api = Http(server.base_url, key)
    try:
        data = await api(SETUP)
        assert all(not part["userErrors"] for part in data.values()), data
        ids = []
        for n in range(customers):
            created = (await api(CUSTOMER, e=f"c{n}"))["createCustomer"]
            assert not created["userErrors"], created
            ids.append(created["customer"]["id"])
        return Tenant(key, ids)
    finally:
        await api.client.aclose()


def _dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def create_pg_database(url: str) -> str | None:
    """A fresh, empty `oneoff_bench` on the server of `url`; None when none answers."""
    try:
        connection = await asyncpg.connect(_dsn(url, "postgres"), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        await connection.close()
    return _dsn(url, PG_DATABASE)


async def drop_pg_database(url: str) -> None:
    connection = await asyncpg.connect(_dsn(url, "postgres"), timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    finally:
        await connection.close()
