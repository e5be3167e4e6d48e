"""The type of a printed value, and of a field from every value seen for it.

Types are the Schema table's: ``date``, ``integer``, ``number``, ``boolean``, ``enum`` and
``string``. A value is typed only when the type's pattern covers it (``"19.06.2024"`` is a
date, ``"Net 30 days"`` is a string); identifiers stay strings whatever they look like.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from llamaextract_nb.local.engine.coerce import parse_date, parse_number
from llamaextract_nb.local.engine.currencies import CURRENCY_RE, currency_code
from llamaextract_nb.local.engine.values import BOOLEAN_RE, find_spans

_PLAIN_INTEGER = re.compile(r"[-−]?(?:[1-9]\d{0,2}(?:[,.'’]\d{3})+|[1-9]\d*|0)")
ID_WORDS = frozenset({"number", "id", "code", "reference", "ref", "iban", "bic", "phone"})
"""Words of a name that say its field holds an identifier: always a string."""
MAX_ENUM_VALUES = 6
_MAX_ENUM_CHARS = 30


def _covers(text: str, semantic: str) -> bool:
    """Whether one value of ``semantic`` is all of ``text`` but for a few characters."""
    spans = find_spans(text, semantic)
    if len(spans) != 1:
        return False
    start, end = spans[0]
    rest = text[:start] + text[end:]
    return len(rest.strip(" .,:;")) <= 1


def value_type(text: str, name_words: Sequence[str] = ()) -> str:
    """``date``, ``integer``, ``number``, ``boolean`` or ``string`` for one printed value;
    a field whose name says it holds an identifier (``number``, ``id``...) is a string."""
    text = text.strip()
    if not text or set(name_words) & ID_WORDS:
        return "string"
    if _covers(text, "date") and parse_date(text) is not None:
        return "date"
    if BOOLEAN_RE.fullmatch(text):
        return "boolean"
    if _covers(text, "money") and parse_number(text) is not None and "%" not in text:
        bare = CURRENCY_RE.sub("", text).strip()
        if _PLAIN_INTEGER.fullmatch(bare) and bare == text:
            return "integer"
        return "number"
    return "string"


def currency_of(text: str) -> str | None:
    """The ISO code of the currency printed in an amount (``"$1.00"`` -> ``USD``)."""
    match = CURRENCY_RE.search(text)
    if match is None:
        return None
    return currency_code(match.group(0))


def field_type(
    types: Sequence[str], values: Sequence[str], documents: int
) -> tuple[str, list[str]]:
    """The type of a field from its values' types, and its enum values if it is an enum.

    Every value must agree (integers and numbers make a number); strings become an enum
    when they were seen in several documents and a few short values repeat.
    """
    kinds = set(types)
    if kinds == {"integer", "number"}:
        return "number", []
    if len(kinds) == 1 and "string" not in kinds:
        return kinds.pop(), []
    distinct = sorted({v.strip() for v in values if v.strip()})
    if (
        documents >= 2
        and 1 <= len(distinct) <= MAX_ENUM_VALUES
        and len(distinct) < len(values)
        and all(len(v) <= _MAX_ENUM_CHARS and any(ch.isalpha() for ch in v) for v in distinct)
    ):
        return "enum", distinct
    return "string", []
