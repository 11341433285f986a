"""URL safety for webhooks: what an endpoint's URL may be when saved, and where a delivery may
connect when sent (private, loopback, link-local and reserved addresses refused, unless
ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS=true), checked on the address actually connected to."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx

from models.inputs.errors import ErrorCode, reject

MAX_URL_LENGTH = 2048


# Letters of any script (IDNA happens when sending), digits, dots, hyphens, underscores.
_HOST_NAME = re.compile(r"^[\w.-]+$")


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """False for private, loopback, link-local, unspecified, multicast and reserved ranges."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names by itself, including legacy IPv4 forms ("2130706433",
    "0x7f.1") that resolvers accept and that would otherwise slip past a range check."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fA-FxX.]+", bare) and any(c.isdigit() for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def check_url(url: str | None, *, allow_private: bool) -> str:
    """The URL, stripped, or a rejection on ["url"] saying what is wrong with it."""
    path = ("url",)
    if url is None or not url.strip():
        raise reject(ErrorCode.REQUIRED, path, "url is required")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise reject(ErrorCode.TOO_LONG, path, f"url is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (the property raises on a port that is not a number in range)
    except ValueError as error:
        raise reject(ErrorCode.INVALID_VALUE, path, f"url is not a valid URL: {error}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise reject(ErrorCode.INVALID_VALUE, path, "url must start with http:// or https://")
    host = parts.hostname or ""
    named = bool(host.strip(".")) and _HOST_NAME.match(host) is not None
    if not (named or (":" in host and ip_literal(host) is not None)):
        raise reject(ErrorCode.INVALID_VALUE, path, "url must name a host")
    if not allow_private:
        address = ip_literal(host)
        if is_local_name(host) or (address is not None and not is_public_address(address)):
            raise reject(
                ErrorCode.INVALID_VALUE,
                path,
                "url points at a private, loopback, link-local or reserved address; such "
                "endpoints are refused unless ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS=true",
            )
    return url


class Refused(Exception):
    """The URL leads somewhere this server does not send to."""


async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise Refused(f"cannot resolve {host}: {error.strerror}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def pinned_target(url: httpx.URL) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The URL rewritten to a public address its host resolves to, with the Host header and
    TLS server name kept: the connection goes where the check looked, so a DNS answer that
    changes between check and connect cannot lead it to a private address."""
    host = url.raw_host.decode("ascii")
    literal = ip_literal(host)
    if literal is not None:
        if not is_public_address(literal):
            raise Refused(f"{host} is a private address")
        return url, {}, {}
    if is_local_name(host):
        raise Refused(f"{host} is a local name")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = await resolve(host, port)
    for address in addresses:
        if not is_public_address(address):
            raise Refused(f"{host} resolves to the private address {address}")
    if not addresses:
        raise Refused(f"cannot resolve {host}")
    netloc = url.netloc.decode("ascii").rsplit("@", 1)[-1]
    return url.copy_with(host=str(addresses[0])), {"host": netloc}, {"sni_hostname": host}
