"""The run's poll loop waits on an event without ever swallowing a cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

from llamaextract_nb.client.job_poller import _wait_event


async def test_a_cancel_arriving_as_the_event_is_set_still_cancels() -> None:
    """``asyncio.wait_for`` before Python 3.12 returns normally here, and the Studio's run
    went on polling after it was closed."""
    event = asyncio.Event()
    task = asyncio.create_task(_wait_event(event, 10))
    await asyncio.sleep(0.01)
    event.set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_returns_when_set_or_after_the_timeout() -> None:
    event = asyncio.Event()
    started = time.monotonic()
    await _wait_event(event, 0.05)
    assert 0.04 <= time.monotonic() - started < 1
    asyncio.get_running_loop().call_later(0.01, event.set)
    await _wait_event(event, None)
    assert event.is_set()
