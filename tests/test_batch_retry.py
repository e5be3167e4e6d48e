"""The look-up-then-retry loop of uploads and creates waits as long as the server asked."""

from __future__ import annotations

from llamaextract_nb.client import APIConnectionError, RateLimitError
from llamaextract_nb.client.create_once import retry_delay as _retry_delay


def _rate_limited(retry_after: float | None) -> RateLimitError:
    return RateLimitError(
        429, "slow down", method="POST", path="/api/v2/extract", retry_after=retry_after
    )


def test_retry_after_from_the_server_wins() -> None:
    assert _retry_delay(0, _rate_limited(4.5)) == 4.5
    assert _retry_delay(3, _rate_limited(0.0)) == 0.0


def test_without_retry_after_429_waits_at_least_a_second() -> None:
    assert _retry_delay(0, _rate_limited(None)) >= 1.0
    assert 0.375 <= _retry_delay(0, APIConnectionError("POST", "/api/v2/extract", "reset")) <= 0.5
