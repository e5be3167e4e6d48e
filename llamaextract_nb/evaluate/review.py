"""``Review``: the values of an extraction worth a human look, decided one by one into truth.

The queue holds every value that is doubtful for one of these reasons, worst first:

1. ``required_empty``: the schema requires the field and it came back empty (null, "", [],
   or missing altogether);
2. ``disagreement``: with ``compare_with`` (a second run), the two runs extracted different
   values by the evaluation's matching rules (numbers however printed, dates however written,
   text ignoring case, spacing and punctuation);
3. ``citation_mismatch``: the cited text does not contain the value
   (:mod:`llamaextract_nb.results.matching`);
4. ``low_confidence``: confidence below ``threshold``.

Order: by the worst reason (the list above), then by how many reasons a value has (more
first), then by confidence (lowest first; unknown before known), then document and field
order. Skipped values come back after every other value is decided.

Decisions (``accept``, ``correct``, ``missing``; ``skip`` decides nothing) are written at
once to the gold folder (:mod:`.review_store`: one ``<stem>.json`` per document in the
:class:`~llamaextract_nb.evaluate.Truth` folder format, replaced atomically, and
``_review_log.jsonl`` with who / when / what). A new ``Review`` on the same folder resumes
where the last one stopped. Only decided values become truth, unless :meth:`Review.accept_rest`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from html import escape
from typing import Any

import pandas as pd

from llamaextract_nb.evaluate.corrections import FieldType, field_types, parse_correction, type_of
from llamaextract_nb.evaluate.paths import field_of, get_path, has_path
from llamaextract_nb.evaluate.review_store import GoldStore
from llamaextract_nb.evaluate.truth import Truth, TruthValue, stem
from llamaextract_nb.results.batch import BatchResult
from llamaextract_nb.results.evidence import evidence_html
from llamaextract_nb.results.matching import citation_mismatch, default_rule
from llamaextract_nb.results.metadata import Citation, Leaf
from llamaextract_nb.results.options import check_threshold
from llamaextract_nb.results.result import ExtractResult
from llamaextract_nb.schema.refs import SchemaError, inline_refs, unwrap

REQUIRED_EMPTY = "required_empty"
DISAGREEMENT = "disagreement"
CITATION_MISMATCH = "citation_mismatch"
LOW_CONFIDENCE = "low_confidence"
REASONS = (REQUIRED_EMPTY, DISAGREEMENT, CITATION_MISMATCH, LOW_CONFIDENCE)
"""The reasons a value is queued, worst first (the queue's first sort key)."""

PENDING, ACCEPTED, CORRECTED, MISSING, SKIPPED = (
    "pending",
    "accepted",
    "corrected",
    "missing",
    "skipped",
)
_STATUS_OF = {"accept": ACCEPTED, "accept_rest": ACCEPTED, "correct": CORRECTED, "missing": MISSING}

ITEM_COLUMNS = (
    "position",
    "document",
    "path",
    "field",
    "value",
    "confidence",
    "reasons",
    "reasoning",
    "page",
    "matching_text",
    "other_value",
    "status",
    "decided_value",
)


_ANY = FieldType()


@dataclass(frozen=True)
class ReviewItem:
    """One value in the queue: where it is, what was extracted, why it is queued, its state."""

    document: str
    path: str
    field: str
    value: Any
    reasons: tuple[str, ...]
    confidence: float | None = None
    reasoning: str | None = None
    citations: tuple[Citation, ...] = ()
    other_value: Any = None
    field_type: FieldType = _ANY
    status: str = PENDING
    decided_value: Any = None
    order: tuple[int, int] = (0, 0)

    @property
    def page(self) -> int | None:
        return next((c.page for c in self.citations if c.page), None)

    @property
    def matching_text(self) -> str | None:
        texts = [c.text for c in self.citations if c.text]
        return "\n".join(texts) if texts else None

    @property
    def decided(self) -> bool:
        return self.status in (ACCEPTED, CORRECTED, MISSING)


@dataclass(frozen=True)
class _Value:
    """One extracted value of a document (a leaf, or a required field that is absent)."""

    path: str
    field: str
    value: Any
    leaf: Leaf | None
    order: int


class Review:
    """A queue of doubtful values of ``results`` (a BatchResult, an ExtractResult or a list of
    them) to accept, correct or mark missing, saved as truth in ``gold``.

    ``threshold``: confidence below which a value is queued. ``compare_with``: a second run of
    the same documents; values the runs disagree on are queued. ``reviewer``: the name the log
    records (default: the login name). Documents whose job did not complete are left out. See
    the module docstring for the queue and the files.
    """

    def __init__(
        self,
        results: Any,
        threshold: float = 0.8,
        gold: str | os.PathLike[str] = "gold/",
        compare_with: Any = None,
        *,
        reviewer: str | None = None,
    ) -> None:
        self.results = _as_results(results)
        self.threshold = check_threshold(threshold)
        self.store = GoldStore(gold, reviewer or _login())
        self._by_stem = _by_stem(self.results)
        others = _by_stem(_as_results(compare_with)) if compare_with is not None else {}
        self._values: dict[str, dict[str, _Value]] = {
            key: _values_of(result) for key, result in self._by_stem.items()
        }
        self._types = {key: field_types(r.schema) for key, r in self._by_stem.items()}
        queue = []
        for index, (key, result) in enumerate(self._by_stem.items()):
            other = others.get(key)
            other_values = _values_of(other) if other is not None else None
            queue.extend(self._queued(index, key, result, other_values))
        self._queue: list[ReviewItem] = sorted(queue, key=_worst_first)
        self._refresh()

    # --- the queue -------------------------------------------------------------------

    @property
    def gold(self) -> str:
        """The gold folder decisions are written to."""
        return str(self.store.folder)

    @property
    def queue(self) -> list[ReviewItem]:
        """Every queued value, worst first, with its current status."""
        return list(self._queue)

    @property
    def current(self) -> ReviewItem | None:
        """The next value to decide: the first pending one, then skipped ones; None when done."""
        for wanted in (PENDING, SKIPPED):
            for item in self._queue:
                if item.status == wanted:
                    return item
        return None

    @property
    def checked(self) -> int:
        """How many queued values are decided."""
        return sum(item.decided for item in self._queue)

    @property
    def progress(self) -> str:
        """``"12 of 57 checked"``."""
        return f"{self.checked} of {len(self._queue)} checked"

    @property
    def items(self) -> pd.DataFrame:
        """The queue as a frame, worst first: document, path, value, confidence, reasons
        (comma separated), citation, the other run's value, status and the decided value."""
        rows = [
            {
                "position": number,
                "document": item.document,
                "path": item.path,
                "field": item.field,
                "value": item.value,
                "confidence": item.confidence,
                "reasons": ", ".join(item.reasons),
                "reasoning": item.reasoning,
                "page": item.page,
                "matching_text": item.matching_text,
                "other_value": item.other_value,
                "status": item.status,
                "decided_value": item.decided_value if item.decided else None,
            }
            for number, item in enumerate(self._queue, start=1)
        ]
        frame = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
        frame["confidence"] = frame["confidence"].astype("float64")
        frame["page"] = frame["page"].astype("Int64")
        for name in ("value", "other_value", "decided_value"):
            frame[name] = frame[name].astype(object)
        return frame

    @property
    def corrected(self) -> pd.DataFrame:
        """Every value of every document with the decisions applied: ``value`` (the truth
        where decided, else as extracted), ``extracted``, ``reviewed`` (True where decided)
        and ``decision`` (accepted / corrected / missing, or None)."""
        statuses = {(self._key(i.document), i.path): i.status for i in self._queue}
        rows = []
        for key, result in self._by_stem.items():
            truth = self.store.document(key, _empty(result))
            for value in self._values[key].values():
                reviewed = has_path(truth, value.path)
                status = statuses.get((key, value.path))
                decision = (status if status in (ACCEPTED, CORRECTED, MISSING) else None) or (
                    _status_from_values(value.value, get_path(truth, value.path))
                    if reviewed
                    else None
                )
                rows.append(
                    {
                        "document": result.name,
                        "path": value.path,
                        "field": value.field,
                        "value": get_path(truth, value.path) if reviewed else value.value,
                        "extracted": value.value,
                        "reviewed": reviewed,
                        "decision": decision,
                    }
                )
        frame = pd.DataFrame(
            rows,
            columns=["document", "path", "field", "value", "extracted", "reviewed", "decision"],
        )
        for name in ("value", "extracted", "decision"):
            frame[name] = frame[name].astype(object)
        frame["decision"] = frame["decision"].where(frame["decision"].notna(), None)
        frame["reviewed"] = frame["reviewed"].astype(bool)
        return frame

    @property
    def truth(self) -> Truth:
        """The truth decided so far for these documents (what ``gold/`` holds for them)."""
        return Truth(
            {key: self.store.truth[key] for key in self._by_stem if key in self.store.truth}
        )

    # --- decisions -------------------------------------------------------------------

    def accept(self, file: str | None = None, path: str | None = None) -> ReviewItem:
        """The extracted value is right: it becomes the truth. Without arguments: the
        :attr:`current` value."""
        item = self._find(file, path)
        return self._decide(item, item.value, "accept")

    def correct(self, file: str | None, path: str | None, value: Any) -> ReviewItem:
        """The right value is ``value`` (text is read as the field's type: number, date
        YYYY-MM-DD, enum choice, ...); raises :class:`CorrectionError` (nothing written) when
        it does not fit. ``file`` and ``path`` None: the :attr:`current` value."""
        item = self._find(file, path)
        typed = parse_correction(value, item.field_type, f"{item.document} {item.path}")
        return self._decide(item, typed, "correct")

    def missing(self, file: str | None = None, path: str | None = None) -> ReviewItem:
        """The document has no value here: the truth is ``null`` ("no value expected")."""
        item = self._find(file, path)
        return self._decide(item, None, "missing")

    def skip(self, file: str | None = None, path: str | None = None) -> ReviewItem:
        """Decide later: nothing becomes truth; the value comes back after the others."""
        item = self._find(file, path)
        if item.decided:
            return item
        self.store.log(item.document, item.path, "skip", extracted=item.value)
        return self._set(replace(item, status=SKIPPED))

    def accept_rest(self) -> int:
        """Every value not decided yet, queued or not, becomes truth as extracted (a required
        field that came back absent: ``null``); returns how many were written."""
        written = 0
        for key, result in self._by_stem.items():
            truth = self.store.document(key, _empty(result))
            queued = {i.path: i.value for i in self._queue if self._key(i.document) == key}
            values = {**{v.path: v.value for v in self._values[key].values()}, **queued}
            rest = {path: value for path, value in values.items() if not has_path(truth, path)}
            self.store.decide_many(result.name, rest, empty=_empty(result))
            written += len(rest)
        self._refresh()
        return written

    def evidence(self, item: ReviewItem | None = None, *, width: int = 560) -> str:
        """HTML of the evidence of ``item`` (default :attr:`current`): the cited page region
        with its box, or the cited line among its neighbours (see :mod:`.evidence`)."""
        item = item or self.current
        if item is None:
            return ""
        result = self._by_stem[self._key(item.document)]
        low = item.confidence is not None and item.confidence < self.threshold
        return evidence_html(result.source, item.value, item.citations, low=low, width=width)

    # --- display ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"Review({self.progress}, gold={self.gold!r}, threshold={self.threshold:g})"

    def _repr_html_(self) -> str:
        items = self.items.head(20)[["position", "document", "path", "value", "reasons", "status"]]
        table = items.to_html(index=False, escape=True, na_rep="", border=0)
        more = (
            f"<div>… {len(self._queue) - 20} more: <code>.items</code></div>"
            if len(self._queue) > 20
            else ""
        )
        return (
            f"<div><b>Review</b>: {escape(self.progress)} · gold: <code>{escape(self.gold)}"
            f"</code>{table}{more}<div>Decide in the Studio's Review tab, or with "
            "<code>review.accept(file, path)</code> / <code>correct(file, path, value)</code>"
            " / <code>missing(...)</code> / <code>skip(...)</code>.</div></div>"
        )

    # --- internals -------------------------------------------------------------------

    def _queued(
        self,
        index: int,
        key: str,
        result: ExtractResult,
        others: dict[str, _Value] | None,
    ) -> list[ReviewItem]:
        values = self._values[key]
        required = _required_empty(result)
        paths = list(values) + sorted(required - set(values))
        if others is not None:
            paths += [p for p in others if p not in paths]
        found: list[ReviewItem] = []
        for path in paths:
            mine = values.get(path)
            leaf = mine.leaf if mine is not None else None
            value = mine.value if mine is not None else None
            reasons = []
            if path in required:
                reasons.append(REQUIRED_EMPTY)
            other = others.get(path) if others is not None else None
            if others is not None and not _agree(value, other.value if other else None):
                reasons.append(DISAGREEMENT)
            if leaf is not None and citation_mismatch(leaf.value, _cited_text(leaf)):
                reasons.append(CITATION_MISMATCH)
            if (
                leaf is not None
                and leaf.confidence is not None
                and leaf.confidence < self.threshold
            ):
                reasons.append(LOW_CONFIDENCE)
            if not reasons:
                continue
            field_name = field_of(path)
            found.append(
                ReviewItem(
                    document=result.name,
                    path=path,
                    field=field_name,
                    value=value,
                    reasons=tuple(reasons),
                    confidence=leaf.confidence if leaf else None,
                    reasoning=leaf.reasoning if leaf else None,
                    citations=leaf.citations if leaf else (),
                    other_value=other.value if other else None,
                    field_type=type_of(self._types[key], field_name),
                    order=(index, mine.order if mine else len(values) + len(found)),
                )
            )
        return found

    def _refresh(self) -> None:
        """Set every item's status from the gold folder and the log."""
        last = self.store.last_decisions()
        refreshed = []
        for item in self._queue:
            key = self._key(item.document)
            truth = self.store.document(key, _empty(self._by_stem[key]))
            entry = last.get((key, item.path))
            if has_path(truth, item.path):
                decided = get_path(truth, item.path)
                status = _STATUS_OF.get(entry.decision if entry else "", "") or _status_from_values(
                    item.value, decided
                )
                refreshed.append(replace(item, status=status, decided_value=decided))
            elif entry is not None and entry.decision == "skip":
                refreshed.append(replace(item, status=SKIPPED, decided_value=None))
            else:
                refreshed.append(replace(item, status=PENDING, decided_value=None))
        self._queue = refreshed

    def _decide(self, item: ReviewItem, value: Any, decision: str) -> ReviewItem:
        result = self._by_stem[self._key(item.document)]
        self.store.decide(
            result.name,
            item.path,
            value,
            decision=decision,
            extracted=item.value,
            empty=_empty(result),
        )
        return self._set(replace(item, status=_STATUS_OF[decision], decided_value=value))

    def _set(self, item: ReviewItem) -> ReviewItem:
        self._queue = [
            item if (old.document, old.path) == (item.document, item.path) else old
            for old in self._queue
        ]
        return item

    def _find(self, file: str | None, path: str | None) -> ReviewItem:
        if file is None and path is None:
            item = self.current
            if item is None:
                raise ValueError("the review is done: every queued value is decided")
            return item
        if file is None or path is None:
            raise TypeError("give both file and path (or neither, for the current value)")
        key = self._key(file)
        for item in self._queue:
            if self._key(item.document) == key and item.path == path:
                return item
        value = self._values[key].get(path)
        if value is None:
            known = ", ".join(list(self._values[key])[:12])
            raise ValueError(f"{file} has no value at {path!r}; its values: {known}")
        result = self._by_stem[key]
        extra = ReviewItem(
            document=result.name,
            path=path,
            field=value.field,
            value=value.value,
            reasons=(),
            confidence=value.leaf.confidence if value.leaf else None,
            citations=value.leaf.citations if value.leaf else (),
            field_type=type_of(self._types[key], value.field),
        )
        return extra  # a value outside the queue: decided, but not added to it

    def _key(self, file: str) -> str:
        key = stem(file)
        if key not in self._by_stem:
            known = ", ".join(r.name for r in self.results)
            raise ValueError(f"{file!r} is not one of the reviewed documents: {known}")
        return key


# --- building the queue ------------------------------------------------------------------


def _as_results(results: Any) -> list[ExtractResult]:
    if isinstance(results, ExtractResult):
        return [results]
    if isinstance(results, BatchResult):
        return list(results)
    if isinstance(results, Iterable) and not isinstance(results, (str, bytes)):
        listed = list(results)
        if all(isinstance(r, ExtractResult) for r in listed):
            return listed
    raise TypeError(
        "Review needs extraction results: a BatchResult (extract_many), an ExtractResult "
        f"(extract) or a list of them, got {type(results).__name__}"
    )


def _by_stem(results: list[ExtractResult]) -> dict[str, ExtractResult]:
    found: dict[str, ExtractResult] = {}
    for result in results:
        if result.status != "COMPLETED":
            continue
        key = stem(result.name)
        if key in found:
            raise ValueError(
                f"{found[key].name!r} and {result.name!r} would share the gold file {key}.json "
                "(truth is keyed by file name without extension): rename one document"
            )
        found[key] = result
    return found


def _values_of(result: ExtractResult) -> dict[str, _Value]:
    """Every leaf value of ``result`` by its path in the document's data."""
    prefixes = _item_prefixes(result)
    values: dict[str, _Value] = {}
    for order, leaf in enumerate(result._extraction.leaves):
        prefix = prefixes[leaf.item] if leaf.item < len(prefixes) else f"[{leaf.item}]"
        path = f"{prefix}.{leaf.path}" if prefix else leaf.path
        field_name = f"[].{leaf.field}" if prefix else leaf.field
        values[path] = _Value(path, field_name, leaf.value, leaf, order)
    return values


def _item_prefixes(result: ExtractResult) -> list[str]:
    """The path prefix of each result item: none for per_doc, ``[page - 1]`` for per_page
    (truth lists pages in order), ``[row]`` for per_table_row."""
    count = len(result._extraction.items)
    if result.target == "per_doc":
        return [""] * count
    if result.target == "per_page" and "page" in result.df.columns:
        return [f"[{int(page) - 1}]" for page in result.df["page"]]
    return [f"[{index}]" for index in range(count)]


def _empty(result: ExtractResult) -> TruthValue:
    return {} if result.target == "per_doc" else []


def _required_empty(result: ExtractResult) -> set[str]:
    """Paths of required fields (by the schema) that came back empty or absent."""
    schema = result.schema
    if not isinstance(schema, dict):
        return set()
    try:
        schema = inline_refs(schema)
    except SchemaError:  # a schema the service took but we cannot expand: no required check
        return set()
    found: set[str] = set()
    for item, prefix in zip(result._extraction.items, _item_prefixes(result), strict=False):
        _walk_required(schema, item, prefix, found)
    return found


def _walk_required(node: Any, data: Any, prefix: str, found: set[str]) -> None:
    node = unwrap(node)[0] if isinstance(node, dict) else {}
    properties = node.get("properties")
    if isinstance(properties, dict):
        required = node.get("required") if isinstance(node.get("required"), list) else []
        values = data if isinstance(data, dict) else {}
        for key, sub in properties.items():
            path = f"{prefix}.{key}" if prefix else key
            value = values.get(key)
            if key in required and _is_empty(value):
                found.add(path)
            elif value is not None:
                _walk_required(sub, value, path, found)
    elif node.get("type") == "array" and isinstance(data, list):
        for index, element in enumerate(data):
            _walk_required(node.get("items"), element, f"{prefix}[{index}]", found)


def _is_empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, (str, list, dict)) and not value)
        or (isinstance(value, str) and not value.strip())
    )


def _cited_text(leaf: Leaf) -> str | None:
    texts = [c.text for c in leaf.citations if c.text]
    return "\n".join(texts) if texts else None


def _agree(mine: Any, other: Any) -> bool:
    """Do two runs agree on a value? By the evaluation's matching rule for the value
    (:func:`~llamaextract_nb.results.matching.default_rule`: numbers however printed, dates
    however written, text ignoring case, spacing and punctuation)."""
    if mine is None or other is None:
        return mine is None and other is None
    return default_rule(None, mine).score(mine, other) >= 1.0


def _worst_first(item: ReviewItem) -> tuple[int, int, float, tuple[int, int]]:
    worst = min(REASONS.index(reason) for reason in item.reasons)
    confidence = item.confidence if item.confidence is not None else -1.0
    return (worst, -len(item.reasons), confidence, item.order)


def _status_from_values(extracted: Any, decided: Any) -> str:
    if decided is None:
        return MISSING
    return ACCEPTED if decided == extracted else CORRECTED


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): the log says so
        return "unknown"
