"""Does the cited text contain the extracted value, and where? (the ``citation_mismatch`` rule)

The rule, per value type:

- **numbers** match any number printed in the text that has the same magnitude once read with
  either convention: ``1785.0`` matches ``1,785.00``, ``1.785,00``, ``1 785`` (no-break space),
  ``1785``; a sign or brackets are ignored (``-12`` matches ``(12.00)``).
- **ISO dates** (``2026-04-02``, or the date part of a date-time) match the same day printed as
  ``02.04.2026``, ``4/2/26``, ``2026-04-02``, ``2 April 2026``, ``Apr 2, 2026``. Dotted
  numeric dates are day-first (``02.04.2026`` is 2 April); with ``/`` or ``-`` both readings
  are accepted.
- **strings** match case-insensitively, first as a substring, else ignoring everything but
  letters and digits (``12 mm`` matches ``12mm``). A string that reads as a number or ISO date
  also matches as one.
- **booleans** are an interpretation of the text (``yes``, ``out of stock``), so they are never
  flagged; nor are nulls or values without cited text.

Comparing an extracted value with an expected one (evaluation against truth) uses the same
readings, as a :class:`Rule` per field (see :data:`RULES` and :func:`parse_rule`):

========== ============================================================================
``number``  equal however printed (``1785`` = ``"1,785.00"`` = ``"1.785,00 EUR"``), sign
            kept, within a tolerance relative to the expected value: ``number:0.01``
            accepts 1 % off (default ``1e-9``, float noise only)
``date``    the same day however printed (``2024-03-12`` = ``"12.03.2024"`` =
            ``"March 12, 2024"``); a value that is not a date is compared as ``text``
``text``    equal ignoring case, whitespace and punctuation (``"ACME, Inc."`` =
            ``"acme inc"``)
``fuzzy:N`` rapidfuzz ``ratio`` >= N (0-100, default 90) on lower-cased text with
            punctuation as spaces: ``"Brightline Components"`` ~ ``"Brightline Componets"``
``exact``   equal as given (enums: ``"USD"`` != ``"usd"``)
``boolean`` equal as booleans (``"yes"`` / ``"true"`` / ``"no"`` / ``"false"`` read as such)
``set``     arrays of scalars compared as sets with partial credit: the score is
            matched / (expected + extracted - matched) (Jaccard); elements match as
            numbers when both are numbers, as dates when both are dates, else as text
``ignore``  not graded
========== ============================================================================

Without an override the rule follows the schema (``number`` / ``integer``, ``format: date``
or an expected value that is a date, ``enum`` -> ``exact``, ``boolean``, arrays of scalars
-> ``set``, other strings -> ``text``),
else the expected value (a boolean, a number, a string that is a whole date -> ``date``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from llamaextract_nb.lang import MONTHS

_NUMBER = re.compile(r"\d(?:[\d.,'\u00a0\u202f]*\d)?")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?!\d)")
# "18th of April 2001", "2. März 2024", "1er février 2024", "3 de mayo de 2024"
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?[\s/-]*(?:(?:day\s+of|of|de|del)\s+)?([^\W\d_]{3,13})"
    r"\.?[\s,/-]*(?:(?:de|del)\s+)?(\d{4}|\d{2})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]{3,13})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})(?!\d)")
_GROUPING_CHARS = frozenset("'\u00a0\u202f")
_GROUPING = str.maketrans("", "", "'\u00a0\u202f")


def citation_mismatch(value: Any, text: str | None) -> bool | None:
    """True when ``text`` does not contain ``value`` by the rule above; None when not judged."""
    if value is None or isinstance(value, (bool, dict, list)) or not text:
        return None
    return locate(value, text) is None


def locate(value: Any, text: str | None) -> tuple[int, int] | None:
    """The span of ``text`` where ``value`` is printed, or None."""
    if value is None or isinstance(value, (bool, dict, list)) or not text:
        return None
    if isinstance(value, (int, float)):
        return _locate_number(float(value), text)
    value = str(value).strip()
    if not value:
        return None
    span = _locate_text(value, text)
    if span is None and (iso := _ISO_DATE.match(value)):
        span = _locate_date(iso, text)
    if span is None and _NUMBER.fullmatch(value.lstrip("-+")):
        number = _read_numbers(value.lstrip("-+"))
        span = _locate_number(number[0], text) if number else None
    return span


def _locate_text(value: str, text: str) -> tuple[int, int] | None:
    lowered = text.lower()
    if len(lowered) == len(text):
        start = lowered.find(value.lower())
        if start >= 0:
            return start, start + len(value)
    wanted = text_key(value)
    if not wanted:
        return None
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isalnum():
            for part in char.casefold():
                folded.append(part)
                origin.append(index)
    start = "".join(folded).find(wanted)
    if start < 0:
        return None
    return origin[start], origin[start + len(wanted) - 1] + 1


def _locate_number(value: float, text: str) -> tuple[int, int] | None:
    target = abs(value)
    for match in _NUMBER.finditer(text):
        if any(
            math.isclose(target, n, rel_tol=1e-9, abs_tol=1e-9) for n in _read_numbers(match[0])
        ):
            return match.span()
    return None


def _read_numbers(printed: str) -> list[float]:
    """Every value ``printed`` can stand for, read with a decimal point or a decimal comma."""
    digits = printed.translate(_GROUPING) if _GROUPING_CHARS & set(printed) else printed
    has_comma, has_dot = "," in digits, "." in digits
    if has_comma and has_dot:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        readings = [digits.replace(thousands, "").replace(decimal, ".")]
    elif has_comma or has_dot:
        separator = "," if has_comma else "."
        parts = digits.split(separator)
        readings = ["".join(parts)]
        if len(parts) == 2:
            readings.append(f"{parts[0]}.{parts[1]}")
    else:
        readings = [digits]
    numbers = []
    for reading in readings:
        try:
            numbers.append(float(reading))
        except ValueError:
            continue
    return numbers


def _locate_date(iso: re.Match[str], text: str) -> tuple[int, int] | None:
    try:
        wanted = date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        return None
    for pattern, read in _DATE_READERS:
        for match in pattern.finditer(text):
            if wanted in read(match):
                return match.span()
    return None


def _numeric_readings(match: re.Match[str]) -> set[date]:
    a, separator, b, c = match.groups()
    if len(a) == 4:
        readings = [(a, b, c)]
    else:
        readings = [(c, b, a)] if separator == "." else [(c, b, a), (c, a, b)]
    return {day for y, m, d in readings if (day := _day(y, m, d))}


def _day_month_year(match: re.Match[str]) -> set[date]:
    day, month, year = match.groups()
    found = _day(year, _month(month), day)
    return {found} if found else set()


def _month_day_year(match: re.Match[str]) -> set[date]:
    month, day, year = match.groups()
    found = _day(year, _month(month), day)
    return {found} if found else set()


_DATE_READERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], set[date]]], ...] = (
    (_NUMERIC_DATE, _numeric_readings),
    (_DAY_MONTH_YEAR, _day_month_year),
    (_MONTH_DAY_YEAR, _month_day_year),
)


def _month(name: str) -> str:
    """The month number of a printed month name in any supported language, "0" if none."""
    lowered = name.lower()
    return str(MONTHS.get(lowered) or MONTHS.get(lowered[:3], 0))


def _day(year: str, month: str, day: str) -> date | None:
    """The date printed with these parts; a two-digit year is 20yy (19yy from 70 on)."""
    if len(year) not in (2, 4):
        return None
    y = int(year)
    if len(year) == 2:
        y += 1900 if y >= 70 else 2000
    try:
        return date(y, int(month), int(day))
    except ValueError:
        return None


# --- comparing an extracted value with an expected one ---------------------------------

_SIGNED_NUMBER = re.compile(
    r"(\()?\s*([-+\u2212])?\s*[^\d\s()+\-\u2212]{0,4}\s*(" + _NUMBER.pattern + r")"
)
_NOT_ALNUM = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def text_key(value: Any) -> str:
    """``value`` as text without case, whitespace or punctuation: the ``text`` rule's form
    (the letters and digits that ``str.isalnum`` keeps)."""
    return _NOT_ALNUM.sub("", str(value).casefold())


def read_numbers(value: Any) -> tuple[float, ...]:
    """The numbers ``value`` can stand for: itself for a number; for text holding one number
    (``"$1,785.00"``, ``"(12.00)"``, ``"1.785,00 EUR"``) each reading of it, signed."""
    if isinstance(value, bool) or value is None:
        return ()
    if isinstance(value, (int, float)):
        return (float(value),) if math.isfinite(value) else ()
    text = str(value).strip()
    if len(_NUMBER.findall(text)) != 1:
        return ()
    match = _SIGNED_NUMBER.search(text)
    if match is None:
        return ()
    negative = bool(match[2] and match[2] != "+") or (
        bool(match[1]) and text.rstrip().endswith(")")
    )
    return tuple(-n if negative else n for n in _read_numbers(match[3]))


def read_dates(value: Any) -> frozenset[date]:
    """The days ``value`` can stand for: a date, an ISO string, or a printed date that is the
    whole text (``"12.03.2024"``, ``"3/12/24"`` (both readings), ``"March 12, 2024"``)."""
    if isinstance(value, datetime):
        return frozenset({value.date()})
    if isinstance(value, date):
        return frozenset({value})
    if not isinstance(value, str):
        return frozenset()
    text = value.strip()
    if len(text) < 6 or not _DIGIT.search(text):  # no date is shorter than 1/2/24
        return frozenset()
    iso = _ISO_DATE.match(text)
    if iso:
        day = _day(iso[1], iso[2], iso[3])
        return frozenset({day}) if day else frozenset()
    for pattern, read in _DATE_READERS:
        match = pattern.search(text)
        if match and match.start() == 0 and not text[match.end() :].strip(" .,"):
            return frozenset(read(match))
    return frozenset()


def read_boolean(value: Any) -> bool | None:
    """True / False for a boolean or its usual spellings, else None."""
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


@dataclass(frozen=True)
class Rule:
    """How an extracted value is compared with the expected one (see the module docstring).

    :meth:`normal` puts a value in the rule's normal form once; :meth:`match` scores two normal
    forms from 0 (different) to 1 (equal); :meth:`score` does both.
    """

    kind: str
    tolerance: float = 1e-9  # number: relative tolerance
    ratio: float = 90.0  # fuzzy: minimum rapidfuzz ratio
    function: Callable[[Any, Any], Any] | None = None  # custom: (expected, extracted) -> score

    def __str__(self) -> str:
        if self.kind == "number" and self.tolerance != 1e-9:
            return f"number:{self.tolerance:g}"
        if self.kind == "fuzzy":
            return f"fuzzy:{self.ratio:g}"
        if self.kind == "custom":
            return f"custom:{getattr(self.function, '__name__', 'function')}"
        return self.kind

    def normal(self, value: Any) -> Hashable:
        """``value`` in the form :meth:`match` compares (computed once per value)."""
        kind = self.kind
        if value is None:
            return None
        if kind == "text":
            return text_key(value) or str(value).strip()
        if kind == "number":
            return read_numbers(value) or ("text", text_key(value))
        if kind == "date":
            return read_dates(value) or ("text", text_key(value))
        if kind == "fuzzy":
            return default_process(str(value))
        if kind == "boolean":
            return read_boolean(value)
        if kind == "set":
            elements = value if isinstance(value, list) else [value]
            return tuple(_element_normal(e) for e in elements if e is not None)
        if isinstance(value, (dict, list)):
            return repr(value)
        return value  # exact, custom

    def match(self, expected: Any, extracted: Any) -> float:
        """The score of two normal forms: 1.0 equal, 0.0 different, between for sets."""
        kind = self.kind
        if kind == "number" and type(expected) is tuple and type(extracted) is tuple:
            if _are_numbers(expected) and _are_numbers(extracted):
                return float(_close(expected, extracted, self.tolerance))
            return float(expected == extracted)
        if kind == "date" and isinstance(expected, frozenset) and isinstance(extracted, frozenset):
            return float(bool(expected & extracted))
        if kind == "fuzzy":
            return float(fuzz.ratio(expected, extracted) >= self.ratio)
        if kind == "set":
            return _set_score(expected, extracted)
        return float(expected == extracted)

    def keys(self, normal: Any) -> tuple[Hashable, ...] | None:
        """Keys of a normal form such that two values sharing one match (to find the matching
        values among many by lookup); None where matching is not equality (fuzzy, sets,
        custom rules, numbers with a tolerance)."""
        kind = self.kind
        if normal is None or kind in ("fuzzy", "set", "custom", "ignore"):
            return None
        if kind == "number":
            if _are_numbers(normal):
                return tuple(round(n, 6) for n in normal) if self.tolerance <= 1e-9 else None
            return (normal,)
        if kind == "date" and isinstance(normal, frozenset):
            return tuple(normal)
        return (normal,) if isinstance(normal, Hashable) else None

    def score(self, expected: Any, extracted: Any) -> float:
        """How well ``extracted`` matches ``expected`` (neither None), from 0 to 1."""
        if self.kind == "custom" and self.function is not None:
            return float(self.function(expected, extracted))
        if type(expected) is type(extracted) and expected == extracted:
            return 1.0  # equal values match under every rule (the common case: no parsing)
        return self.match(self.normal(expected), self.normal(extracted))


RULES = ("number", "date", "text", "fuzzy", "exact", "boolean", "set", "ignore")


def parse_rule(spec: str | Rule | Callable[[Any, Any], Any]) -> Rule:
    """A :class:`Rule` from ``"text"``, ``"fuzzy:85"``, ``"number:0.01"``, ... or a function
    ``(expected, extracted) -> bool | float`` (a custom rule)."""
    if isinstance(spec, Rule):
        return spec
    if callable(spec):
        return Rule("custom", function=spec)
    if not isinstance(spec, str):
        raise TypeError(f"a rule is a name like 'fuzzy:90' or a function, got {spec!r}")
    kind, _, argument = spec.strip().lower().partition(":")
    if kind not in RULES:
        raise ValueError(f"unknown rule {spec!r}; rules are: {', '.join(RULES)} (or a function)")
    if not argument:
        return Rule(kind)
    if kind not in ("number", "fuzzy"):
        raise ValueError(f"rule {kind!r} takes no argument (got {spec!r})")
    try:
        number = float(argument)
    except ValueError:
        raise ValueError(f"rule {spec!r}: {argument!r} is not a number") from None
    if kind == "number":
        if not 0 <= number < 1:
            raise ValueError(f"rule {spec!r}: the relative tolerance must be in [0, 1)")
        return Rule("number", tolerance=number)
    if not 0 <= number <= 100:
        raise ValueError(f"rule {spec!r}: the fuzzy ratio must be between 0 and 100")
    return Rule("fuzzy", ratio=number)


def default_rule(schema: dict[str, Any] | None, expected: Any) -> Rule:
    """The rule for a field: from its JSON schema node when known, else the expected value."""
    if isinstance(schema, dict):
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "enum" in schema:
            return _EXACT
        if "boolean" in kinds:
            return _BOOLEAN
        if "number" in kinds or "integer" in kinds:
            return _NUMBER_RULE
        if "string" in kinds:
            dated = schema.get("format") in ("date", "date-time") or read_dates(expected)
            return _DATE if dated else _TEXT
        if "array" in kinds:
            return _SET
    return _element_rule(expected)


def _element_rule(value: Any) -> Rule:
    if isinstance(value, bool):
        return _BOOLEAN
    if isinstance(value, (int, float)):
        return _NUMBER_RULE
    if isinstance(value, list):
        return _SET
    if isinstance(value, str) and read_dates(value):
        return _DATE
    return _TEXT


def _set_score(expected: Any, extracted: Any) -> float:
    """Jaccard over elements, each expected element matching at most one extracted one."""
    want, got = list(expected or ()), list(extracted or ())
    if not want and not got:
        return 1.0
    matched = 0
    for element in want:
        for index, candidate in enumerate(got):
            if _same_element(element, candidate):
                matched += 1
                del got[index]
                break
    return matched / (len(want) + len(extracted or ()) - matched)


def _are_numbers(normal: Any) -> bool:
    return type(normal) is tuple and bool(normal) and type(normal[0]) is float


def _close(expected: tuple[float, ...], extracted: tuple[float, ...], tolerance: float) -> bool:
    """Any reading of ``extracted`` within ``tolerance`` x the expected value of one of
    ``expected``'s readings."""
    return any(abs(a - b) <= tolerance * abs(a) + 1e-9 for a in expected for b in extracted)


def _element_normal(value: Any) -> tuple[str, tuple[float, ...], frozenset[date]]:
    """A set element as (text key, numbers if it is a number, dates if it is a date)."""
    numeric = isinstance(value, (int, float)) or (
        isinstance(value, str) and not any(c.isalpha() for c in value)
    )
    return text_key(value), read_numbers(value) if numeric else (), read_dates(value)


def _same_element(a: Any, b: Any) -> bool:
    if a[1] and b[1]:
        return _close(a[1], b[1], 1e-9)
    if a[2] and b[2]:
        return bool(a[2] & b[2])
    return bool(a[0] == b[0])


_TEXT = Rule("text")
_EXACT = Rule("exact")
_BOOLEAN = Rule("boolean")
_NUMBER_RULE = Rule("number")
_DATE = Rule("date")
_SET = Rule("set")
