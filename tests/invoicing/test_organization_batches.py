"""An organization's invoices share transactions and commits (models/store/group_commit.py),
on PostgreSQL as on SQLite, and a batch never waits for a customer another transaction
holds: two processes' batches would otherwise wait for each other."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from models.invoicing.create import create_one_off_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.store.db import Database
from tests.conftest import Api
from tests.databases import _asyncpg_dsn
from tests.invoicing.making import customers_and_add_on

LOCK_NOT_AVAILABLE = "55P03"


def _request(customer_id: str, key: str | None = None) -> OneOffInvoiceInput:
    return OneOffInvoiceInput(
        fees=[FeeInput(add_on_code="a")], customer_id=customer_id, idempotency_key=key
    )


def _commits(db: Database) -> list[int]:
    commits: list[int] = []
    event.listen(db.write_engine.sync_engine, "commit", lambda _c: commits.append(1))
    return commits


def _errors(db: Database) -> list[str | None]:
    states: list[str | None] = []

    def record(context: Any) -> None:
        states.append(getattr(context.original_exception, "sqlstate", None))

    event.listen(db.write_engine.sync_engine, "handle_error", record)
    return states


def _needs_postgres(db: Database) -> None:
    if db.sqlite:
        pytest.skip("row locks and NOWAIT are PostgreSQL's; SQLite has one writer")


async def test_concurrent_invoices_of_an_organization_share_commits(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    customers = await customers_and_add_on(api, "c1", "c2", "c3")
    commits = _commits(api.db)

    created = await asyncio.gather(
        *(create_one_off_invoice(api.db, org, _request(customers[n % 3])) for n in range(40))
    )

    numbers = sorted(c.invoice.organization_sequential_id for c in created)
    assert numbers == list(range(1, 41))
    # Forty invoices, far fewer commits: they queued while the first was written.
    assert 1 <= len(commits) < 20, len(commits)


async def test_a_batch_goes_on_without_a_customer_another_transaction_holds(api: Api) -> None:
    _needs_postgres(api.db)
    assert api.organization is not None
    org = api.organization.id
    free, held = await customers_and_add_on(api, "free", "held")
    errors = _errors(api.db)
    holder = await asyncpg.connect(_asyncpg_dsn(api.db.url))
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT 1 FROM customers WHERE id = $1 FOR UPDATE", held)
        first = asyncio.create_task(create_one_off_invoice(api.db, org, _request(free)))
        second = asyncio.create_task(create_one_off_invoice(api.db, org, _request(held)))
        # The first is written and committed although the second, queued behind it in the
        # same batch, met a customer that stays held: the batch did not wait for it.
        done = await asyncio.wait_for(first, timeout=10)
        assert errors == [LOCK_NOT_AVAILABLE]
        assert not second.done()
        # What another process's batch would do next: wait for the organization. It is free.
        await asyncio.wait_for(
            holder.execute("SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE", org), 10
        )
        await transaction.rollback()
        late = await asyncio.wait_for(second, timeout=10)
    finally:
        await holder.close()
    assert done.invoice.organization_sequential_id == 1
    assert late.invoice.organization_sequential_id == 2
    assert late.invoice.customer_id == held


async def test_two_processes_batches_never_deadlock(api: Api) -> None:
    _needs_postgres(api.db)
    assert api.organization is not None
    org = api.organization.id
    customers = await customers_and_add_on(api, "c1", "c2", "c3", "c4")
    other = Database(api.db.url)  # a second server process's engine and batches
    try:
        errors = (_errors(api.db), _errors(other))
        # Each takes the customers in another order: the first invoice of one's batch holds
        # the customer the second of the other's wants.
        created = await asyncio.gather(
            *(
                create_one_off_invoice(
                    (api.db, other)[n % 2], org, _request(customers[(n // 2 + n % 2) % 4])
                )
                for n in range(120)
            )
        )
    finally:
        await other.dispose()
    assert "40P01" not in errors[0] + errors[1]  # deadlock_detected
    assert LOCK_NOT_AVAILABLE in errors[0] + errors[1]  # the case arose, and was gone around
    numbers = sorted(c.invoice.organization_sequential_id for c in created)
    assert numbers == list(range(1, 121))
    for customer in customers:
        mine = sorted(c.invoice.sequential_id for c in created if c.invoice.customer_id == customer)
        assert mine == list(range(1, 31))


async def test_a_key_repeated_within_one_batch_gives_one_invoice(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    (customer,) = await customers_and_add_on(api, "c1")
    created = await asyncio.gather(
        *(create_one_off_invoice(api.db, org, _request(customer, "same")) for _ in range(10))
    )
    assert len({c.invoice.id for c in created}) == 1
    assert sum(not c.replayed for c in created) == 1
