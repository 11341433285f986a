"""currency(code): what a client needs to show amounts without floating point."""

from __future__ import annotations

import pytest

from tests.conftest import Api

QUERY = "query($c: CurrencyCode!) { currency(code: $c) { code name symbol exponent } }"


@pytest.mark.parametrize(
    ("code", "name", "symbol", "exponent"),
    [
        ("EUR", "Euro", "€", 2),
        ("JPY", "Japanese Yen", "¥", 0),
        ("KWD", "Kuwaiti Dinar", "KWD", 3),
        ("USD", "US Dollar", "$", 2),
    ],
)
async def test_a_currency_tells_its_minor_unit(
    api: Api, code: str, name: str, symbol: str, exponent: int
) -> None:
    found = (await api(QUERY, c=code))["currency"]
    assert found == {"code": code, "name": name, "symbol": symbol, "exponent": exponent}


async def test_an_unknown_code_is_refused_by_the_schema(api: Api) -> None:
    result = await api.raw(QUERY, c="XXX")
    assert result.data is None
    assert result.errors
