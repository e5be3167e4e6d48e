"""Evaluation: how an extraction scores against truth, per field, per value and per confidence.

Outcomes of a graded value: *correct*; *wrong* (both have a value, they differ); *missed*
(the truth has a value, the extraction none); *spurious* (the extraction has a value where
the truth says null). ``score`` is 1 for correct and 0 otherwise, except arrays of scalars,
which get partial credit (see :mod:`llamaextract_nb.results.matching`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llamaextract_nb.evaluate.grade import (
    CORRECT,
    DETAIL_COLUMNS,
    OUTCOMES,
    Grader,
    RuleSpec,
)
from llamaextract_nb.evaluate.truth import Truth, stem

if TYPE_CHECKING:
    from llamaextract_nb.results.result import ExtractResult

SUMMARY_COLUMNS = (
    "field",
    "graded",
    "correct",
    "wrong",
    "missed",
    "spurious",
    "accuracy",
    "precision",
    "recall",
    "f1",
)


@dataclass(frozen=True)
class Threshold:
    """A confidence threshold and what it costs: values below it go to review.

    ``error`` is the share of wrong values among those accepted (confidence >= threshold);
    ``reached`` is False when no threshold keeps the error that low (then all values go to
    review).
    """

    threshold: float
    max_error: float
    accepted: int
    reviewed: int
    error: float
    reached: bool = True

    @property
    def review_share(self) -> float:
        total = self.accepted + self.reviewed
        return self.reviewed / total if total else 0.0

    def __str__(self) -> str:
        if not self.reached:
            return (
                f"no threshold keeps the error at or below {self.max_error:.1%}: every value "
                "goes to review"
            )
        return (
            f"threshold {self.threshold:.3f}: {self.review_share:.1%} of values go to review, "
            f"{self.error:.1%} error in the {self.accepted:,} accepted"
        )


class Evaluation:
    """The grades of extracted values against truth.

    :attr:`details` has one row per graded value: ``file``, ``job_id``, ``item`` (0 per
    document; the page for per_page; the truth's row for per_table_row), ``path`` (where in the
    truth, ``line_items[2].amount``; for an extracted row paired with no expected row, where in
    the extraction), ``field`` (``line_items[].amount``), ``expected``, ``extracted``,
    ``outcome``, ``score``, ``confidence``, ``page``, ``matching_text`` and ``rule``, so
    ``details.query("outcome == 'wrong'")`` is the to-do list. :attr:`summary` has one row per
    field;
    :attr:`by_confidence` and :attr:`ece` show calibration; :meth:`threshold` picks a
    confidence threshold for a target error. ``_repr_html_`` / :meth:`html` is the scoreboard,
    the reliability diagram and the worst examples.
    """

    def __init__(
        self,
        details: pd.DataFrame,
        *,
        documents: Iterable[str] = (),
        without_truth: Iterable[str] = (),
        not_extracted: Iterable[str] = (),
        max_error: float = 0.02,
        bands: int = 10,
    ) -> None:
        self.details = details
        self.documents = list(documents)
        self.without_truth = list(without_truth)
        self.not_extracted = list(not_extracted)
        self.max_error = _share(max_error, "max_error")
        if not isinstance(bands, int) or bands < 1:
            raise ValueError(f"bands must be a whole number >= 1, got {bands!r}")
        self.bands = bands

    # --- per field ---------------------------------------------------------------------

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per field path, worst accuracy first: graded, correct, wrong, missed,
        spurious, accuracy (mean score), precision (of the values extracted), recall (of the
        values expected), F1."""
        details = self.details
        if details.empty:
            return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
        outcome = details["outcome"]
        has_expected = details["expected"].notna().to_numpy()
        has_extracted = details["extracted"].notna().to_numpy()
        score = details["score"].to_numpy(dtype=float)
        frame = pd.DataFrame(
            {
                "field": details["field"].to_numpy(),
                "graded": 1,
                **{name: (outcome == name).to_numpy(dtype=int) for name in OUTCOMES},
                "score": score,
                "hit": np.where(has_expected & has_extracted, score, 0.0),
                "expected_n": has_expected.astype(int),
                "extracted_n": has_extracted.astype(int),
            }
        )
        grouped = frame.groupby("field", sort=False).sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            grouped["accuracy"] = grouped["score"] / grouped["graded"]
            grouped["precision"] = grouped["hit"] / grouped["extracted_n"]
            grouped["recall"] = grouped["hit"] / grouped["expected_n"]
            both = grouped["precision"] + grouped["recall"]
            grouped["f1"] = 2 * grouped["precision"] * grouped["recall"] / both
        grouped.loc[both == 0, "f1"] = 0.0
        summary = grouped.reset_index()[list(SUMMARY_COLUMNS)]
        return summary.sort_values(["accuracy", "field"], kind="stable").reset_index(drop=True)

    @property
    def accuracy(self) -> float:
        """The mean score of every graded value (NaN when nothing was graded)."""
        return float(self.details["score"].mean()) if len(self.details) else math.nan

    @property
    def counts(self) -> dict[str, int]:
        """How many values had each outcome."""
        counts = self.details["outcome"].value_counts()
        return {name: int(counts.get(name, 0)) for name in OUTCOMES}

    # --- calibration -------------------------------------------------------------------

    @cached_property
    def _scored(self) -> tuple[np.ndarray, np.ndarray]:
        """Confidence and correctness of every extracted value that has a confidence."""
        details = self.details
        if details.empty:
            return np.empty(0), np.empty(0, dtype=bool)
        confidence = details["confidence"].to_numpy(dtype=float, na_value=np.nan)
        keep = ~np.isnan(confidence) & details["extracted"].notna().to_numpy()
        correct = details["outcome"].to_numpy() == CORRECT
        return confidence[keep], correct[keep]

    @cached_property
    def by_confidence(self) -> pd.DataFrame:
        """Accuracy per confidence band (``bands`` equal bands, empty ones left out): values,
        correct, accuracy, mean_confidence and gap (mean confidence - accuracy; positive means
        over-confident). Values without a confidence, and missed values, are not counted."""
        confidence, correct = self._scored
        edges = np.arange(self.bands + 1) / self.bands
        band = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, self.bands - 1)
        rows = []
        for index in range(self.bands):
            inside = band == index
            count = int(inside.sum())
            if not count:
                continue
            accuracy = float(correct[inside].mean())
            mean = float(confidence[inside].mean())
            rows.append(
                {
                    "band": f"{edges[index]:.1f}–{edges[index + 1]:.1f}",
                    "low": float(edges[index]),
                    "high": float(edges[index + 1]),
                    "values": count,
                    "correct": int(correct[inside].sum()),
                    "accuracy": accuracy,
                    "mean_confidence": mean,
                    "gap": mean - accuracy,
                }
            )
        columns = ["band", "low", "high", "values", "correct", "accuracy", "mean_confidence", "gap"]
        return pd.DataFrame(rows, columns=columns)

    @property
    def ece(self) -> float:
        """Expected calibration error: the value-weighted mean of ``|gap|`` over the bands."""
        bands = self.by_confidence
        total = bands["values"].sum()
        if not total:
            return math.nan
        return float((bands["values"] * bands["gap"].abs()).sum() / total)

    def threshold(self, max_error: float | None = None) -> Threshold:
        """The lowest confidence threshold whose accepted values (confidence >= it) have at
        most ``max_error`` wrong on this truth, and the share of values it sends to review."""
        max_error = self.max_error if max_error is None else _share(max_error, "max_error")
        confidence, correct = self._scored
        if not len(confidence):
            return Threshold(math.nan, max_error, 0, 0, math.nan, reached=False)
        order = np.argsort(-confidence, kind="stable")
        ranked, right = confidence[order], correct[order]
        accepted = np.arange(1, len(ranked) + 1)
        errors = np.cumsum(~right) / accepted
        last_of_tie = np.r_[ranked[1:] != ranked[:-1], True]  # accept every value of a tie
        good = np.flatnonzero(last_of_tie & (errors <= max_error + 1e-12))
        if not len(good):
            top = float(ranked[0])
            return Threshold(
                math.nextafter(top, math.inf), max_error, 0, len(ranked), 0.0, reached=False
            )
        cut = int(good[-1])
        return Threshold(
            float(ranked[cut]), max_error, cut + 1, len(ranked) - cut - 1, float(errors[cut])
        )

    @cached_property
    def thresholds(self) -> pd.DataFrame:
        """Thresholds 0.00, 0.01, ... 1.00 with accepted, reviewed, review_share and error
        (wrong share among the accepted): the trade-off to plot."""
        confidence, correct = self._scored
        grid = np.arange(101) / 100
        if not len(confidence):
            return pd.DataFrame(
                {"threshold": grid, "accepted": 0, "reviewed": 0, "review_share": np.nan,
                 "error": np.nan}
            )  # fmt: skip
        ranked = np.sort(confidence)
        wrong_sorted = np.cumsum((~correct)[np.argsort(confidence, kind="stable")][::-1])[::-1]
        below = np.searchsorted(ranked, grid - 1e-12, side="left")
        accepted = len(ranked) - below
        wrong = np.where(below < len(ranked), wrong_sorted[np.minimum(below, len(ranked) - 1)], 0)
        error = np.where(accepted > 0, wrong / np.maximum(accepted, 1), np.nan)
        share = below / len(ranked)
        return pd.DataFrame(
            {
                "threshold": grid,
                "accepted": accepted,
                "reviewed": below,
                "review_share": share,
                "error": error,
            }
        )

    # --- display -----------------------------------------------------------------------

    def html(self, **options: Any) -> str:
        """The HTML view (for an ipywidgets HTML widget): see :func:`evaluation_html`."""
        from llamaextract_nb.evaluate.html import evaluation_html

        return evaluation_html(self, **options)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts.items())
        accuracy = f"{self.accuracy:.3f}" if len(self.details) else "n/a"
        return (
            f"Evaluation(documents={len(self.documents)}, values={len(self.details)}, "
            f"accuracy={accuracy}, {counts})"
        )


def evaluate(
    results: Iterable[ExtractResult],
    truth: Any,
    *,
    rules: Mapping[str, RuleSpec] | None = None,
    tolerance: float | None = None,
    schema: Mapping[str, Any] | None = None,
    max_error: float = 0.02,
    bands: int = 10,
) -> Evaluation:
    """Grade every result that has truth (matched by file name stem) and build an
    :class:`Evaluation`. A result that did not complete is graded as extracting nothing.

    ``rules``: field path -> rule (``{"vendor_name": "fuzzy:90", "total": "number:0.01"}``,
    ``line_items[].amount``; see :mod:`llamaextract_nb.results.matching`). ``tolerance``: the
    default relative tolerance of numbers. ``schema``: used for rules when the jobs do not
    echo theirs. ``max_error``: the target of the threshold shown in the view.
    """
    truth = Truth.load(truth)
    grader = Grader(rules, tolerance=tolerance)
    rows: list[tuple[Any, ...]] = []
    graded: list[str] = []
    without: list[str] = []
    for result in results:
        expected = truth.get(result.name)
        if expected is None:
            without.append(result.name)
            continue
        graded.append(result.name)
        rows.extend(grader.grade(result, expected, schema=schema))
    unknown = grader.unknown_rules()
    if unknown and rows:
        fields = sorted({f.replace("[]", "") for f in grader.fields_seen})
        raise ValueError(
            f"rules name fields that were not graded: {', '.join(unknown)}; fields are: "
            f"{', '.join(fields)}"
        )
    if not graded and without:
        raise ValueError(
            f"no result has truth: results are {', '.join(without[:5])}; truth has "
            f"{', '.join(truth.files[:5]) or 'nothing'} (documents are matched by file name "
            "without extension)"
        )
    seen = {stem(name) for name in graded}
    details = details_frame(rows)
    return Evaluation(
        details,
        documents=graded,
        without_truth=without,
        not_extracted=[f for f in truth.files if f not in seen],
        max_error=max_error,
        bands=bands,
    )


def details_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The rows of :class:`~llamaextract_nb.evaluate.grade.Grader` as the details frame."""
    frame = pd.DataFrame.from_records(rows, columns=list(DETAIL_COLUMNS))
    frame["score"] = frame["score"].astype("float64")
    frame["confidence"] = frame["confidence"].astype("float64")
    frame["page"] = frame["page"].astype("Int64")
    frame["outcome"] = pd.Categorical(frame["outcome"], categories=list(OUTCOMES))
    for name in ("expected", "extracted", "item"):
        frame[name] = frame[name].astype(object)
    return frame


def _share(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share between 0 and 1 (0.02 = 2 %), got {value!r}")
    return float(value)
