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
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

_NUMBER = re.compile(r"\d(?:[\d.,'\u00a0\u202f]*\d)?")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?!\d)")
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\.?[\s/-]*(?:of\s+)?([^\W\d_]{3,9})\.?[\s,/-]*(\d{4}|\d{2})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})(?!\d)")
_GROUPING_CHARS = frozenset("'\u00a0\u202f")
_GROUPING = str.maketrans("", "", "'\u00a0\u202f")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "mär": 3, "mrz": 3, "apr": 4, "may": 5, "mai": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
}  # fmt: skip


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
    wanted = "".join(c.casefold() for c in value if c.isalnum())
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
    for match in _NUMERIC_DATE.finditer(text):
        a, separator, b, c = match.groups()
        if len(a) == 4:
            readings = [(a, b, c)]
        else:
            readings = [(c, b, a)] if separator == "." else [(c, b, a), (c, a, b)]
        if any(_same_day(wanted, y, m, d) for y, m, d in readings):
            return match.span()
    for match in _DAY_MONTH_YEAR.finditer(text):
        day, month, year = match.groups()
        if _same_day(wanted, year, _month(month), day):
            return match.span()
    for match in _MONTH_DAY_YEAR.finditer(text):
        month, day, year = match.groups()
        if _same_day(wanted, year, _month(month), day):
            return match.span()
    return None


def _month(name: str) -> str:
    return str(_MONTHS.get(name[:3].lower(), 0))


def _same_day(wanted: date, year: str, month: str, day: str) -> bool:
    y, m, d = int(year), int(month), int(day)
    if len(year) == 2:
        return (y, m, d) == (wanted.year % 100, wanted.month, wanted.day)
    return (y, m, d) == (wanted.year, wanted.month, wanted.day)
