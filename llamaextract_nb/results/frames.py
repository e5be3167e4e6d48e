"""Build the result DataFrames: ``df`` (wide, typed), one tidy frame per array, ``fields`` (long).

Typing is lossless: a column gets the schema's dtype only when every value in it fits
(number -> float64, integer -> Int64, boolean -> boolean, ISO date strings -> datetime64,
enum -> category); otherwise the values are kept as they came.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
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
    return flattener(layout)(obj, prefix, reserved=reserved)


def flattener(layout: Layout) -> Callable[..., dict[str, Any]]:
    """:func:`flatten` for many objects of one ``layout`` (its paths are worked out once)."""
    whole, nested, arrays = layout.object_paths, layout.nested_paths, layout.arrays

    def flat(obj: Any, prefix: str = "", *, reserved: Iterable[str] = ()) -> dict[str, Any]:
        row: dict[str, Any] = {}
        if isinstance(obj, dict):
            _flatten_into(row, obj, prefix, whole, nested, arrays)
        for name in set(reserved) & set(row):
            row[name + "_"] = row.pop(name)
        return row

    return flat


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


def wide_frame(
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    layout: Layout,
    *,
    owners: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per entry of ``rows`` with the key columns first, then the layout's columns.

    ``owners``: the document each row comes from, when the rows of many documents (in order)
    are built into one frame; each column then comes out as if every document had its own frame
    and they were stacked: built at once where the documents' values have the same Python types
    (pandas infers one dtype for them), piece by piece where they do not, and typed as
    :func:`typed_by_document` says."""
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
    spans = _spans(owners, len(frame))
    kinds = {c.path: c for c in typed_columns}
    for name in columns:
        pieces = _same_types(rows, name, spans)
        if len(pieces) > 1:
            frame[name] = _stacked_column(rows, name, pieces, kinds.get(name))
        elif name in kinds:
            frame[name] = typed_by_document(frame[name], kinds[name], spans)
    return frame


_ABSENT = object()


def _same_types(
    rows: Sequence[dict[str, Any]], name: str, spans: list[tuple[int, int]]
) -> list[list[tuple[int, int]]]:
    """``spans`` cut into runs of neighbouring documents whose ``name`` values have the same
    set of Python types (one run: the column can be built for all documents at once)."""
    if len(spans) == 1:
        return [spans]
    pieces: list[list[tuple[int, int]]] = []
    last: frozenset[type] | None = None
    for start, end in spans:
        types = frozenset(type(row.get(name, _ABSENT)) for row in rows[start:end])
        if pieces and types == last:
            pieces[-1].append((start, end))
        else:
            pieces.append([(start, end)])
        last = types
    return pieces


def _stacked_column(
    rows: Sequence[dict[str, Any]],
    name: str,
    pieces: list[list[tuple[int, int]]],
    column: Column | None,
) -> pd.Series:
    """Column ``name`` built per piece of documents (:func:`_same_types`), each typed, and
    stacked as frames of their own would be."""
    parts = []
    for piece in pieces:
        first = piece[0][0]
        own = pd.DataFrame.from_records(list(rows[first : piece[-1][1]]), columns=[name])[name]
        if column is not None:
            own = typed_by_document(own, column, [(a - first, b - first) for a, b in piece])
        parts.append(own.to_frame())
    return stack_frames(parts, [])[name]


def array_frames(
    items: Sequence[Any],
    keys: Sequence[dict[str, Any]],
    layout: Layout,
    *,
    owners: Sequence[int] | None = None,
) -> dict[str, pd.DataFrame]:
    """One tidy frame per array of objects, keyed by the parent's keys and ``<array>_index``.

    ``owners``: the document each item comes from (see :func:`wide_frame`)."""
    frames: dict[str, pd.DataFrame] = {}
    item_owners = owners if owners is not None else [0] * len(items)
    for path, sub in layout.arrays.items():
        index_name = f"{path}_index"
        flat = flattener(sub)
        rows: list[dict[str, Any]] = []
        elements: list[Any] = []
        element_keys: list[dict[str, Any]] = []
        element_owners: list[int] = []
        for item, key, owner in zip(items, keys, item_owners, strict=True):
            for position, element in enumerate(_get(item, path) or ()):
                element_key = {**key, index_name: position}
                rows.append({**element_key, **flat(element, reserved=element_key)})
                elements.append(element)
                element_keys.append(element_key)
                element_owners.append(owner)
        key_names = [*keys[0], index_name] if keys else [index_name]
        frames[path] = wide_frame(rows, key_names, sub, owners=element_owners)
        nested = array_frames(elements, element_keys, sub, owners=element_owners)
        for name, frame in nested.items():
            frames[f"{path}.{name}"] = frame
    return frames


def _spans(owners: Sequence[int] | None, length: int) -> list[tuple[int, int]]:
    """The row ranges of each document in a frame (one range without ``owners``)."""
    if owners is None or not length:
        return [(0, length)]
    starts = [i for i, owner in enumerate(owners) if i == 0 or owner != owners[i - 1]]
    return list(zip(starts, [*starts[1:], length], strict=True))


def _get(obj: Any, path: str) -> list[Any] | None:
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj if isinstance(obj, list) else None


def fields_frame(records: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """The long metadata frame from :func:`field_records` (of one or many documents)."""
    frame = pd.DataFrame.from_records(records, columns=list(FIELD_COLUMNS))
    for name in ("confidence", "extraction_confidence", "parsing_confidence"):
        frame[name] = frame[name].astype("float64")
    frame["item"] = frame["item"].astype("int64")
    frame["page"] = frame["page"].astype("Int64")
    frame["citation_mismatch"] = frame["citation_mismatch"].astype("boolean")
    for name in ("reasoning", "matching_text"):  # str even where a document has none
        frame[name] = frame[name].astype("str")
    value = FIELD_COLUMNS.index("value")  # as it came: not inferred per document (1 -> 1.0)
    frame["value"] = pd.Series([record[value] for record in records], dtype=object)
    return frame


def field_records(leaves: Iterable[Leaf], *, document: str, job_id: str) -> list[tuple[Any, ...]]:
    """One record (:data:`FIELD_COLUMNS`) per leaf value, first citation's page and box first."""
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
    return records


def typed(series: pd.Series, column: Column) -> pd.Series:
    """``series`` in the dtype of ``column.kind``, or unchanged if a value does not fit."""
    values = [v for v in series.tolist() if not _missing(v)]
    return _converted(series, column, values, _conversion(values, column))


def typed_by_document(
    series: pd.Series, column: Column, spans: Sequence[tuple[int, int]]
) -> pd.Series:
    """``series`` (the rows of many documents, ``spans`` giving each one's range) typed as if
    each document's rows were typed alone (:func:`typed`) and stacked: converted at once where
    every document's values convert the same way, else document by document."""
    cells = series.tolist()
    present = [[v for v in cells[start:end] if not _missing(v)] for start, end in spans]
    conversions = {_conversion(values, column) for values in present}
    if len(conversions) == 1:
        values = [v for document in present for v in document]
        conversion = conversions.pop()
        converted = _converted(series, column, values, conversion)
        if conversion is None or converted is not series:
            return converted
    parts = [typed(series.iloc[start:end], column).to_frame() for start, end in spans]
    return stack_frames(parts, [])[series.name].set_axis(series.index)


def _conversion(values: list[Any], column: Column) -> str | None:
    """How present ``values`` convert to ``column.kind``'s dtype; None when one does not fit."""
    kind = column.kind
    if kind in ("number", "integer") and all(_is_number(v) for v in values):
        whole = kind == "integer" and all(float(v).is_integer() for v in values)
        return "Int64" if whole else "float64"
    if kind == "boolean" and all(isinstance(v, bool) for v in values):
        return "boolean"
    if kind == "date" and values and all(isinstance(v, str) and _ISO.match(v) for v in values):
        return "utc" if any(_ISO.match(v)[1] for v in values) else "naive"  # type: ignore[index]
    if kind == "enum" and all(isinstance(v, (str, int, float)) for v in values):
        return "category"
    return None


def _converted(
    series: pd.Series, column: Column, values: list[Any], conversion: str | None
) -> pd.Series:
    """``series`` converted as :func:`_conversion` decided (unchanged when it could not be)."""
    if conversion in ("Int64", "float64"):
        numbers = pd.to_numeric(series.astype(object).where(series.notna(), None), errors="coerce")
        return numbers.astype(conversion)
    if conversion == "boolean":
        return series.astype("boolean")
    if conversion in ("utc", "naive"):
        try:
            return pd.to_datetime(series, format="ISO8601", utc=conversion == "utc")
        except (ValueError, TypeError):
            return series
    if conversion == "category":
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


def stack_frames(frames: list[pd.DataFrame], leading: list[str]) -> pd.DataFrame:
    """Stack frames keeping categories (unioned), integers (where rows missing a column
    made them float) and ``leading`` columns first."""
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
        column = combined[name]
        if pd.api.types.is_float_dtype(column.dtype) and column.dropna().mod(1).eq(0).all():
            combined[name] = column.astype("Int64")
    order = [c for c in leading if c in combined.columns]
    return combined[order + [c for c in combined.columns if c not in order]]
