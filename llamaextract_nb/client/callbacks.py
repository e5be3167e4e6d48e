"""Calling a user's status callback from each client (the one I/O step that differs)."""

from __future__ import annotations

import inspect

from llamaextract_nb.api.models import ExtractJob
from llamaextract_nb.client.polling import StatusCallback


def notify(callback: StatusCallback, job: ExtractJob) -> None:
    """Call ``callback`` with ``job``."""
    callback(job)


async def anotify(callback: StatusCallback, job: ExtractJob) -> None:
    """Call ``callback`` with ``job``, awaiting its result when it is awaitable."""
    result = callback(job)
    if inspect.isawaitable(result):
        await result
