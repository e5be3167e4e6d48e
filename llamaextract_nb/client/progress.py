"""The progress bar of a batch: a widget in notebooks, text in a terminal (``tqdm.auto``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llamaextract_nb.client.job_runner import RunEvent

_DONE = {"finished": "done", "from_cache": "done", "failed": "failed", "cancelled": "failed"}


class BatchProgress:
    """A bar over the documents of a batch, with done / failed / running counts beside it,
    fed by the job runner's events (:meth:`observe`).

    ``documents`` are the sha256 of every document given (identical content counted as often
    as it was given). ``enabled=False`` makes every method a no-op.
    """

    def __init__(
        self, documents: Sequence[str], *, enabled: bool = True, desc: str = "extract"
    ) -> None:
        self._bar: Any = None
        self._last: tuple[int, int, int] | None = None
        self._weight = Counter(documents)
        self._counts: Counter[str] = Counter()
        self._running: set[str] = set()
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=len(documents), desc=desc, unit="doc", dynamic_ncols=True)

    def observe(self, event: RunEvent) -> None:
        """Count one event of the runner."""
        sha = event.doc.sha256
        if event.kind == "created":
            self._running.add(sha)
        elif event.kind in _DONE:
            self._running.discard(sha)
            self._counts[_DONE[event.kind]] += self._weight[sha]
        else:
            return
        running = sum(self._weight[sha] for sha in self._running)
        self.update(done=self._counts["done"], failed=self._counts["failed"], running=running)

    def update(self, *, done: int, failed: int, running: int) -> None:
        """Show ``done + failed`` finished documents and the three counts."""
        counts = (done, failed, running)
        if self._bar is None or counts == self._last:
            return
        self._last = counts
        self._bar.set_postfix(done=done, failed=failed, running=running, refresh=False)
        self._bar.update(done + failed - self._bar.n)  # redraws at most every mininterval

    def close(self) -> None:
        """Finish the bar (leaves it on screen with its final counts)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
