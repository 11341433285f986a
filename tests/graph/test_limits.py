"""Documents past the schema's depth, alias or token limits are refused before any resolver."""

from __future__ import annotations

from graph.limits import MAX_ALIASES, MAX_DEPTH, MAX_SELECTIONS, MAX_TOKENS
from tests.conftest import Api


def nested(levels: int) -> str:
    """A document whose leaf field sits `levels` selection sets deep."""
    selection = "id"
    for _ in range(levels - 1):
        selection = f"organization {{ {selection} }}"
    return f"{{ organization {{ {selection} }} }}"


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{n}: organization {{ id }}" for n in range(count)) + " }"


def tokens(count: int) -> str:
    """`{ id id … }` inside `{ organization … }`: exactly `count` tokens."""
    return "{ organization { " + "id " * (count - 5) + "} }"


async def messages(api: Api, document: str) -> list[str]:
    result = await api.raw(document)
    if result.errors:
        assert result.data is None
    return [error.message for error in result.errors or []]


def test_the_limits_are_the_documented_ones() -> None:
    assert (MAX_DEPTH, MAX_ALIASES, MAX_TOKENS) == (10, 30, 4000)


async def test_a_document_deeper_than_the_limit_is_refused(api: Api) -> None:
    refused = await messages(api, nested(MAX_DEPTH + 1))

    assert f"'anonymous' exceeds maximum operation depth of {MAX_DEPTH}" in refused


async def test_a_document_at_the_depth_limit_passes_the_depth_check(api: Api) -> None:
    # Organization has no field that nests that deep: the document is invalid, but not too deep.
    assert not any("depth" in message for message in await messages(api, nested(MAX_DEPTH)))


async def test_depth_is_counted_through_fragments(api: Api) -> None:
    inner = nested(MAX_DEPTH)[1:-1]  # the selection without its outer braces
    document = f"query Deep {{ ...F }} fragment F on Query {{ organization {{ {inner} }} }}"

    assert f"'Deep' exceeds maximum operation depth of {MAX_DEPTH}" in await messages(api, document)


async def test_thirty_one_aliases_are_refused(api: Api) -> None:
    assert await messages(api, aliased(MAX_ALIASES + 1)) == [
        f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"
    ]


async def test_thirty_aliases_are_served(api: Api) -> None:
    data = await api(aliased(MAX_ALIASES))

    assert len(data) == MAX_ALIASES
    assert api.organization is not None
    assert {value["id"] for value in data.values()} == {api.organization.id}


async def test_a_document_past_the_token_limit_is_refused(api: Api) -> None:
    [message] = await messages(api, tokens(MAX_TOKENS + 1))

    assert f"more than {MAX_TOKENS} tokens" in message


async def test_a_document_at_the_token_limit_is_not_refused_for_its_tokens(api: Api) -> None:
    # So many fields in one selection set trip graphql-core's validation on their own
    # ("Validation aborted."): only the token count is the point here.
    refused = await messages(api, tokens(MAX_TOKENS))

    assert not any("tokens" in message for message in refused)


async def test_the_limits_apply_before_authentication(api: Api) -> None:
    anonymous = Api(db=api.db, settings=api.settings, organization=None, key="")

    assert await messages(anonymous, aliased(MAX_ALIASES + 1)) == [
        f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"
    ]


async def test_a_selection_set_past_the_breadth_limit_is_refused_before_validation(
    api: Api,
) -> None:
    # `nope` is no field: had validation run, it would say so too.
    wide = "{ organization { " + "id " * MAX_SELECTIONS + "nope } }"
    result = await api.raw(wide)

    assert result.data is None
    assert [(error.message, error.extensions) for error in result.errors or []] == [
        (
            f"A selection set may hold at most {MAX_SELECTIONS} selections.",
            {"code": "GRAPHQL_VALIDATION_FAILED"},
        )
    ]
    assert await api("{ organization { " + "id " * MAX_SELECTIONS + "} }")


async def test_refused_documents_say_why_in_a_code(api: Api) -> None:
    for document, code in (
        ("{ organization { id ", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        (nested(MAX_DEPTH + 1), "GRAPHQL_VALIDATION_FAILED"),
    ):
        result = await api.raw(document)
        assert result.errors, document
        assert {error.extensions["code"] for error in result.errors if error.extensions} == {
            code
        }, document


async def test_nul_characters_are_refused_alike_on_every_engine(api: Api) -> None:
    lookup = "query($e: String) { customer(externalId: $e) { id } }"
    literal = '{ customer(externalId: "a\\u0000b") { id } }'
    create = (
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { userErrors { code } } }"
    )
    for result in (
        await api.raw(lookup, e="a\x00b"),
        await api.raw(literal),
        await api.raw(create, i={"externalId": "x", "name": "nul\x00name"}),
    ):
        assert result.data is None
        assert [error.extensions for error in result.errors or []] == [{"code": "BAD_USER_INPUT"}]
    assert (await api("{ customers { totalCount } }"))["customers"]["totalCount"] == 0
