"""The progress bar of a batch: a widget in notebooks, text in a terminal (``tqdm.auto``)."""

from __future__ import annotations

from typing import Any


class BatchProgress:
    """A bar over the documents of a batch, with done / failed / running counts beside it.

    ``enabled=False`` makes every method a no-op, so the batch code never branches on it.
    """

    def __init__(self, total: int, *, enabled: bool = True, desc: str = "extract") -> None:
        self._bar: Any = None
        self._last: tuple[int, int, int] | None = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="doc", dynamic_ncols=True)

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
