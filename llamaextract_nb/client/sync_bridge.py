"""Run a coroutine to its end from sync code, also inside a notebook's running event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end from sync code, also when an event loop already runs here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: list[T] = []
    failure: list[BaseException] = []
    loop = asyncio.new_event_loop()
    task_holder: list[asyncio.Task[T]] = []

    def worker() -> None:
        asyncio.set_event_loop(loop)
        task = loop.create_task(coroutine)
        task_holder.append(task)
        try:
            outcome.append(loop.run_until_complete(task))
        except BaseException as exc:
            failure.append(exc)
        finally:
            loop.close()

    thread = threading.Thread(target=worker, name="llamaextract-batch", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        if task_holder:
            loop.call_soon_threadsafe(task_holder[0].cancel)
        thread.join(30)
        raise
    if failure:
        raise failure[0]
    return outcome[0]
