"""Read ``extract_result`` and ``extract_metadata`` defensively: the one place for layout quirks.

Handled here and nowhere else:

- the target (per_doc / per_page / per_table_row), from the configuration or else from which
  metadata layout is filled or the result's shape;
- a per_doc result that arrives as a one-element list (unwrapped);
- ``document_metadata`` / ``page_metadata`` / ``row_metadata``, and the documented variant
  with field entries directly under ``field_metadata``;
- arrays as per-item lists of entries, or one entry for the whole array (applied to each item);
- stray ``reasoning`` strings next to sub-fields (inherited by leaves without their own) and
  ``error`` strings (collected in :attr:`Extraction.errors`);
- entries missing confidences or citations, values of the wrong JSON type (ignored), metadata
  for keys the result lacks (kept as leaves with a null value).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from llamaextract_nb.api.models import EXTRACTION_TARGETS

_CONFIDENCES = ("confidence", "extraction_confidence", "parsing_confidence")
_ENTRY_KEYS = frozenset({"citation", "citations", *_CONFIDENCES})
_STRAY_KEYS = frozenset({"reasoning", "error"})
_INDEX = re.compile(r"\[\d+\]")


class TargetMismatchWarning(UserWarning):
    """A result came back in another shape than its configured extraction target."""


@dataclass(frozen=True)
class Box:
    """A bounding box in page units (PDF points), top-left origin."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Citation:
    page: int | None = None
    text: str | None = None
    boxes: tuple[Box, ...] = ()
    page_size: tuple[float, float] | None = None


@dataclass(frozen=True)
class Leaf:
    """One extracted leaf value with whatever metadata came with it."""

    item: int
    path: str
    value: Any
    confidence: float | None = None
    extraction_confidence: float | None = None
    parsing_confidence: float | None = None
    reasoning: str | None = None
    raw_citations: Any = None

    @cached_property
    def citations(self) -> tuple[Citation, ...]:
        """The citations, read on first use (big results are displayed before all are needed)."""
        return _citations(self.raw_citations)

    def cited(self) -> tuple[int | None, str | None]:
        """The first cited page and the cited texts (joined by newlines), read without
        parsing the boxes."""
        raw = self.raw_citations
        entries = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else ()
        first: int | None = None
        texts = []
        for entry in entries:
            if isinstance(entry, dict):
                if first is None:
                    first = _page(entry.get("page"))
                text = entry.get("matching_text")
                if isinstance(text, str) and text:
                    texts.append(text)
        return first, "\n".join(texts) if texts else None

    @property
    def field(self) -> str:
        """The path without positions: ``line_items[2].amount`` -> ``line_items[].amount``."""
        return _INDEX.sub("[]", self.path)


@dataclass
class Extraction:
    """The result items (one per document / page / row) and their leaves with metadata."""

    target: str
    data: dict[str, Any] | list[Any] | None
    items: list[Any]
    leaves: list[Leaf] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_extraction(raw_job: dict[str, Any], *, target: str | None = None) -> Extraction:
    """Read a job's JSON (as returned by GET, any expand) into items and leaves.

    The shape that came back decides how it is read; the target asked for (``target``, else the
    echoed configuration) only settles what the shape leaves open. When the two disagree (a job
    configured per_page whose result is one object) a :class:`TargetMismatchWarning` says so and
    the result is read as it came, so no citation or confidence is lost.
    """
    result = raw_job.get("extract_result")
    tree = _field_metadata(raw_job)
    asked = target or _configured_target(raw_job)
    target = _returned_target(result, tree, asked)
    if asked and asked != target and asked in EXTRACTION_TARGETS:
        warnings.warn(
            f"job {raw_job.get('id', '?')} was configured {asked} but its result came back "
            f"shaped {target}; it is read as {target}",
            TargetMismatchWarning,
            stacklevel=3,
        )
    if target == "per_doc" and isinstance(result, list) and len(result) == 1:
        result = result[0]
    if result is None:
        items: list[Any] = []
    elif isinstance(result, list):
        items = result
    else:
        items = [result]
    extraction = Extraction(target, result, items)
    metas = _item_metadata(tree, target, len(items), extraction.errors)
    for index, item in enumerate(items):
        meta = metas[index] if index < len(metas) else None
        _walk(item, meta, "", _Inherited(), index, extraction)
    return extraction


def _field_metadata(raw_job: dict[str, Any]) -> Any:
    metadata = raw_job.get("extract_metadata")
    return metadata.get("field_metadata") if isinstance(metadata, dict) else None


def _configured_target(raw_job: dict[str, Any]) -> str | None:
    configuration = raw_job.get("configuration")
    if isinstance(configuration, dict):
        target = configuration.get("extraction_target")
        if isinstance(target, str) and target:
            return target
    return None


def _returned_target(result: Any, tree: Any, asked: str | None) -> str:
    """The target the shape that came back shows; ``asked`` only settles what it leaves open.

    An object is per_doc. A list is per_table_row or per_page by its metadata layout (per_doc
    if that was asked and the list has one element), else as asked, else per_table_row (per_doc
    for one element). No result: the metadata layout, else as asked.
    """
    if isinstance(result, dict):
        return "per_doc"
    layout = _metadata_layout(tree)
    if isinstance(result, list):
        if asked == "per_doc" and len(result) == 1:
            return "per_doc"
        if layout in ("per_table_row", "per_page"):
            return layout
        if asked in ("per_page", "per_table_row"):
            return asked
        return "per_doc" if len(result) == 1 else "per_table_row"
    return layout or (asked if asked in EXTRACTION_TARGETS else "per_doc")


def _metadata_layout(tree: Any) -> str | None:
    if isinstance(tree, dict):
        if isinstance(tree.get("row_metadata"), list):
            return "per_table_row"
        if isinstance(tree.get("page_metadata"), list):
            return "per_page"
        if isinstance(tree.get("document_metadata"), dict):
            return "per_doc"
    return None


def _item_metadata(tree: Any, target: str, count: int, errors: list[str]) -> list[Any]:
    """One metadata container per result item (``None`` where there is none)."""
    if not isinstance(tree, dict):
        return []
    layouts = ("document_metadata", "page_metadata", "row_metadata")
    if not any(key in tree for key in layouts):
        return [tree] if target == "per_doc" else []  # the variant without document_metadata
    order = {
        "per_doc": layouts,
        "per_page": ("page_metadata", "row_metadata", "document_metadata"),
    }.get(target, ("row_metadata", "page_metadata", "document_metadata"))
    for key in order:
        value = tree.get(key)
        if isinstance(value, dict) and target == "per_doc":
            return [value]
        if isinstance(value, list):
            if target == "per_doc" and len(value) == 1:
                return value
            if target != "per_doc":
                if len(value) != count:
                    errors.append(
                        f"{key} has {len(value)} entries for {count} result items; "
                        "metadata was matched by position"
                    )
                return value
    return []


@dataclass(frozen=True)
class _Inherited:
    """Metadata given to an object or array as a whole, passed down to its leaves."""

    entry: dict[str, Any] | None = None
    reasoning: str | None = None


def _walk(
    value: Any, meta: Any, path: str, inherited: _Inherited, item: int, out: Extraction
) -> None:
    if isinstance(value, dict) or (value is None and _is_container(meta)):
        _walk_object(value or {}, meta, path, inherited, item, out)
    elif isinstance(value, list):
        if _is_entry(meta):
            inherited = _Inherited(meta, inherited.reasoning)
        metas = meta if isinstance(meta, list) else []
        for index, element in enumerate(value):
            sub = metas[index] if index < len(metas) else None
            _walk(element, sub, f"{path}[{index}]", inherited, item, out)
    else:
        if isinstance(meta, list):  # one-element list of entries for a scalar
            meta = next((m for m in meta if isinstance(m, dict)), None)
        out.leaves.append(_leaf(item, path or "value", value, meta, inherited))


def _walk_object(
    value: dict[str, Any], meta: Any, path: str, inherited: _Inherited, item: int, out: Extraction
) -> None:
    container: dict[str, Any] = meta if isinstance(meta, dict) else {}
    if _is_entry(container) and not set(container) & set(value):
        inherited = _Inherited(container, inherited.reasoning)
        container = {}
    reasoning = container.get("reasoning")
    if "reasoning" not in value and isinstance(reasoning, str):
        inherited = _Inherited(inherited.entry, reasoning)
    error = container.get("error")
    if "error" not in value and isinstance(error, str) and error:
        where = path if out.target == "per_doc" else f"[{item}].{path}" if path else f"[{item}]"
        out.errors.append(f"{where}: {error}" if where else error)
    keys = list(value) + [
        k
        for k, v in container.items()
        if k not in value and k not in _STRAY_KEYS and isinstance(v, (dict, list))
    ]
    for key in keys:
        _walk(
            value.get(key),
            container.get(key),
            f"{path}.{key}" if path else key,
            inherited,
            item,
            out,
        )


def _is_entry(meta: Any) -> bool:
    """True for a field metadata entry (``citation`` / confidences), not a container of them."""
    if not isinstance(meta, dict) or not _ENTRY_KEYS & set(meta):
        return False
    for key in _CONFIDENCES:
        if key in meta and not (meta[key] is None or _number(meta[key]) is not None):
            return False
    return all(
        meta.get(key) is None or isinstance(meta[key], (list, dict))
        for key in ("citation", "citations")
    )


def _is_container(meta: Any) -> bool:
    return isinstance(meta, dict) and bool(meta) and not _is_entry(meta)


def _leaf(item: int, path: str, value: Any, meta: Any, inherited: _Inherited) -> Leaf:
    entry: dict[str, Any] = meta if isinstance(meta, dict) else {}
    base = inherited.entry or {}

    def pick(key: str) -> Any:
        return entry[key] if entry.get(key) is not None else base.get(key)

    reasoning = pick("reasoning")
    citations = pick("citation") if pick("citation") is not None else pick("citations")
    return Leaf(
        item=item,
        path=path,
        value=value,
        confidence=_number(pick("confidence")),
        extraction_confidence=_number(pick("extraction_confidence")),
        parsing_confidence=_number(pick("parsing_confidence")),
        reasoning=reasoning if isinstance(reasoning, str) else inherited.reasoning,
        raw_citations=citations,
    )


def _citations(raw: Any) -> tuple[Citation, ...]:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return ()
    citations = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        text = entry.get("matching_text")
        size = entry.get("page_dimensions")
        width = _number(size.get("width")) if isinstance(size, dict) else None
        height = _number(size.get("height")) if isinstance(size, dict) else None
        citations.append(
            Citation(
                page=_page(entry.get("page")),
                text=text if isinstance(text, str) else None,
                boxes=_boxes(entry.get("bounding_boxes")),
                page_size=(width, height) if width and height else None,
            )
        )
    return tuple(citations)


def _page(value: Any) -> int | None:
    """A page number: a whole number >= 1, else None."""
    page = _number(value)
    return int(page) if page is not None and page == int(page) and page >= 1 else None


def _boxes(raw: Any) -> tuple[Box, ...]:
    if isinstance(raw, dict):
        raw = [raw]
    boxes = []
    for box in raw if isinstance(raw, list) else ():
        if isinstance(box, dict):
            numbers = [_number(box.get(k)) for k in ("x", "y", "w", "h")]
        elif isinstance(box, list) and len(box) == 4:
            numbers = [_number(v) for v in box]
        else:
            continue
        x, y, w, h = numbers
        if x is not None and y is not None and w is not None and h is not None:
            boxes.append(Box(x, y, w, h))
    return tuple(boxes)


def _number(value: Any) -> float | None:
    if type(value) is float:
        return value if math.isfinite(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None
