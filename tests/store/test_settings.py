"""Settings read from the environment: the webhook timeout and retry schedule."""

from __future__ import annotations

import pytest

from models.store.settings import Settings

WEBHOOK_VARIABLES = (
    "ONEOFF_WEBHOOK_RETRY_DELAYS",
    "ONEOFF_WEBHOOK_TIMEOUT",
    "ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS",
)


def test_webhook_defaults_time_out_after_10s_and_retry_for_about_a_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in WEBHOOK_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    settings = Settings()

    assert settings.webhook_timeout_seconds == 10
    assert settings.webhook_allow_private_urls is False
    delays = settings.webhook_retry_delays
    assert all(delay > 0 for delay in delays)
    assert list(delays) == sorted(delays), "backoff never shortens"
    assert 20 * 3600 <= sum(delays) <= 30 * 3600, sum(delays)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("1,2.5", (1.0, 2.5)), (" 60 , 300,", (60.0, 300.0)), ("0.5", (0.5,))],
)
def test_retry_delays_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, parsed: tuple[float, ...]
) -> None:
    monkeypatch.setenv("ONEOFF_WEBHOOK_RETRY_DELAYS", raw)
    monkeypatch.setenv("ONEOFF_WEBHOOK_TIMEOUT", "2.5")

    settings = Settings()

    assert settings.webhook_retry_delays == parsed
    assert settings.webhook_timeout_seconds == 2.5
