"""Configuration, read from the environment once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from models.store.db import normalize_database_url

DEFAULT_SQLITE_PATH = Path("var") / "oneoff.sqlite3"

# 1 min, 5 min, 30 min, 2 h, 5 h, 8 h, 8 h: about a day before a delivery is given up.
DEFAULT_RETRY_DELAYS = (60, 300, 1800, 7200, 18000, 28800, 28800)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}", alias="DATABASE_URL"
    )
    webhook_allow_private_urls: bool = Field(
        default=False, alias="ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS"
    )
    webhook_retry_delays: Annotated[tuple[float, ...], NoDecode] = Field(
        default=DEFAULT_RETRY_DELAYS, alias="ONEOFF_WEBHOOK_RETRY_DELAYS"
    )
    webhook_timeout_seconds: float = Field(default=10.0, alias="ONEOFF_WEBHOOK_TIMEOUT")
    # A claimed delivery stays claimed for the timeout plus this margin: long enough that a
    # slow database write or clock skew between hosts never lets two senders overlap.
    webhook_lease_margin_seconds: float = Field(default=30.0, alias="ONEOFF_WEBHOOK_LEASE_MARGIN")
    # How often outbox readers look for events committed by other processes.
    event_poll_seconds: float = Field(default=1.0, alias="ONEOFF_EVENT_POLL_SECONDS")
    # How long a WebSocket operation may run on a key before checking it was not revoked.
    api_key_recheck_seconds: float = Field(default=5.0, alias="ONEOFF_API_KEY_RECHECK_SECONDS")
    # How long a request may trust a key it found live without reading it again: a key revoked
    # by another process keeps working that long there (0 reads it on every request).
    api_key_cache_seconds: float = Field(default=5.0, ge=0, alias="ONEOFF_API_KEY_CACHE_SECONDS")
    run_webhook_sender: bool = Field(default=True, alias="ONEOFF_WEBHOOK_SENDER")
    max_request_bytes: int = Field(default=1_000_000, alias="ONEOFF_MAX_REQUEST_BYTES")
    # Live subscriptions one organization may hold open on one server process, all its keys
    # and sockets together: one tenant's listeners must not starve everyone else's requests.
    max_subscriptions_per_organization: int = Field(
        default=100, ge=1, alias="ONEOFF_MAX_SUBSCRIPTIONS_PER_ORGANIZATION"
    )

    # Invoice documents' links (models/documents/links.py): the signing secret, shared by every
    # process (unset: one made once and kept in the database), and how long a link works.
    document_link_secret: str | None = Field(default=None, alias="ONEOFF_DOCUMENT_LINK_SECRET")
    document_link_seconds: int = Field(
        default=7 * 24 * 3600, ge=1, alias="ONEOFF_DOCUMENT_LINK_SECONDS"
    )
    # The address links are made with (https://billing.example.com), when the server stands
    # behind a proxy; unset, each link takes the address its request came to.
    public_url: str | None = Field(default=None, alias="ONEOFF_PUBLIC_URL")

    @field_validator("database_url")
    @classmethod
    def _normalize_database_url(cls, value: str) -> str:
        # `postgres://…` and `postgresql://…`, as providers hand them out, name drivers that are
        # not installed; the server and the CLI both run them on asyncpg instead.
        return normalize_database_url(value)

    @field_validator("webhook_retry_delays", mode="before")
    @classmethod
    def _split_delays(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
