"""What a real server answers to input no field should ever see: unstorable text on every
string argument, JSON nested past the limit, unknown operations, subscriptions over HTTP.
Every answer is JSON with a code and a request id, never an internal error."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from graph.schema import schema
from graph.transport import MAX_JSON_DEPTH
from models.organizations.api_keys import MAX_LIVE_API_KEYS
from tests.databases import Provisioner
from tests.http_api import Http, create_organization_key, invoice_and_event_counts
from tests.server import Server, running_server
from tests.ws import close_frame, connected, next_message, open_socket, subscribe

# One server per engine for the module: a start costs seconds, and these tests only ever
# add organizations of their own. Its limits are low enough for the tests to reach.
MAX_SUBSCRIPTIONS = 3
MAX_REQUEST_BYTES = 20_000

POISON = "sur\ud800rogate"
SAMPLES: dict[str, Any] = {
    "String": "x",
    "ID": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Decimal": "1",
    "BigInt": "1",
    "DateTime": "2026-01-01T00:00:00Z",
    "Date": "2026-01-01",
}
Leaf = tuple[str, ...]


@pytest.fixture(scope="module")
def server(provisioner: Provisioner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("refusals")
    url = provisioner.fresh(directory)
    limits = {
        "ONEOFF_MAX_SUBSCRIPTIONS_PER_ORGANIZATION": str(MAX_SUBSCRIPTIONS),
        "ONEOFF_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
    }
    with running_server(url, log_dir=directory, env_overrides=limits) as running:
        yield running
    provisioner.drop(url)


def _post(server: Server, body: object, key: str | None = None) -> httpx.Response:
    # httpx would encode the lone surrogate as UTF-8 and fail: JSON's \u escape is what a
    # client sends.
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    with server.client() as http:
        return http.post("/graphql", content=json.dumps(body).encode(), headers=headers)


def _string_leaves(kind: GraphQLInputType, at: Leaf = ()) -> Iterator[Leaf]:
    """Paths to every String or ID a value of this input type can hold."""
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    if isinstance(kind, GraphQLScalarType) and kind.name in ("String", "ID"):
        yield at
    elif isinstance(kind, GraphQLInputObjectType):
        for name, field in kind.fields.items():
            yield from _string_leaves(field.type, (*at, name))


def _sample(kind: GraphQLInputType, poison: Leaf | None) -> Any:
    """A valid value of the type, with POISON at `poison` (a path from _string_leaves)."""
    if isinstance(kind, GraphQLNonNull):
        return _sample(kind.of_type, poison)
    if isinstance(kind, GraphQLList):
        return [_sample(kind.of_type, poison)]
    if isinstance(kind, GraphQLInputObjectType):
        value = {
            name: _sample(field.type, None)
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
        if poison:
            head, *rest = poison
            value[head] = _sample(kind.fields[head].type, tuple(rest))
        return value
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    assert isinstance(kind, GraphQLScalarType)
    return POISON if poison == () else SAMPLES.get(kind.name, "EUR")


def _cases(operation: str) -> Iterator[tuple[str, str, GraphQLField, Leaf]]:
    root = getattr(schema._schema, f"{operation}_type")
    for field_name, field in root.fields.items():
        for arg_name, arg in field.args.items():
            for leaf in _string_leaves(arg.type):
                yield field_name, arg_name, field, leaf


def _document(operation: str, field_name: str, field: GraphQLField) -> str:
    args: dict[str, GraphQLArgument] = field.args
    declared = ", ".join(f"${name}: {arg.type}" for name, arg in args.items())
    passed = ", ".join(f"{name}: ${name}" for name in args)
    selection = (
        "" if isinstance(get_named_type(field.type), GraphQLScalarType) else "{ __typename }"
    )
    return f"{operation}({declared}) {{ {field_name}({passed}) {selection} }}"


def _variables(field: GraphQLField, arg_name: str, leaf: Leaf) -> dict[str, Any]:
    variables = {
        name: _sample(arg.type, None)
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull)
    }
    variables[arg_name] = _sample(field.args[arg_name].type, leaf)
    return variables


def test_the_walk_finds_the_arguments_the_issue_names() -> None:
    found = {(f, a, leaf) for op in ("query", "mutation") for f, a, _, leaf in _cases(op)}
    assert ("createCustomer", "input", ("externalId",)) in found
    assert ("customers", "searchTerm", ()) in found
    assert ("invoice", "id", ()) in found
    assert ("createTax", "input", ("code",)) in found
    assert ("createOneOffInvoice", "input", ("idempotencyKey",)) in found
    assert ("createOneOffInvoice", "input", ("fees", "taxCodes")) in found
    assert len(found) > 60


def test_every_string_argument_refuses_an_unpaired_surrogate(server: Server) -> None:
    key = create_organization_key_sync(server)
    before = invoice_and_event_counts_sync(server)
    refused = []
    for operation in ("query", "mutation"):
        for field_name, arg_name, field, leaf in _cases(operation):
            body = {
                "query": _document(operation, field_name, field),
                "variables": _variables(field, arg_name, leaf),
            }
            answer = _post(server, body, key).json()
            codes = [error["extensions"]["code"] for error in answer.get("errors", [])]
            where = f"{field_name}({arg_name}: {'.'.join(leaf)})"
            assert codes == ["BAD_USER_INPUT"], (where, answer)
            assert "surrogate" in answer["errors"][0]["message"], (where, answer)
            refused.append(where)
    assert invoice_and_event_counts_sync(server) == before
    assert len(refused) > 60


def test_every_string_argument_of_a_subscription_refuses_an_unpaired_surrogate(
    server: Server,
) -> None:
    key = create_organization_key_sync(server)
    cases = list(_cases("subscription"))
    assert {(field, arg) for field, arg, _, _ in cases} >= {
        ("invoiceCreated", "customerId"),
        ("invoiceCreated", "after"),
    }

    async def run() -> list[dict[str, Any]]:
        socket = await connected(server.ws_url, key)
        answers = []
        for number, (field_name, arg_name, field, leaf) in enumerate(cases):
            document = _document("subscription", field_name, field)
            await subscribe(socket, document, _variables(field, arg_name, leaf), str(number))
            answers.append(await next_message(socket))
        await socket.close()
        return answers

    for answer in _run(run()):
        assert answer["type"] == "error", answer
        assert answer["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 600, 1000, 5000])
def test_json_nested_too_deep_is_a_400_with_a_code(server: Server, depth: int) -> None:
    body = '{"query": "{ __typename }", "variables": {"x": ' + _nested(depth) + "}}"
    with server.client() as http:
        posted = http.post(
            "/graphql", content=body.encode(), headers={"Content-Type": "application/json"}
        )
        got = http.get(
            "/graphql",
            params={"query": "{ __typename }", "variables": '{"x": ' + _nested(depth) + "}"},
        )
    for response in (posted, got):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-request-id"]
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "JSON_TOO_DEEP"
        assert str(MAX_JSON_DEPTH) in error["message"]


def test_json_at_the_depth_limit_is_parsed(server: Server) -> None:
    # The body object is level 1 and variables level 2: the list fills the rest exactly.
    body = '{"query": "{ __typename }", "variables": {"x": ' + _nested(MAX_JSON_DEPTH - 2) + "}}"
    with server.client() as http:
        response = http.post(
            "/graphql", content=body.encode(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("where", ["connection_init", "subscribe"])
def test_json_nested_too_deep_on_a_websocket_closes_with_4400(server: Server, where: str) -> None:
    key = create_organization_key_sync(server)
    deep = '{"x": ' + _nested(1000) + "}"

    async def run() -> Any:
        if where == "connection_init":
            socket = await open_socket(server.ws_url, None)
            await socket.close()
            socket = await _raw_socket(server)
            await socket.send('{"type": "connection_init", "payload": ' + deep + "}")
        else:
            socket = await connected(server.ws_url, key)
            await socket.send(
                '{"id": "1", "type": "subscribe", "payload": {"query": "subscription '
                '{ invoiceCreated { cursor } }", "variables": ' + deep + "}}"
            )
        return await close_frame(socket)

    received = _run(run())
    assert received.code == 4400
    assert str(MAX_JSON_DEPTH) in received.reason


@pytest.mark.parametrize("name", ["B", POISON])
def test_an_unknown_operation_name_is_json_with_a_code(server: Server, name: str) -> None:
    response = _post(server, {"query": "query A { __typename }", "operationName": name})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
    assert name in error["message"]


@pytest.mark.parametrize(
    ("method", "content", "content_type", "status", "code"),
    [
        ("POST", b"{not json", "application/json", 400, "BAD_REQUEST"),
        ("POST", b"query", "text/plain", 400, "BAD_REQUEST"),
        ("POST", b'{"query": 1}', "application/json", 400, "BAD_REQUEST"),
        ("POST", b"{}", "application/json", 400, "BAD_REQUEST"),
        ("POST", b'"x"', "application/json", 400, "BAD_REQUEST"),
        ("POST", b"12", "application/json", 400, "BAD_REQUEST"),
        ("POST", b"null", "application/json", 400, "BAD_REQUEST"),
        (
            "POST",
            b'{"query": "{ __typename }", "variables": {"a": "\xff"}}',
            "application/json",
            400,
            "BAD_REQUEST",
        ),
        (
            "POST",
            b'{"query": "{ __typename }", "variables": {"a": ' + b"9" * 5000 + b"}}",
            "application/json",
            400,
            "BAD_REQUEST",
        ),
        ("PUT", b"{}", "application/json", 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", b"", "application/json", 405, "METHOD_NOT_ALLOWED"),
    ],
)
def test_every_refusal_of_graphql_is_json_with_a_code_and_a_request_id(
    server: Server,
    method: str,
    content: bytes,
    content_type: str,
    status: int,
    code: str,
) -> None:
    with server.client() as http:
        response = http.request(
            method, "/graphql", content=content, headers={"Content-Type": content_type}
        )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    assert response.json()["errors"][0]["extensions"]["code"] == code


def test_a_mutation_over_get_is_json_with_a_code(server: Server) -> None:
    with server.client() as http:
        response = http.get("/graphql", params={"query": "mutation { createApiKey { key } }"})
    assert response.status_code == 400
    assert response.headers["x-request-id"]
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_a_given_request_id_is_echoed_and_a_bad_one_replaced(server: Server) -> None:
    with server.client() as http:
        kept = http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "abc-1"}
        )
        replaced = http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "a b\tc"}
        )
    assert kept.headers["x-request-id"] == "abc-1"
    assert replaced.headers["x-request-id"] not in ("", "a b\tc")


def test_a_subscription_over_http_says_where_subscriptions_are(server: Server) -> None:
    key = create_organization_key_sync(server)
    response = _post(server, {"query": "subscription { invoiceCreated { cursor } }"}, key)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    assert "graphql-transport-ws" in error["message"]
    # A query of the same document is still served when it is the one named.
    both = "subscription S { invoiceCreated { cursor } } query Q { __typename }"
    answer = _post(server, {"query": both, "operationName": "Q"}, key).json()
    assert answer == {"data": {"__typename": "Query"}}


def test_subscriptions_are_capped_per_organization(server: Server) -> None:
    first_key = create_organization_key_sync(server, "Busy")
    second_key = _second_key(server, first_key)
    other_key = create_organization_key_sync(server, "Quiet")
    query = "subscription { invoiceCreated { invoice { number } } }"

    async def run() -> None:
        busy, quiet = Http(server.base_url, first_key), Http(server.base_url, other_key)
        busy_customer = (await busy.setup("c"))["c"]
        quiet_customer = (await quiet.setup("c"))["c"]
        one = await connected(server.ws_url, first_key)
        two = await connected(server.ws_url, second_key)
        for socket, op_id in ((one, "a"), (one, "b"), (two, "c")):
            await subscribe(socket, query, {}, op_id)
        # Every one of the three is live once it has seen an invoice made after it.
        await _until_live(busy, busy_customer, {one: {"a", "b"}, two: {"c"}})

        # The fourth, on another socket and with another key of the same organization.
        await subscribe(two, query, {}, "d")
        refused = await next_message(two)
        assert (refused["type"], refused["id"]) == ("next", "d"), refused
        (error,) = refused["payload"]["errors"]
        assert error["extensions"]["code"] == "LIMIT_REACHED"
        assert "ONEOFF_MAX_SUBSCRIPTIONS_PER_ORGANIZATION" in error["message"]
        assert await next_message(two) == {"id": "d", "type": "complete"}

        # Another organization is not affected.
        other = await connected(server.ws_url, other_key)
        await subscribe(other, query, {}, "x")
        await _until_live(quiet, quiet_customer, {other: {"x"}})

        # Ending one frees its slot.
        await one.send(json.dumps({"id": "a", "type": "complete"}))
        await _ready(one)
        await _subscribe_once_a_slot_is_free(two, query, "e")
        received = await _until_live(busy, busy_customer, {one: {"b"}, two: {"c", "e"}})
        assert received[one] == {"b"}  # "a" ended
        assert received[two] == {"c", "e"}
        for socket in (one, two, other):
            await socket.close()
        await busy.client.aclose()
        await quiet.client.aclose()

    _run(run())


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({}, "API key missing"),
        ({"Authorization": "oo_x"}, 'Authorization must be "Bearer <key>"'),
        ({"Authorization": "Bearer oo_00000000000000000000000000000000_no"}, "invalid or revoked"),
        ({"Authorization": f"Bearer oo_{'0' * 32}_{POISON}"}, "invalid or revoked"),
    ],
    ids=["missing", "no scheme", "wrong", "surrogate"],
)
def test_a_refused_websocket_says_why(server: Server, payload: dict[str, str], reason: str) -> None:
    create_organization_key_sync(server)

    async def run() -> Any:
        socket = await _raw_socket(server)
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        return await close_frame(socket)

    received = _run(run())
    assert received.code == 4403
    assert reason in received.reason


def test_a_too_large_body_carries_a_request_id(server: Server) -> None:
    with server.client() as http:
        body = {"query": "{ __typename }", "pad": "x" * MAX_REQUEST_BYTES}
        response = http.post("/graphql", json=body)
    assert response.status_code == 413
    assert response.headers["x-request-id"]
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


# Helpers: sync wrappers, since these tests drive a subprocess server.


def _run(coroutine: Any) -> Any:
    import asyncio

    return asyncio.run(coroutine)


def create_organization_key_sync(server: Server, name: str = "Acme") -> str:
    key: str = _run(create_organization_key(server.database_url, name))
    return key


def invoice_and_event_counts_sync(server: Server) -> tuple[int, int]:
    counts: tuple[int, int] = _run(invoice_and_event_counts(server.database_url))
    return counts


def _second_key(server: Server, key: str) -> str:
    response = _post(server, {"query": "mutation { createApiKey { key } }"}, key)
    second: str = response.json()["data"]["createApiKey"]["key"]
    return second


async def _raw_socket(server: Server) -> Any:
    from websockets.asyncio.client import connect

    return await connect(server.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]


async def _subscribe_once_a_slot_is_free(socket: Any, query: str, op_id: str) -> None:
    """Strawberry cancels a completed operation without awaiting it, so its slot is freed a
    moment after the `complete` was handled: a subscription started in that moment is refused
    with LIMIT_REACHED, and is tried again. One refused past the wait fails the caller's
    next assertion."""
    for _ in range(50):
        await subscribe(socket, query, {}, op_id)
        try:
            refused = await next_message(socket, timeout=0.5)
        except TimeoutError:
            return  # not refused: live
        assert refused["id"] == op_id, refused
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "LIMIT_REACHED"
        assert await next_message(socket) == {"id": op_id, "type": "complete"}
        await asyncio.sleep(0.1)
    raise AssertionError("the slot of a completed subscription was never freed")


async def _until_live(
    http: Http, customer: str, expected: dict[Any, set[str]]
) -> dict[Any, set[str]]:
    """Invoices until each socket's subscriptions (by operation id) have each received one,
    then what is left in the sockets read away; the operation ids each socket received.

    A subscription starts from the newest event when the server registers it, a moment after
    its `subscribe` was handled: an invoice committed in that moment is before it, and never
    sent to it. An invoice seen is one made after the subscription went live."""
    received: dict[Any, set[str]] = {socket: set() for socket in expected}
    for _ in range(20):
        await http.invoice(customer)
        for socket, ids in expected.items():
            with contextlib.suppress(TimeoutError):
                while not ids <= received[socket]:
                    received[socket].add((await next_message(socket, timeout=1.0))["id"])
        if all(ids <= received[socket] for socket, ids in expected.items()):
            break
    else:
        raise AssertionError(f"subscriptions never went live: {received}")
    for socket in expected:
        with contextlib.suppress(TimeoutError):
            while True:
                received[socket].add((await next_message(socket, timeout=0.5))["id"])
    return received


async def _ready(socket: Any) -> None:
    """A ping answered means every message sent before it was handled."""
    await socket.send(json.dumps({"type": "ping"}))
    while True:
        message = json.loads(await socket.recv())
        if message["type"] == "pong":
            return
        assert message["type"] != "error", message


def test_api_keys_stop_at_the_cap_and_page_as_a_connection(server: Server) -> None:
    key = create_organization_key_sync(server, "Many Keys")
    create = "mutation { createApiKey { key userErrors { field code message } } }"
    for _ in range(MAX_LIVE_API_KEYS - 1):
        created = _post(server, {"query": create}, key).json()["data"]["createApiKey"]
        assert created["userErrors"] == []

    refused = _post(server, {"query": create}, key).json()["data"]["createApiKey"]
    listing = """{ organization { apiKeys(first: 100, revoked: false) {
      totalCount nodes { id } pageInfo { hasNextPage } } } }"""
    page = _post(server, {"query": listing}, key).json()["data"]["organization"]["apiKeys"]

    assert refused["key"] is None
    assert [error["code"] for error in refused["userErrors"]] == ["LIMIT_REACHED"]
    assert page["totalCount"] == MAX_LIVE_API_KEYS
    assert len(page["nodes"]) == MAX_LIVE_API_KEYS
    assert page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("fee", "blamed"),
    [
        ('{addOnCode: "huge"}', ["fees", "0"]),
        # Units of 1 do not overflow: the taxes do.
        ('{addOnCode: "huge", units: "1", taxCodes: ["vat"]}', ["fees", "0"]),
        ('{addOnCode: "huge", units: "2"}', ["fees", "0", "units"]),
    ],
)
def test_an_overflow_blames_only_a_given_amount_that_overflowed(
    server: Server, fee: str, blamed: list[str]
) -> None:
    key = create_organization_key_sync(server, "Overflow")
    setup = f"""mutation {{
      createTax(input: {{code: "vat", name: "VAT", rate: "20", appliedToOrganization: true}})
        {{ userErrors {{ code }} }}
      createAddOn(input: {{code: "huge", name: "Huge", amountCents: "{2**63 - 1}",
        amountCurrency: EUR}}) {{ userErrors {{ code }} }}
      createCustomer(input: {{externalId: "c", currency: EUR}}) {{ userErrors {{ code }} }}
    }}"""
    assert "errors" not in _post(server, {"query": setup}, key).json()
    bill = f"""mutation {{ createOneOffInvoice(input: {{externalCustomerId: "c",
      fees: [{fee}]}}) {{ invoice {{ id }} userErrors {{ field code message }} }} }}"""

    refused = _post(server, {"query": bill}, key).json()["data"]["createOneOffInvoice"]

    assert refused["invoice"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (blamed, "VALUE_OUT_OF_RANGE")
    ]


@pytest.mark.parametrize(
    ("fee", "currency"),
    [
        ({"units": "NaN"}, None),
        ({"units": "1e1000"}, None),
        ({"units": ""}, None),
        ({"units": True}, None),
        ({"units": "\u0661"}, None),  # ARABIC-INDIC DIGIT ONE is not a digit of ours
        ({"unitAmountCents": "twelve"}, None),
        ({}, "EUR "),
        ({}, "XXX"),
    ],
)
def test_values_the_schema_types_refuse_are_top_level_and_write_nothing(
    server: Server, fee: dict[str, Any], currency: str | None
) -> None:
    key = create_organization_key_sync(server, "Typed")
    before = invoice_and_event_counts_sync(server)
    document = """mutation($fee: OneOffFeeInput!, $currency: CurrencyCode) {
      createOneOffInvoice(input: {externalCustomerId: "c", currency: $currency, fees: [$fee]})
      { invoice { id } userErrors { code } } }"""
    variables = {"fee": {"addOnCode": "a", **fee}, "currency": currency}

    answer = _post(server, {"query": document, "variables": variables}, key).json()

    assert answer["data"] is None
    assert [error["extensions"]["code"] for error in answer["errors"]] == ["BAD_USER_INPUT"]
    assert invoice_and_event_counts_sync(server) == before


@pytest.mark.parametrize(
    "message",
    [
        "[1]",
        "null",
        '"x"',
        '{"type": "sur\\ud800rogate"}',
        '{"id": "1", "type": "subscribe", "payload": null}',
        '{"id": "1", "type": "subscribe", "payload": {"query": 5}}',
        '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "variables": 1}}',
        '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", '
        + '"variables": {"a": '
        + "9" * 5000
        + "}}}",
    ],
    ids=[
        "list",
        "null",
        "string",
        "surrogate type",
        "null payload",
        "query not text",
        "variables not object",
        "huge integer",
    ],
)
def test_a_websocket_message_the_handler_cannot_take_closes_with_4400(
    server: Server, message: str
) -> None:
    key = create_organization_key_sync(server)

    async def run() -> Any:
        socket = await connected(server.ws_url, key)
        await socket.send(message)
        return await close_frame(socket)

    received = _run(run())
    assert received.code == 4400
    assert received.reason


def test_a_syntax_error_over_a_websocket_is_answered_with_a_code(server: Server) -> None:
    key = create_organization_key_sync(server)

    async def run() -> list[dict[str, Any]]:
        socket = await connected(server.ws_url, key)
        await subscribe(socket, "subscription { invoiceCreated { cursor } ", {}, "1")
        answer = await next_message(socket)
        # The socket stays usable.
        await subscribe(socket, "query { __typename }", {}, "2")
        after = await next_message(socket)
        await socket.close()
        return [answer, after]

    answer, after = _run(run())
    assert (answer["id"], answer["type"]) == ("1", "error"), answer
    assert answer["payload"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert (after["id"], after["type"]) == ("2", "next"), after
