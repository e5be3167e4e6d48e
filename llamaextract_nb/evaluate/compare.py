"""Comparison of extraction runs of the same documents (schema v1 against v2, ...).

Values of the last run are compared with the first run's under the same matching rules as an
evaluation (``1785`` and ``"1,785.00"`` are the same value; rows of arrays are paired by
similarity), so only real changes count: *changed* (both have a value, they differ),
*gained* (only the later run has one), *lost* (only the earlier). With truth, each run is
evaluated and the accuracy per field is shown per run, with the delta last - first.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import pandas as pd

from llamaextract_nb.evaluate.evaluation import Evaluation, evaluate
from llamaextract_nb.evaluate.grade import MISSED, SPURIOUS, WRONG, Grader, RuleSpec
from llamaextract_nb.evaluate.truth import stem
from llamaextract_nb.results.batch import BatchResult
from llamaextract_nb.results.metadata import Leaf
from llamaextract_nb.results.result import ExtractResult

_CHANGE = {WRONG: "changed", SPURIOUS: "gained", MISSED: "lost"}
_SIDE = ("value", "confidence", "page", "matching_text")


class Comparison:
    """Runs side by side: :attr:`summary` per field, :attr:`changes` per changed value, and
    with truth :attr:`evaluations` and :attr:`accuracy` per run. Display with
    ``_repr_html_`` or :meth:`html`."""

    def __init__(
        self,
        runs: Sequence[list[ExtractResult]],
        names: Sequence[str],
        *,
        truth: Any = None,
        rules: Mapping[str, RuleSpec] | None = None,
        tolerance: float | None = None,
    ) -> None:
        self.runs = list(runs)
        self.names = list(names)
        self.rules = rules
        self.tolerance = tolerance
        self.evaluations: list[Evaluation] | None = (
            None
            if truth is None
            else [evaluate(run, truth, rules=rules, tolerance=tolerance) for run in self.runs]
        )

    @cached_property
    def _pairs(self) -> list[tuple[ExtractResult, ExtractResult]]:
        """The documents of the first run that the last run has too."""
        return _paired(self.runs[0], self.runs[-1])

    @property
    def documents(self) -> int:
        """How many documents the first and the last run have in common."""
        return len(self._pairs)

    @cached_property
    def _graded(self) -> pd.DataFrame:
        """The last run graded against the first run's values, one row per value."""
        grader = Grader(self.rules, tolerance=self.tolerance)
        records: list[dict[str, Any]] = []
        for before, after in self._pairs:
            baseline = _baseline(before, after.target)
            before_leaves = _leaves_by_label(before)
            schema = after.schema if after.schema is not None else before.schema
            for row in grader.grade(after, baseline, schema=schema):
                (file, _, item, path, field, old, new, outcome, _, conf, page, text, _) = row
                leaf = before_leaves.get((item, path)) if outcome != SPURIOUS else None
                records.append(
                    {
                        "file": file,
                        "path": path,
                        "field": field,
                        "change": _CHANGE.get(outcome, "same"),
                        "before": (old, *_metadata(leaf)),
                        "after": (new, conf, page, text),
                    }
                )
        return pd.DataFrame.from_records(
            records, columns=["file", "path", "field", "change", "before", "after"]
        )

    @cached_property
    def changes(self) -> pd.DataFrame:
        """Every value that differs between the first and the last run, side by side:
        ``value_<name>``, ``confidence_<name>``, ``page_<name>``, ``matching_text_<name>``
        for both; with truth also ``expected`` and ``outcome_<name>`` of every run."""
        first, last = self.names[0], self.names[-1]
        graded = self._graded
        changed = graded[graded["change"] != "same"]
        frame = changed[["file", "path", "field", "change"]].reset_index(drop=True)
        for side, name in (("before", first), ("after", last)):
            values = changed[side].tolist()
            for position, column in enumerate(_SIDE):
                frame[f"{column}_{name}"] = [v[position] for v in values]
        for name in {first, last}:
            frame[f"confidence_{name}"] = frame[f"confidence_{name}"].astype("float64")
            frame[f"page_{name}"] = frame[f"page_{name}"].astype("Int64")
        if self.evaluations is None or frame.empty:
            return frame
        for run, name, evaluation in zip(self.runs, self.names, self.evaluations, strict=True):
            # each run's documents under the last run's names, as in frame["file"]
            last_name = {mine.name: last.name for mine, last in _paired(run, self.runs[-1])}
            details = evaluation.details[["file", "path", "expected", "outcome"]].copy()
            details["file"] = details["file"].map(last_name)
            details = details.rename(columns={"outcome": f"outcome_{name}"})
            if "expected" in frame.columns:
                details = details.drop(columns="expected")
            frame = frame.merge(details.dropna(subset=["file"]), on=["file", "path"], how="left")
        return frame

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per field: documents compared, and how many of them changed, gained or
        lost a value; with truth ``accuracy_<name>`` per run, ``delta`` (last - first), and
        ``correct_<name>`` / ``graded_<name>`` per run (``total_amount 7/10 -> 9/10``);
        largest regressions first."""
        graded = self._graded
        columns = ["field", "documents", "changed", "gained", "lost"]
        if graded.empty:
            counts = pd.DataFrame(columns=columns)
        else:
            flags = pd.DataFrame(
                {kind: graded["change"] == kind for kind in ("changed", "gained", "lost")}
            )
            flags[["field", "file"]] = graded[["field", "file"]]
            flags = flags.groupby(["field", "file"], sort=False).any()
            counts = flags.groupby(level="field", sort=False).agg(["sum", "size"])
            counts = pd.DataFrame(
                {
                    "field": counts.index,
                    "documents": counts[("changed", "size")].to_numpy(),
                    "changed": counts[("changed", "sum")].to_numpy(),
                    "gained": counts[("gained", "sum")].to_numpy(),
                    "lost": counts[("lost", "sum")].to_numpy(),
                }
            )
        if self.evaluations is None:
            return counts.sort_values(
                ["changed", "gained", "lost", "field"], ascending=[False, False, False, True]
            ).reset_index(drop=True)
        merged = counts
        for name, evaluation in zip(self.names, self.evaluations, strict=True):
            accuracy = evaluation.summary[["field", "accuracy"]].rename(
                columns={"accuracy": f"accuracy_{name}"}
            )
            merged = merged.merge(accuracy, on="field", how="outer")
        for name, evaluation in zip(self.names, self.evaluations, strict=True):
            counts = evaluation.summary[["field", "correct", "graded"]].rename(
                columns={"correct": f"correct_{name}", "graded": f"graded_{name}"}
            )
            merged = merged.merge(counts, on="field", how="left")
            for column in (f"correct_{name}", f"graded_{name}"):
                merged[column] = merged[column].fillna(0).astype(int)
        for column in ("documents", "changed", "gained", "lost"):
            merged[column] = merged[column].fillna(0).astype(int)
        merged["delta"] = merged[f"accuracy_{self.names[-1]}"] - merged[f"accuracy_{self.names[0]}"]
        return merged.sort_values(["delta", "field"], kind="stable").reset_index(drop=True)

    @property
    def accuracy(self) -> dict[str, float]:
        """Overall accuracy per run (needs truth)."""
        if self.evaluations is None:
            raise ValueError("accuracy needs truth: lx.compare(a, b, truth=...)")
        return {n: e.accuracy for n, e in zip(self.names, self.evaluations, strict=True)}

    def html(self, **options: Any) -> str:
        """The HTML view (for an ipywidgets HTML widget)."""
        from llamaextract_nb.evaluate.html import comparison_html

        return comparison_html(self, **options)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return (
            f"Comparison({' -> '.join(self.names)}, documents={self.documents}, "
            f"changes={len(self.changes)})"
        )


def compare(
    *runs: Any,
    truth: Any = None,
    names: Sequence[str] | None = None,
    rules: Mapping[str, RuleSpec] | None = None,
    tolerance: float | None = None,
) -> Comparison:
    """Compare two or more runs (ExtractResult, BatchResult or lists of ExtractResult) of the
    same documents, matched by file name stem; see :class:`Comparison`. ``names`` label the
    runs (default ``A``, ``B``, ...)."""
    if len(runs) < 2:
        raise ValueError("compare needs at least two runs: lx.compare(before, after)")
    results = [_as_results(run, position) for position, run in enumerate(runs)]
    labels = list(names) if names is not None else list(string.ascii_uppercase[: len(runs)])
    if len(labels) != len(runs) or len(set(labels)) != len(labels):
        raise ValueError(f"give one distinct name per run ({len(runs)} runs), got {labels!r}")
    return Comparison(
        results, [str(n) for n in labels], truth=truth, rules=rules, tolerance=tolerance
    )


def _paired(
    first: list[ExtractResult], last: list[ExtractResult]
) -> list[tuple[ExtractResult, ExtractResult]]:
    """Each document of ``first`` with the same document in ``last``: the same name, else the
    one document of the same stem (``invoice.pdf`` and ``invoice.docx`` stay apart when both
    runs have both)."""
    by_name = {result.name: result for result in last}
    by_stem: dict[str, list[ExtractResult]] = {}
    for result in last:
        by_stem.setdefault(stem(result.name), []).append(result)
    pairs = []
    for result in first:
        same_stem = by_stem.get(stem(result.name), [])
        partner = by_name.get(result.name) or (same_stem[0] if len(same_stem) == 1 else None)
        if partner is not None:
            pairs.append((result, partner))
    return pairs


def _as_results(run: Any, position: int) -> list[ExtractResult]:
    if isinstance(run, ExtractResult):
        return [run]
    if isinstance(run, BatchResult):
        return list(run)
    if isinstance(run, Iterable) and not isinstance(run, (str, bytes, dict)):
        results = list(run)
        if all(isinstance(r, ExtractResult) for r in results):
            return results
    raise TypeError(
        f"run {position + 1} is a {type(run).__name__}; compare takes ExtractResult, "
        "BatchResult or a list of ExtractResult"
    )


def _baseline(result: ExtractResult, target: str) -> Any:
    """The earlier run's values, shaped as truth for the later run's target."""
    data = result.data if result.status == "COMPLETED" else None
    if target == "per_doc":
        return data if isinstance(data, dict) else {}
    if target == "per_page":
        pages = [key.get("page") for key in result._item_keys]
        listed: list[Any] = [None] * max([p for p in pages if isinstance(p, int)] or [0])
        for page, item in zip(pages, result._extraction.items, strict=False):
            if isinstance(page, int) and isinstance(item, dict):
                listed[page - 1] = item
        return listed
    return [item for item in result._extraction.items if isinstance(item, dict)]


def _leaves_by_label(result: ExtractResult) -> dict[tuple[Any, str], Leaf]:
    """Leaves keyed as graded rows label them: (0 | page | row, path)."""
    labels: list[Any]
    if result.target == "per_page":
        labels = [key.get("page") for key in result._item_keys]
    elif result.target == "per_table_row":
        labels = list(range(len(result._extraction.items)))
    else:
        labels = [0] * len(result._extraction.items)
    return {
        (labels[leaf.item] if leaf.item < len(labels) else None, leaf.path): leaf
        for leaf in result._extraction.leaves
    }


def _metadata(leaf: Leaf | None) -> tuple[Any, Any, Any]:
    if leaf is None:
        return None, None, None
    page, text = leaf.cited()
    return leaf.confidence, page, text
