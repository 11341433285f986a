"""A tax's EN 16931 VAT category and exemption reason: set, checked against its category's
rules, changed, and frozen on the invoices that applied it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

FIELDS = "id code rate category exemptionReason exemptionReasonCode"
CREATE = f"""
mutation($input: CreateTaxInput!) {{
  createTax(input: $input) {{ tax {{ {FIELDS} }} userErrors {{ field code message }} }}
}}"""
UPDATE = f"""
mutation($input: UpdateTaxInput!) {{
  updateTax(input: $input) {{ tax {{ {FIELDS} }} userErrors {{ field code message }} }}
}}"""
ALL = f"query {{ taxes(first: 100) {{ nodes {{ {FIELDS} }} }} }}"


async def _create(api: Api, **fields: Any) -> dict[str, Any]:
    fields.setdefault("code", "t")
    fields.setdefault("name", "Tax")
    fields.setdefault("rate", "0")
    payload: dict[str, Any] = (await api(CREATE, input=fields))["createTax"]
    return payload


def _errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(e["field"]), e["code"]) for e in payload["userErrors"]]


async def test_a_tax_is_standard_rated_unless_told(api: Api) -> None:
    created = await _create(api, rate="20")
    assert created["tax"]["category"] == "S"
    assert created["tax"]["exemptionReason"] is None
    # Today's behaviour is kept: a 0 % tax made without a category is still accepted.
    assert (await _create(api, code="zero"))["tax"]["category"] == "S"


@pytest.mark.parametrize(
    ("category", "reason", "code"),
    [
        ("Z", None, None),
        ("E", "Exempt under article 261 C of the CGI", None),
        ("AE", None, "VATEX-EU-AE"),
        ("K", "Intra-community supply", "VATEX-EU-IC"),
        ("G", None, "VATEX-EU-G"),
        ("O", "Not subject to VAT", "VATEX-EU-O"),
    ],
)
async def test_each_zero_rate_category_round_trips(
    api: Api, category: str, reason: str | None, code: str | None
) -> None:
    created = await _create(
        api, category=category, exemptionReason=reason, exemptionReasonCode=code
    )
    assert created["userErrors"] == []
    assert created["tax"] | {"id": None} == {
        "id": None,
        "code": "t",
        "rate": "0",
        "category": category,
        "exemptionReason": reason,
        "exemptionReasonCode": code,
    }


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        # Exempting categories take a rate of 0 and a reason (BR-E-05, BR-E-10 and kin).
        ({"category": "E", "rate": "20", "exemptionReason": "x"}, [("rate", "INVALID_VALUE")]),
        ({"category": "E"}, [("exemptionReason", "REQUIRED")]),
        ({"category": "AE", "exemptionReason": "  "}, [("exemptionReason", "REQUIRED")]),
        ({"category": "Z", "rate": "5.5"}, [("rate", "INVALID_VALUE")]),
        # The others take no reason (BR-S-10, BR-Z-10).
        (
            {"category": "S", "rate": "20", "exemptionReason": "why"},
            [("exemptionReason", "INVALID_VALUE")],
        ),
        (
            {"category": "Z", "exemptionReasonCode": "VATEX-EU-O"},
            [("exemptionReasonCode", "INVALID_VALUE")],
        ),
        # A code is one of the VATEX list's shape, and not too long.
        (
            {"category": "O", "exemptionReasonCode": "outside"},
            [("exemptionReasonCode", "INVALID_VALUE")],
        ),
        (
            {"category": "O", "exemptionReasonCode": "VATEX-EU-" + "X" * 40},
            [("exemptionReasonCode", "TOO_LONG")],
        ),
        ({"category": "E", "exemptionReason": "x" * 1001}, [("exemptionReason", "TOO_LONG")]),
    ],
)
async def test_a_category_refuses_what_its_rules_forbid(
    api: Api, fields: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    before = await api(ALL)
    refused = await _create(api, **fields)
    assert refused["tax"] is None
    assert _errors(refused) == errors, refused
    assert await api(ALL) == before


async def test_an_unknown_category_is_a_graphql_error(api: Api) -> None:
    with pytest.raises(AssertionError, match="TaxCategory"):
        await _create(api, category="VAT")


async def test_an_update_is_checked_as_the_tax_will_be(api: Api) -> None:
    tax_id = (await _create(api, category="E", exemptionReason="Exempt"))["tax"]["id"]
    # A rate alone would break its category; so would dropping its reason.
    for change, errors in (
        ({"rate": "20"}, [("rate", "INVALID_VALUE")]),
        ({"exemptionReason": None}, [("exemptionReason", "REQUIRED")]),
        ({"category": "S", "rate": "20"}, [("exemptionReason", "INVALID_VALUE")]),
    ):
        refused = (await api(UPDATE, input={"id": tax_id, **change}))["updateTax"]
        assert _errors(refused) == errors, change
    changed = (
        await api(
            UPDATE,
            input={"id": tax_id, "category": "S", "rate": "20", "exemptionReason": None},
        )
    )["updateTax"]
    assert changed["userErrors"] == []
    assert changed["tax"]["category"] == "S"
    assert changed["tax"]["exemptionReason"] is None
    # Null sets the category back to the default.
    reset = (await api(UPDATE, input={"id": tax_id, "category": None}))["updateTax"]
    assert reset["tax"]["category"] == "S"


async def test_issued_invoices_keep_the_category_they_were_issued_with(api: Api) -> None:
    tax_id = (
        await _create(api, code="exempt", category="E", exemptionReasonCode="VATEX-EU-132-1I")
    )["tax"]["id"]
    await api(
        'mutation { createCustomer(input: {externalId: "c", name: "C"}) { customer { id } } }'
    )
    await api(
        'mutation { createAddOn(input: {code: "a", name: "A", amountCents: 1000, '
        'amountCurrency: EUR, taxCodes: ["exempt"]}) { addOn { id } } }'
    )
    created = await api(
        'mutation { createOneOffInvoice(input: {externalCustomerId: "c", fees: [{addOnCode: "a"}]})'
        " { invoice { id } userErrors { code } } }"
    )
    invoice_id = created["createOneOffInvoice"]["invoice"]["id"]
    await api(UPDATE, input={"id": tax_id, "category": "Z", "exemptionReasonCode": None})
    taxes = "taxCode taxCategory taxExemptionReason taxExemptionReasonCode"
    read = await api(
        f'query {{ invoice(id: "{invoice_id}") {{ appliedTaxes {{ {taxes} }} '
        f"fees {{ appliedTaxes {{ {taxes} }} }} }} }}"
    )
    frozen = {
        "taxCode": "exempt",
        "taxCategory": "E",
        "taxExemptionReason": None,
        "taxExemptionReasonCode": "VATEX-EU-132-1I",
    }
    assert read["invoice"]["appliedTaxes"] == [frozen]
    assert read["invoice"]["fees"][0]["appliedTaxes"] == [frozen]
