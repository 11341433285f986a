"""PER_ORGANIZATION numbering (rule 10, models/invoicing): one gapless sequence for the whole
organization, whatever the customers and however concurrent the requests."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from models.organizations.organizations import update_organization
from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on, invoice


async def test_concurrent_invoices_share_one_gapless_organization_sequence(api: Api) -> None:
    assert api.organization is not None
    customers = await customers_and_add_on(api, "c1", "c2", "c3")
    await update_organization(
        api.db,
        api.organization.id,
        {"document_numbering": "PER_ORGANIZATION", "document_number_prefix": "ORG"},
    )

    invoices = await asyncio.gather(*(invoice(api, customers[n % 3]) for n in range(30)))

    parsed = [re.fullmatch(r"ORG-(\d{6})-(\d{3})", inv["number"]) for inv in invoices]
    assert all(parsed), [inv["number"] for inv in invoices]
    months = {match.group(1) for match in parsed if match}
    assert len(months) == 1, months
    # Organization and customers in UTC: the month is the issuing date's.
    assert {inv["issuingDate"][:7].replace("-", "") for inv in invoices} == months
    sequence = Counter(match.group(2) for match in parsed if match)
    assert sorted(sequence) == [f"{n:03}" for n in range(1, 31)]
    assert set(sequence.values()) == {1}
    assert Counter(inv["customer"]["id"] for inv in invoices) == dict.fromkeys(customers, 10)
