"""Where a delivery may connect: a host is resolved once, refused if any address it resolves
to is private, and the connection is pinned to the address that was checked."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from models.webhooks import urls
from models.webhooks.urls import Refused, pinned_target


async def test_a_hostname_that_resolves_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def private(host: str, port: int) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address("8.8.8.8"), ipaddress.IPv4Address("10.0.0.7")]

    monkeypatch.setattr(urls, "resolve", private)
    with pytest.raises(Refused, match=r"hooks\.example\.com resolves to the private address"):
        await pinned_target(httpx.URL("https://hooks.example.com/x"))
    with pytest.raises(Refused, match="local name"):
        await pinned_target(httpx.URL("http://api.localhost/x"))


async def test_a_public_hostname_is_pinned_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def public(host: str, port: int) -> list[ipaddress.IPv4Address]:
        assert (host, port) == ("hooks.example.com", 8443)
        return [ipaddress.IPv4Address("93.184.216.34")]

    monkeypatch.setattr(urls, "resolve", public)

    url, headers, extensions = await pinned_target(
        httpx.URL("https://hooks.example.com:8443/in?x=1")
    )

    assert str(url) == "https://93.184.216.34:8443/in?x=1"
    assert headers == {"host": "hooks.example.com:8443"}
    assert extensions == {"sni_hostname": "hooks.example.com"}
