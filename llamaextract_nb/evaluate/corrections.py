"""A reviewer's typed correction read as the schema's type, or a message saying what to type.

The field's kind comes from the schema (:func:`~llamaextract_nb.results.layout.layout_from_schema`):
``number`` / ``integer`` (``1,234.50`` is read, ``12 apples`` is not), ``date`` (``YYYY-MM-DD``),
``boolean`` (true / false / yes / no), ``enum`` (one of its values; case is forgiven), ``list``
and ``object`` (JSON), anything else as trimmed text. Empty input is refused: the document
having no value is the **Missing** decision, not an empty correction.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from llamaextract_nb.errors import LlamaExtractError
from llamaextract_nb.results.layout import Column, Layout, layout_from_schema

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CURRENCY = "$€£¥"
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}


class CorrectionError(LlamaExtractError, ValueError):
    """A correction that does not fit the field's type; nothing was written."""


@dataclass(frozen=True)
class FieldType:
    """What a field holds, for typing a correction: its kind and, for enums, the choices."""

    kind: str = "any"
    choices: tuple[Any, ...] = ()

    @property
    def hint(self) -> str:
        """What to type, for an input's placeholder."""
        return {
            "number": "a number, e.g. 1234.50",
            "integer": "a whole number, e.g. 12",
            "date": "a date: YYYY-MM-DD",
            "boolean": "true or false",
            "enum": "one of: " + ", ".join(map(str, self.choices)),
            "list": 'a JSON list, e.g. ["a", "b"]',
            "object": 'a JSON object, e.g. {"name": "..."}',
        }.get(self.kind, "the correct text")


def field_types(schema: dict[str, Any] | None) -> dict[str, FieldType]:
    """Every leaf field of ``schema`` by its index-free path (``line_items[].amount``; a
    per_page / per_table_row item's fields are looked up without the leading ``[]``)."""
    if not schema:
        return {}
    found: dict[str, FieldType] = {}
    _collect(layout_from_schema(schema), "", found)
    return found


def _collect(layout: Layout, prefix: str, found: dict[str, FieldType]) -> None:
    for column in layout.columns:
        found[prefix + column.path] = _field_type(column)
    for path, sub in layout.arrays.items():
        found[f"{prefix}{path}"] = FieldType("list")
        _collect(sub, f"{prefix}{path}[].", found)


def _field_type(column: Column) -> FieldType:
    return FieldType(column.kind, tuple(column.enum))


def type_of(types: dict[str, FieldType], field: str) -> FieldType:
    """The type of ``field`` (an index-free path), ``any`` when the schema does not say."""
    field = field[3:] if field.startswith("[].") else field
    return types.get(field, FieldType("any"))


def parse_correction(raw: Any, field: FieldType, path: str = "the value") -> Any:
    """``raw`` (text typed by a reviewer, or a Python value) as the JSON value ``field``
    holds; raises :class:`CorrectionError` saying what to type instead."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise CorrectionError(
            f"{path}: the correction is empty; type {field.hint}, or choose Missing when the "
            "document has no value"
        )
    reader = _READERS.get(field.kind, _text)
    try:
        return reader(raw, field)
    except (ValueError, TypeError) as exc:
        raise CorrectionError(f"{path}: {exc}") from None


def _number(raw: Any, field: FieldType) -> float | int:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number; type {field.hint}")
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = str(raw).strip().strip(_CURRENCY).strip().replace("\u00a0", "").replace(" ", "")
        if _GROUPED.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{str(raw)!r} is not a number; type {field.hint}") from None
    if not math.isfinite(number):
        raise ValueError(f"{str(raw)!r} is not a finite number; type {field.hint}")
    if field.kind == "integer":
        if not number.is_integer():
            raise ValueError(f"{str(raw)!r} is not a whole number; type {field.hint}")
        return int(number)
    return number


def _date(raw: Any, field: FieldType) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else _bad_date(raw)
    except ValueError:
        return _bad_date(raw)


def _bad_date(raw: Any) -> str:
    raise ValueError(f"{str(raw)!r} is not a date; type it as YYYY-MM-DD, e.g. 2024-03-12")


def _boolean(raw: Any, field: FieldType) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(f"{str(raw)!r} is not true or false; type true or false")


def _enum(raw: Any, field: FieldType) -> Any:
    if raw in field.choices:
        return raw
    folded = str(raw).strip().casefold()
    for choice in field.choices:
        if str(choice).casefold() == folded:
            return choice
    raise ValueError(f"{str(raw)!r} is not a choice; choose {field.hint}")


def _json(raw: Any, field: FieldType) -> Any:
    wanted = list if field.kind == "list" else dict
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg}); type {field.hint}") from None
    if not isinstance(value, wanted):
        raise ValueError(f"{str(raw)!r} is not {field.hint}")
    return value


def _text(raw: Any, field: FieldType) -> Any:
    if isinstance(raw, (int, float, bool)) and field.kind == "any":
        return raw
    return str(raw).strip()


_READERS = {
    "number": _number,
    "integer": _number,
    "date": _date,
    "boolean": _boolean,
    "enum": _enum,
    "list": _json,
    "object": _json,
}
