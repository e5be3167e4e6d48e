"""Many extraction results combined: one frame for all documents, failures, a summary view."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import pandas as pd

from llamaextract_nb.results import html
from llamaextract_nb.results.frames import array_frames, fields_frame, stack_frames, wide_frame
from llamaextract_nb.results.options import DisplayOptions, check_threshold
from llamaextract_nb.results.result import ExtractResult
from llamaextract_nb.results.usage import job_usage, usage_frame

if TYPE_CHECKING:
    from llamaextract_nb.evaluate import Evaluation


class BatchResult(Sequence[ExtractResult]):
    """Results of many documents; indexing gives each :class:`ExtractResult`.

    :attr:`df` stacks every document's frame with ``file``, ``job_id`` and ``job_status`` columns
    (a per_doc job that did not complete keeps its row, with empty values); :attr:`failures`
    lists the jobs that did not complete.
    """

    def __init__(
        self,
        results: Iterable[ExtractResult],
        *,
        options: DisplayOptions | None = None,
        estimate: pd.DataFrame | None = None,
    ) -> None:
        self.results = list(results)
        self.estimate = estimate
        """The cost estimate made before the run (``file``, ``pages``, ``credits`` per
        document), when the batch made one."""
        for result in self.results:
            if not isinstance(result, ExtractResult):
                raise TypeError(
                    f"BatchResult takes ExtractResult objects, got {type(result).__name__}"
                )
        self.options = options or DisplayOptions()

    @overload
    def __getitem__(self, index: int) -> ExtractResult: ...
    @overload
    def __getitem__(self, index: slice) -> BatchResult: ...
    def __getitem__(self, index: int | slice) -> ExtractResult | BatchResult:
        if isinstance(index, slice):
            return BatchResult(self.results[index], options=self.options, estimate=self.estimate)
        return self.results[index]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[ExtractResult]:
        return iter(self.results)

    @property
    def threshold(self) -> float:
        """Confidence below which values are flagged in the summary view (default 0.8)."""
        return self.options.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self.options.threshold = check_threshold(value)

    @property
    def df(self) -> pd.DataFrame:
        """All documents' :attr:`ExtractResult.df` stacked, ``job_status`` after the keys
        (built at once from every document's rows: one frame per run of documents that share
        a column layout, not one per document)."""
        frames = []
        for run in _runs(self.results):
            rows: list[dict[str, Any]] = []
            owners: list[int] = []
            statuses: list[str] = []
            for owner, result in enumerate(run):
                own = result._rows
                if not own and result.target == "per_doc" and result.status != "COMPLETED":
                    own = [{"file": result.name, "job_id": result.job.id}]
                rows.extend(own)
                owners.extend([owner] * len(own))
                statuses.extend([result.status] * len(own))
            first = run[0]
            if rows and not first._rows:  # a run of per_doc jobs that did not complete
                frame = pd.DataFrame.from_records(rows, columns=["file", "job_id"])
            else:
                frame = wide_frame(rows, first.keys, first._layout, owners=owners)
            frame.insert(2, "job_status", statuses if rows else first.status)
            frames.append(frame)
        return stack_frames(frames, ["file", "job_id", "job_status"])

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every array-of-objects frame, stacked across documents."""
        names: dict[str, list[pd.DataFrame]] = {}
        for run in _runs(self.results):
            items: list[Any] = []
            keys: list[dict[str, Any]] = []
            owners: list[int] = []
            for owner, result in enumerate(run):
                items.extend(result._extraction.items)
                keys.extend(result._item_keys)
                owners.extend([owner] * len(result._item_keys))
            for name, frame in array_frames(items, keys, run[0]._layout, owners=owners).items():
                names.setdefault(name, []).append(frame)
        return {name: stack_frames(frames, []) for name, frames in names.items()}

    @property
    def fields(self) -> pd.DataFrame:
        """Every document's :attr:`ExtractResult.fields` stacked."""
        if not self.results:
            return stack_frames([], [])
        return fields_frame([record for r in self.results for record in r._field_records()])

    @property
    def usage(self) -> pd.DataFrame:
        """Per document what the service reported: pages extracted and billed, credits (NA
        unless the job was read with ``expand=usage``), with the estimate made before the run
        beside it (``estimated_pages``, ``estimated_credits``)."""
        rows = [
            {"file": r.name, "job_id": r.job.id, "status": r.status, **job_usage(r.job)}
            for r in self.results
        ]
        return usage_frame(rows, self.estimate)

    @property
    def failures(self) -> pd.DataFrame:
        """One row per document that did not complete: file, job_id, status, error.

        Failed and cancelled jobs, and documents still PENDING or RUNNING when a batch's
        ``timeout`` ran out (call the batch again to resume them).
        """
        rows = [
            {"file": r.name, "job_id": r.job.id, "status": r.status, "error": r.job.error_message}
            for r in self.results
            if r.status != "COMPLETED"
        ]
        return pd.DataFrame(rows, columns=["file", "job_id", "status", "error"])

    def to_json(
        self, path: str | Path | None = None, *, full: bool = False, indent: int = 2
    ) -> str:
        """A JSON list with file, job_id, status and data per document (``full``: whole jobs)."""
        items = [
            r.raw
            if full
            else {"file": r.name, "job_id": r.job.id, "status": r.status, "data": r.data}
            for r in self.results
        ]
        text = json.dumps(items, indent=indent, ensure_ascii=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def as_model(self, model: Any) -> list[Any]:
        """Each completed document's data as ``model`` (see :meth:`ExtractResult.as_model`)."""
        return [r.as_model(model) for r in self.results if r.status == "COMPLETED"]

    def rename(self, names: Mapping[str, str]) -> BatchResult:
        """Every result with its top-level fields renamed (see :meth:`ExtractResult.rename`)."""
        return BatchResult([r.rename(names) for r in self.results], options=self.options)

    def evaluate(
        self,
        truth: Any,
        rules: Mapping[str, Any] | None = None,
        *,
        tolerance: float | None = None,
        max_error: float = 0.02,
    ) -> Evaluation:
        """Grade every document that has truth (matched by file name stem); see
        :meth:`ExtractResult.evaluate`. Documents that did not complete are graded as
        extracting nothing."""
        from llamaextract_nb.evaluate import evaluate  # the evaluate layer sits above results

        return evaluate(self.results, truth, rules=rules, tolerance=tolerance, max_error=max_error)

    def _repr_html_(self) -> str:
        return html.batch_html(self, self.options)

    def __repr__(self) -> str:
        done = sum(r.status == "COMPLETED" for r in self.results)
        return f"BatchResult(documents={len(self.results)}, completed={done})"


def _runs(results: list[ExtractResult]) -> list[list[ExtractResult]]:
    """``results`` cut into runs of neighbours whose frames have the same keys and layout
    (per_doc jobs that did not complete, and have no rows, run apart)."""
    runs: list[list[ExtractResult]] = []
    for result in results:
        if runs and _same_frame(runs[-1][0], result):
            runs[-1].append(result)
        else:
            runs.append([result])
    return runs


def _same_frame(first: ExtractResult, other: ExtractResult) -> bool:
    return (
        bool(first._rows) == bool(other._rows)
        and first.keys == other.keys
        and first._layout == other._layout
    )
