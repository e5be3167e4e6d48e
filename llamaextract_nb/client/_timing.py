"""The clock the client sleeps and polls by (one place, so tests can replace it)."""

from __future__ import annotations

import asyncio
import time


def monotonic() -> float:
    """Seconds on a monotonic clock."""
    return time.monotonic()


def sleep(seconds: float) -> None:
    """Block for ``seconds``."""
    time.sleep(seconds)


async def asleep(seconds: float) -> None:
    """Yield to the event loop for ``seconds``."""
    await asyncio.sleep(seconds)
