"""Creates on one file in this process never end up with the same job.

Two calls creating jobs on the same file with the same configuration (two ``extract()`` calls
on one file id, in threads or tasks) could, after lost answers, both look up and both take
the same job, or one could take the job the other's create is still waiting for the answer
of. The process-wide :data:`CREATES` prevents both, per (server, file):

* while a create request is in flight, the other creates' look-ups on that file wait for its
  answer (at most :data:`SIBLING_WAIT` s past which they decide regardless);
* a job a create received or a look-up took is *claimed*: no other look-up takes it.

An entry lives only while some create on its file is under way, so nothing accumulates; a
later create on the file tells earlier jobs apart by the jobs listed before it sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llamaextract_nb.api.models import ExtractJob

if TYPE_CHECKING:
    from llamaextract_nb.client.create_once import JobMatcher

SIBLING_WAIT = 120.0
"""Seconds a look-up waits at most for other creates' requests on its file to be answered."""
SIBLING_POLL = 0.02
"""Seconds between two checks whether those requests were answered."""


@dataclass
class _FileCreates:
    active: int = 0
    in_flight: int = 0
    claimed: set[str] = field(default_factory=set)


class CreateRegistry:
    """The creates under way in this process, per (server, file): see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[tuple[str, str], _FileCreates] = {}

    @contextmanager
    def creating(self, server: str, file_id: str) -> Iterator[FileCreates]:
        """One create (its sends and look-ups) on ``file_id`` at ``server``, under way."""
        key = (server, file_id)
        with self._lock:
            entry = self._files.setdefault(key, _FileCreates())
            entry.active += 1
        try:
            yield FileCreates(self._lock, entry)
        finally:
            with self._lock:
                entry.active -= 1
                if entry.active == 0:
                    del self._files[key]

    def __len__(self) -> int:
        """Files with a create under way."""
        with self._lock:
            return len(self._files)


class FileCreates:
    """One create's view of the creates under way on its file."""

    def __init__(self, lock: threading.Lock, entry: _FileCreates) -> None:
        self._lock = lock
        self._entry = entry

    @contextmanager
    def sending(self) -> Iterator[None]:
        """A create request in flight: look-ups on the file wait until it is answered."""
        with self._lock:
            self._entry.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._entry.in_flight -= 1

    def claim(self, job: ExtractJob) -> None:
        """``job`` was made by our create: no look-up on the file may take it."""
        with self._lock:
            self._entry.claimed.add(job.id)

    def busy(self) -> bool:
        """True while a create request on the file is in flight."""
        with self._lock:
            return self._entry.in_flight > 0

    def take(
        self, matcher: JobMatcher, jobs: Iterable[ExtractJob], *, wait: bool
    ) -> tuple[bool, ExtractJob | None]:
        """``(True, job)``: the job ``matcher`` picks among ``jobs`` not claimed yet (now
        claimed), or None. ``(False, None)`` when, with ``wait``, a create request on the file
        is in flight: its job may be among ``jobs``, so list again once it is answered."""
        with self._lock:
            if wait and self._entry.in_flight > 0:
                return False, None
            job = matcher.pick([j for j in jobs if j.id not in self._entry.claimed])
            if job is not None:
                self._entry.claimed.add(job.id)
            return True, job


CREATES = CreateRegistry()
"""The registry every create of this process goes through."""
