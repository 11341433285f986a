"""A fee's period of service and an invoice's metadata: given at issue, they round-trip
through GraphQL, the preview, every webhook body of the invoice and its document; bad ones
are refused with their paths and write nothing; both bind an idempotency key."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from models.documents.store import invoice_pdf
from models.store import tables
from tests.conftest import Api
from tests.documents.test_content import text_of
from tests.invoicing.making import customers_and_add_on
from tests.invoicing.test_lifecycle import pay, void

FEES = "fees { fromDatetime toDatetime }"
CREATE = f"""
mutation($input: CreateOneOffInvoiceInput!) {{
  createOneOffInvoice(input: $input) {{
    invoice {{ id metadata {FEES} }} userErrors {{ field code message }}
  }}
}}
"""
PREVIEW = f"""
query($input: PreviewOneOffInvoiceInput!) {{
  previewOneOffInvoice(input: $input) {{
    preview {{ metadata {FEES} }} userErrors {{ field code message }}
  }}
}}
"""
READ = f"query($id: ID!) {{ invoice(id: $id) {{ metadata {FEES} }} }}"
NOVEMBER_IN_PARIS = {
    "fromDatetime": "2026-11-01T00:00:00+01:00",
    "toDatetime": "2026-11-30T23:59:59+01:00",
}
ORDER = {"order_id": "ORD-2026-118", "channel": "Partner · Zoë", "empty": ""}


async def issue(api: Api, customer: str, fees: list[dict[str, Any]], **more: Any) -> Any:
    given = {"customerId": customer, "fees": fees, **more}
    return (await api(CREATE, input=given))["createOneOffInvoice"]


async def bodies(api: Api, invoice_id: str) -> list[dict[str, Any]]:
    async with api.db.read() as session:
        events = await session.exec(
            select(tables.Event)
            .where(col(tables.Event.object_id) == invoice_id)
            .order_by(col(tables.Event.sequence))
        )
        return [event.payload for event in events]


async def test_periods_and_metadata_round_trip_everywhere(api: Api) -> None:
    assert api.organization is not None
    (customer,) = await customers_and_add_on(api, "c")
    await api(
        'mutation { updateOrganization(input: {timezone: "Europe/Paris"}) { userErrors { code } } }'
    )
    fees = [{"addOnCode": "a", **NOVEMBER_IN_PARIS}, {"addOnCode": "a"}]
    given = {"customerId": customer, "fees": fees, "metadata": ORDER}
    preview = (await api(PREVIEW, input=given))["previewOneOffInvoice"]
    created = await issue(api, customer, fees, metadata=ORDER)
    assert created["userErrors"] == [] == preview["userErrors"]
    expected = {
        "metadata": ORDER,
        "fees": [
            {
                "fromDatetime": "2026-10-31T23:00:00+00:00",
                "toDatetime": "2026-11-30T22:59:59+00:00",
            },
            {"fromDatetime": None, "toDatetime": None},
        ],
    }
    invoice_id = created["invoice"].pop("id")
    assert created["invoice"] == expected
    assert preview["preview"] == expected
    assert (await api(READ, id=invoice_id))["invoice"] == expected

    # Every webhook body of the invoice carries its metadata: issue, payment, void.
    assert (await pay(api, invoice_id, "FAILED"))["userErrors"] == []
    assert (await void(api, invoice_id))["userErrors"] == []
    found = await bodies(api, invoice_id)
    assert [body["webhook_type"] for body in found] == [
        "invoice.one_off_created",
        "invoice.payment_status_updated",
        "invoice.voided",
    ]
    for body in found:
        assert body["invoice"]["metadata"] == ORDER
        assert [(fee["from_datetime"], fee["to_datetime"]) for fee in body["invoice"]["fees"]] == [
            ("2026-10-31T23:00:00+00:00", "2026-11-30T22:59:59+00:00"),
            (None, None),
        ]

    # The document prints the period as the days it covers where the invoice is dated.
    pdf = await invoice_pdf(api.db, api.organization.id, invoice_id)
    assert pdf is not None
    text = " ".join(text_of(pdf[1]).split())
    assert "Nov 1, 2026 – Nov 30, 2026" in text
    assert "order_id: ORD-2026-118" in text
    assert "channel: Partner · Zoë" in text


async def test_an_invoice_without_them_has_empty_metadata_and_no_periods(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    created = await issue(api, customer, [{"addOnCode": "a"}], metadata={})
    assert created["invoice"]["metadata"] == {}
    assert created["invoice"]["fees"] == [{"fromDatetime": None, "toDatetime": None}]
    (body,) = await bodies(api, created["invoice"]["id"])
    assert body["invoice"]["metadata"] == {}


def _fee(**period: Any) -> list[dict[str, Any]]:
    return [{"addOnCode": "a", **period}]


BAD = [
    pytest.param(
        {"fees": _fee(fromDatetime="2026-11-01T00:00:00Z")},
        [(["fees", "0", "toDatetime"], "REQUIRED")],
        id="period-without-its-end",
    ),
    pytest.param(
        {"fees": _fee(toDatetime="2026-11-01T00:00:00Z")},
        [(["fees", "0", "fromDatetime"], "REQUIRED")],
        id="period-without-its-start",
    ),
    pytest.param(
        {"fees": _fee(fromDatetime="2026-11-02T00:00:00Z", toDatetime="2026-11-01T23:59:59Z")},
        [(["fees", "0", "toDatetime"], "VALUE_OUT_OF_RANGE")],
        id="period-reversed",
    ),
    pytest.param(
        {"fees": _fee(fromDatetime="2026-11-01T00:00:00", toDatetime="2026-11-30")},
        [
            (["fees", "0", "fromDatetime"], "INVALID_VALUE"),
            (["fees", "0", "toDatetime"], "INVALID_VALUE"),
        ],
        id="period-without-offsets",
    ),
    pytest.param(
        {
            "fees": [
                {"addOnCode": "a"},
                {
                    "addOnCode": "a",
                    "fromDatetime": "0001-01-01T00:00:00+01:00",
                    "toDatetime": "9999-12-31T23:59:59-01:00",
                },
            ]
        },
        [
            (["fees", "1", "fromDatetime"], "VALUE_OUT_OF_RANGE"),
            (["fees", "1", "toDatetime"], "VALUE_OUT_OF_RANGE"),
        ],
        id="period-out-of-any-billing-years",
    ),
    pytest.param({"metadata": "order 7"}, [(["metadata"], "INVALID_VALUE")], id="not-an-object"),
    pytest.param({"metadata": ["a", "b"]}, [(["metadata"], "INVALID_VALUE")], id="a-list"),
    pytest.param(
        {"metadata": {f"k{i}": "v" for i in range(51)}},
        [(["metadata"], "VALUE_OUT_OF_RANGE")],
        id="51-keys",
    ),
    pytest.param(
        {"metadata": {"": "x", "  ": "y"}},
        [(["metadata", ""], "INVALID_VALUE"), (["metadata", "  "], "INVALID_VALUE")],
        id="blank-keys",
    ),
    pytest.param(
        {"metadata": {"k" * 41: "x"}}, [(["metadata", "k" * 41], "TOO_LONG")], id="long-key"
    ),
    pytest.param(
        {"metadata": {"k": "v" * 501}}, [(["metadata", "k"], "TOO_LONG")], id="long-value"
    ),
    pytest.param(
        {"metadata": {"n": 5, "b": True, "z": None, "o": {"a": "b"}, "l": ["x"], "ok": "fine"}},
        [(["metadata", key], "INVALID_VALUE") for key in ("n", "b", "z", "o", "l")],
        id="non-string-values",
    ),
]


@pytest.mark.parametrize(("more", "errors"), BAD)
async def test_bad_periods_and_metadata_are_refused_with_their_paths(
    api: Api, more: dict[str, Any], errors: list[tuple[list[str], str]]
) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    given = {"customerId": customer, "fees": _fee(), **more}
    refused = (await api(CREATE, input=given))["createOneOffInvoice"]
    assert refused["invoice"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == errors
    previewed = (await api(PREVIEW, input=given))["previewOneOffInvoice"]
    assert previewed["userErrors"] == refused["userErrors"]
    async with api.db.read() as session:
        assert list(await session.exec(select(tables.Invoice))) == []
        assert list(await session.exec(select(tables.Event))) == []


async def test_the_bounds_themselves_are_accepted(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    widest = {f"{i:02d}" + "k" * 38: "v" * 500 for i in range(50)}
    one_instant = {"fromDatetime": "2026-11-01T00:00:00Z", "toDatetime": "2026-11-01T00:00:00Z"}
    created = await issue(api, customer, _fee(**one_instant), metadata=widest)
    assert created["userErrors"] == []
    assert created["invoice"]["metadata"] == widest


async def test_text_that_is_no_instant_is_a_graphql_error_not_a_crash(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    given = {"customerId": customer, "fees": _fee(fromDatetime="soon", toDatetime=5)}
    result = await api.raw(CREATE, input=given)
    assert result.data is None
    assert result.errors
    assert all("DateTime" in error.message for error in result.errors)
    async with api.db.read() as session:
        assert list(await session.exec(select(tables.Invoice))) == []


async def test_periods_and_metadata_bind_the_idempotency_key(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    first = await issue(
        api, customer, _fee(**NOVEMBER_IN_PARIS), metadata=ORDER, idempotencyKey="k"
    )
    # The same instants in UTC, the same keys in another order: the same request.
    same = {
        "fromDatetime": "2026-10-31T23:00:00Z",
        "toDatetime": "2026-11-30T22:59:59+00:00",
    }
    again = await issue(
        api, customer, _fee(**same), metadata=dict(reversed(ORDER.items())), idempotencyKey="k"
    )
    assert again["userErrors"] == []
    assert again["invoice"]["id"] == first["invoice"]["id"]
    for fees, metadata in (
        (_fee(**NOVEMBER_IN_PARIS), {**ORDER, "order_id": "ORD-2026-119"}),
        (_fee(**NOVEMBER_IN_PARIS), None),
        (_fee(), ORDER),
        (_fee(**{**NOVEMBER_IN_PARIS, "toDatetime": "2026-11-30T23:59:58+01:00"}), ORDER),
    ):
        reused = await issue(api, customer, fees, metadata=metadata, idempotencyKey="k")
        assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]


async def test_metadata_may_be_written_in_the_document_itself(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    literal = """
    mutation($c: ID!, $order: String) {
      createOneOffInvoice(input: {customerId: $c, fees: [{addOnCode: "a"}],
                                  metadata: {order_id: $order, source: "console"}}) {
        invoice { metadata } userErrors { field code }
      }
    }
    """
    created = (await api(literal, c=customer, order="ORD-9"))["createOneOffInvoice"]
    assert created == {
        "invoice": {"metadata": {"order_id": "ORD-9", "source": "console"}},
        "userErrors": [],
    }


async def test_the_document_prints_the_days_covered_and_every_character_given(api: Api) -> None:
    assert api.organization is not None
    (customer,) = await customers_and_add_on(api, "c")
    await api(
        'mutation { updateOrganization(input: {timezone: "Asia/Tokyo"}) { userErrors { code } } }'
    )
    fees = [
        # Ends at midnight in Tokyo: covers none of December 1.
        {
            "addOnCode": "a",
            "fromDatetime": "2026-10-31T15:00:00Z",
            "toDatetime": "2026-11-30T15:00:00Z",
        },
        # One afternoon, given in another offset.
        {
            "addOnCode": "a",
            "fromDatetime": "2026-12-02T13:00:00-05:00",
            "toDatetime": "2026-12-02T17:00:00-05:00",
        },
    ]
    long_id = "ORD-" + "9" * 496
    created = await issue(api, customer, fees, metadata={"long": long_id}, note="x" * 1000)
    assert created["userErrors"] == []
    pdf = await invoice_pdf(api.db, api.organization.id, created["invoice"]["id"])
    assert pdf is not None
    # Long unbroken runs may break at zero-width spaces rather than run off the page.
    text = " ".join(text_of(pdf[1]).replace("\u200b", "").split())
    assert "Nov 1, 2026 – Nov 30, 2026" in text
    assert "Dec 3, 2026" in text  # in Tokyo, that afternoon in New York is the next day
    # Wrapped over lines, which text extraction joins with spaces.
    unwrapped = text.replace(" ", "")
    assert f"long:{long_id}" in unwrapped
    assert "x" * 1000 in unwrapped
