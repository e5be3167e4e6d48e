"""Many extraction results combined: one frame for all documents, failures, a summary view."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import pandas as pd

from llamaextract_nb.results import html
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
        """All documents' :attr:`ExtractResult.df` stacked, ``job_status`` after the keys."""
        frames = []
        for result in self.results:
            frame = result.df
            if frame.empty and result.target == "per_doc" and result.status != "COMPLETED":
                frame = pd.DataFrame([{"file": result.name, "job_id": result.job.id}])
            frame.insert(2, "job_status", result.status)
            frames.append(frame)
        return _concat(frames, ["file", "job_id", "job_status"])

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every array-of-objects frame, stacked across documents."""
        names: dict[str, list[pd.DataFrame]] = {}
        for result in self.results:
            for name, frame in result.tables.items():
                names.setdefault(name, []).append(frame)
        return {name: _concat(frames, []) for name, frames in names.items()}

    @property
    def fields(self) -> pd.DataFrame:
        """Every document's :attr:`ExtractResult.fields` stacked."""
        return _concat([r.fields for r in self.results], [])

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


def _concat(frames: list[pd.DataFrame], leading: list[str]) -> pd.DataFrame:
    """Stack frames keeping categories (unioned) and ``leading`` columns first."""
    filled = [f for f in frames if not f.empty]
    if not filled:
        return frames[0].iloc[0:0] if frames else pd.DataFrame(columns=leading)
    categories: dict[str, list[Any]] = {}
    integers: set[str] = set()
    for frame in filled:
        for name in frame.columns:
            if pd.api.types.is_integer_dtype(frame[name].dtype):
                integers.add(name)
            if isinstance(frame[name].dtype, pd.CategoricalDtype):
                known = categories.setdefault(name, [])
                known.extend(c for c in frame[name].cat.categories if c not in known)
    combined = pd.concat(filled, ignore_index=True, sort=False)
    for name, values in categories.items():
        combined[name] = pd.Categorical(
            combined[name].astype(object).where(combined[name].notna(), None), categories=values
        )
    for name in integers:
        if pd.api.types.is_float_dtype(combined[name].dtype):
            combined[name] = combined[name].astype("Int64")
    order = [c for c in leading if c in combined.columns]
    return combined[order + [c for c in combined.columns if c not in order]]
