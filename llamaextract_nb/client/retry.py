"""When to retry a request and how long to wait first (shared by the sync and async clients)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

RETRY_STATUSES = frozenset({408, 429})
INITIAL_DELAY = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0


def is_retryable_status(status_code: int) -> bool:
    """408, 429 and 5xx are retried; other 4xx never are."""
    return status_code in RETRY_STATUSES or status_code >= 500


def is_retryable_error(error: Exception) -> bool:
    """Network trouble (refused, reset, timed out, cut-off answers) is retried; a malformed
    URL or proxy setup is not."""
    return isinstance(
        error, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
    )


def parse_retry_after(headers: Mapping[str, str], now: Callable[[], float]) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, then ``Retry-After``).

    ``Retry-After`` may be seconds or an HTTP date. Values above :data:`MAX_RETRY_AFTER`
    are capped; unparsable or negative values are ignored.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
        except ValueError:
            value = -1
        if value >= 0:
            return min(value, MAX_RETRY_AFTER)
    text = headers.get("retry-after")
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        value = when.timestamp() - now()
        value = max(value, 0.0)
    if value < 0:
        return None
    return min(value, MAX_RETRY_AFTER)


def backoff(retry_index: int, rng: Callable[[], float] = random.random) -> float:
    """Jittered exponential delay before retry number ``retry_index`` (0-based): 0.5 s doubling,
    capped at 8 s, times a factor in [0.75, 1]."""
    base = min(INITIAL_DELAY * 2**retry_index, MAX_BACKOFF)
    return base * (1 - 0.25 * rng())


@dataclass(frozen=True)
class RetryPolicy:
    """Up to ``max_retries`` retries after the first attempt."""

    max_retries: int

    def delay(self, retry_index: int, response: httpx.Response | None) -> float:
        """Seconds to wait before retry ``retry_index``: the server's wish if it stated one."""
        if response is not None:
            asked = parse_retry_after(response.headers, time.time)
            if asked is not None:
                return asked
        return backoff(retry_index)

    def allows(self, retry_index: int) -> bool:
        return retry_index < self.max_retries
