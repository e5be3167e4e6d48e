"""Build the result DataFrames: ``df`` (wide, typed), one tidy frame per array, ``fields`` (long).

Typing is lossless: a column gets the schema's dtype only when every value in it fits
(number -> float64, integer -> Int64, boolean -> boolean, ISO date strings -> datetime64,
enum -> category); otherwise the values are kept as they came.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from llamaextract_nb.results.layout import Column, Layout
from llamaextract_nb.results.matching import citation_mismatch
from llamaextract_nb.results.metadata import Leaf

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)

FIELD_COLUMNS = (
    "document",
    "job_id",
    "item",
    "path",
    "field",
    "value",
    "confidence",
    "extraction_confidence",
    "parsing_confidence",
    "reasoning",
    "page",
    "matching_text",
    "bounding_boxes",
    "citation_mismatch",
)


def flatten(
    obj: Any, layout: Layout, prefix: str = "", *, reserved: Iterable[str] = ()
) -> dict[str, Any]:
    """``obj`` as one flat row: nested objects dotted, arrays of objects left out (own frames).

    Names in ``reserved`` (the key columns) get a trailing underscore: ``row`` -> ``row_``.
    """
    row: dict[str, Any] = {}
    if isinstance(obj, dict):
        _flatten_into(row, obj, prefix, layout.object_paths, layout.nested_paths, layout.arrays)
    for name in set(reserved) & set(row):
        row[name + "_"] = row.pop(name)
    return row


def _flatten_into(
    row: dict[str, Any],
    obj: dict[str, Any],
    prefix: str,
    whole: set[str],
    nested: set[str],
    arrays: dict[str, Layout],
) -> None:
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if path in arrays or (value is None and path in nested):
            continue  # own frame, or a null object whose sub-columns stay empty
        if isinstance(value, dict) and path not in whole:
            _flatten_into(row, value, path + ".", whole, nested, arrays)
        else:
            row[path] = value


def wide_frame(rows: Sequence[dict[str, Any]], keys: Sequence[str], layout: Layout) -> pd.DataFrame:
    """One row per entry of ``rows`` with the key columns first, then the layout's columns."""
    typed_columns = [
        Column(c.path + "_", c.kind, c.enum) if c.path in keys else c for c in layout.columns
    ]
    columns = list(keys) + [c.path for c in typed_columns]
    known = set(columns)
    for row in rows:
        for name in row:
            if name not in known:
                known.add(name)
                columns.append(name)
    frame = (
        pd.DataFrame.from_records(list(rows), columns=columns)
        if rows
        else pd.DataFrame(columns=columns)
    )
    return apply_dtypes(frame, typed_columns)


def array_frames(
    items: Sequence[Any], keys: Sequence[dict[str, Any]], layout: Layout
) -> dict[str, pd.DataFrame]:
    """One tidy frame per array of objects, keyed by the parent's keys and ``<array>_index``."""
    frames: dict[str, pd.DataFrame] = {}
    for path, sub in layout.arrays.items():
        index_name = f"{path}_index"
        rows: list[dict[str, Any]] = []
        elements: list[Any] = []
        element_keys: list[dict[str, Any]] = []
        for item, key in zip(items, keys, strict=True):
            for position, element in enumerate(_get(item, path) or ()):
                element_key = {**key, index_name: position}
                rows.append({**element_key, **flatten(element, sub, reserved=element_key)})
                elements.append(element)
                element_keys.append(element_key)
        key_names = [*keys[0], index_name] if keys else [index_name]
        frames[path] = wide_frame(rows, key_names, sub)
        for name, frame in array_frames(elements, element_keys, sub).items():
            frames[f"{path}.{name}"] = frame
    return frames


def _get(obj: Any, path: str) -> list[Any] | None:
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj if isinstance(obj, list) else None


def fields_frame(leaves: Iterable[Leaf], *, document: str, job_id: str) -> pd.DataFrame:
    """The long metadata frame: one row per leaf value, first citation's page and box first."""
    records = []
    for leaf in leaves:
        texts = [c.text for c in leaf.citations if c.text]
        pages = [c.page for c in leaf.citations if c.page is not None]
        boxes = [
            {"page": c.page, "x": b.x, "y": b.y, "w": b.w, "h": b.h}
            for c in leaf.citations
            for b in c.boxes
        ]
        text = "\n".join(texts) if texts else None
        records.append(
            (
                document,
                job_id,
                leaf.item,
                leaf.path,
                leaf.field,
                leaf.value,
                leaf.confidence,
                leaf.extraction_confidence,
                leaf.parsing_confidence,
                leaf.reasoning,
                pages[0] if pages else None,
                text,
                boxes,
                citation_mismatch(leaf.value, text),
            )
        )
    frame = pd.DataFrame.from_records(records, columns=list(FIELD_COLUMNS))
    for name in ("confidence", "extraction_confidence", "parsing_confidence"):
        frame[name] = frame[name].astype("float64")
    frame["item"] = frame["item"].astype("int64")
    frame["page"] = frame["page"].astype("Int64")
    frame["citation_mismatch"] = frame["citation_mismatch"].astype("boolean")
    frame["value"] = frame["value"].astype(object)
    return frame


def apply_dtypes(frame: pd.DataFrame, columns: Iterable[Column]) -> pd.DataFrame:
    """Give each column present in ``frame`` its schema dtype when every value fits it."""
    for column in columns:
        if column.path in frame.columns:
            frame[column.path] = typed(frame[column.path], column)
    return frame


def typed(series: pd.Series, column: Column) -> pd.Series:
    """``series`` in the dtype of ``column.kind``, or unchanged if a value does not fit."""
    values = [v for v in series.tolist() if not _missing(v)]
    kind = column.kind
    if kind in ("number", "integer") and all(_is_number(v) for v in values):
        numbers = pd.to_numeric(series.astype(object).where(series.notna(), None), errors="coerce")
        if kind == "integer" and all(float(v).is_integer() for v in values):
            return numbers.astype("Int64")
        return numbers.astype("float64")
    if kind == "boolean" and all(isinstance(v, bool) for v in values):
        return series.astype("boolean")
    if kind == "date" and values and all(isinstance(v, str) and _ISO.match(v) for v in values):
        aware = any(_ISO.match(v)[1] for v in values)  # type: ignore[index]
        try:
            return pd.to_datetime(series, format="ISO8601", utc=aware)
        except (ValueError, TypeError):
            return series
    if kind == "enum" and all(isinstance(v, (str, int, float)) for v in values):
        categories = list(dict.fromkeys([*column.enum, *values]))
        return pd.Series(
            pd.Categorical(series.where(series.notna(), None), categories=categories),
            index=series.index,
            name=series.name,
        )
    return series


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
