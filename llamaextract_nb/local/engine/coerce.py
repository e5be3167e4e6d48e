"""Turn printed text into a value of the field's JSON type, or reject it.

:func:`coerce` returns ``(value, verbatim)`` or None when the text is not a value of the
type; a rejected candidate is dropped, never half-typed. ``verbatim`` is False when the
value had to be rewritten (an ISO date from "18th April 2001", "3 years" from "three (3) years").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rapidfuzz import fuzz, process, utils

from llamaextract_nb.local.engine.types import FieldSpec, Hints
from llamaextract_nb.local.engine.values import (
    CURRENCY_CODES,
    CURRENCY_OF_SYMBOL,
    CURRENCY_SYMBOLS,
    DATE_RE,
    DURATION_RE,
    MONTHS,
    MULTIPLIERS,
    NUMBER_RE,
    NUMBER_WORDS,
    is_currency_field,
    trim_span,
)

Coerced = tuple[Any, bool]
_TRUE = {"yes", "true", "y", "x", "checked", "✓", "✔", "☑", "☒", "1", "[x]", "on", "included"}
_FALSE = {"no", "false", "n", "unchecked", "0", "[]", "[ ]", "off", "none", "✗", "✘"}
_CURRENCY_STRIP = re.compile(
    rf"[{CURRENCY_SYMBOLS}]|(?<![A-Za-z])(?:{CURRENCY_CODES})(?![A-Za-z])\.?", re.IGNORECASE
)
_MAX_TEXT = 300
_MULTIPLIER = re.compile(r"\d\s*(?:thousand|million|billion|mn|bn|k|m)\b", re.IGNORECASE)
_DEFINED_TERM = re.compile(
    r"\s*\((?:the\s+|hereinafter\s+)?[“\"'‘][^)]{1,40}[”\"'’]\)\s*[,.;]?\s*$", re.I
)


def coerce(text: str, spec: FieldSpec, hints: Hints) -> Coerced | None:
    """``text`` as a value for ``spec`` (see module doc), or None when it does not fit."""
    text = text.strip()
    if not text:
        return None
    if spec.json_type == "boolean":
        return _boolean(text)
    if is_currency_field(spec.name) and text in CURRENCY_OF_SYMBOL:
        code = CURRENCY_OF_SYMBOL[text]  # "$" -> "USD"
        coerced = _enum(code, spec.enum) if spec.enum else (code, True)
        return (coerced[0], False) if coerced else None
    if spec.enum:
        return _enum(text, spec.enum)
    if spec.json_type in ("number", "integer"):
        number = parse_number(text)
        if number is None:
            return None
        scale = float(hints.extra.get("scale") or 1.0)
        scaled = scale != 1.0 and spec.semantic_type == "money" and not _MULTIPLIER.search(text)
        if scaled:
            number = round(number * scale, 6)  # "figures in thousands": 1,250 -> 1250000
        if spec.json_type == "integer":
            if number != int(number):
                return None
            return int(number), not scaled
        return number, not scaled
    return _string(text, spec, hints)


def _string(text: str, spec: FieldSpec, hints: Hints) -> Coerced | None:
    if spec.semantic_type == "date" or spec.format in ("date", "date-time"):
        date = parse_date(text, day_first=hints.day_first)
        if date is None:
            return None
        return date.isoformat(), date.isoformat() == text
    if spec.semantic_type == "duration":
        match = DURATION_RE.search(text)
        if match is None:
            return None
        value = normalise_duration(match.group(0))
        return value, value == text
    if spec.semantic_type == "money":
        match = NUMBER_RE.search(text)
        if match is None or parse_number(match.group(0)) is None:
            return None
        printed = _CURRENCY_STRIP.sub("", match.group(0)).strip()
        return printed, printed == text
    printed = text
    if spec.semantic_type in ("organisation", "person"):
        text = _DEFINED_TERM.sub("", text)  # 'Eric Sprunk ("EMPLOYEE")' -> 'Eric Sprunk'
    start, end = trim_span(text, 0, len(text))
    value = " ".join(text[start:end].split())
    if not value or len(value) > _MAX_TEXT or not any(ch.isalnum() for ch in value):
        return None
    return value, value == printed


def _boolean(text: str) -> Coerced | None:
    key = text.strip(" .:").lower()
    if key in _TRUE:
        return True, True
    if key in _FALSE:
        return False, True
    return None


def _enum(text: str, options: list[Any]) -> Coerced | None:
    labels = [str(option) for option in options]
    for option, label in zip(options, labels, strict=True):
        if label.lower() == text.lower():
            return option, True
    best = process.extractOne(
        text, labels, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=80
    )
    if best is None:
        return None
    return options[best[2]], False


def parse_number(text: str) -> float | None:
    """A number from printed text: currency, separators, parentheses, million/k multipliers."""
    raw = text.strip()
    negative = raw.startswith("(") and raw.endswith(")")
    raw = raw.strip("()").strip()
    raw = _CURRENCY_STRIP.sub("", raw).strip()
    if raw.startswith(("-", "−")) or raw.endswith(("-", "−")):
        negative = True
        raw = raw.strip("-− ")
    multiplier = 1.0
    match = re.search(r"\s*(thousand|million|billion|mn|bn|k|m)\.?$", raw, re.IGNORECASE)
    if match and re.search(r"\d", raw[: match.start()]):
        multiplier = MULTIPLIERS[match.group(1).lower()]
        raw = raw[: match.start()]
    # spaces between thousands: "1 234,56" or non-breaking spaces; "10 450.00" is two numbers
    if re.fullmatch(
        r"\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d{1,3}(?: \d{3})+,\d{1,2}", raw
    ):
        raw = re.sub(r"[ \u00a0\u202f]", "", raw)
    raw = raw.replace("'", "").replace("’", "")
    if not re.fullmatch(r"[\d.,]*\d[\d.,]*", raw):
        return None
    if "," in raw and "." in raw:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
    elif "," in raw:
        decimal = "" if re.fullmatch(r"\d{1,3}(,\d{3})+", raw) else ","
    elif raw.count(".") > 1:
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
            return None
        decimal = ""
    else:
        decimal = "."
    thousands = {",": ".", ".": ",", "": ",."}[decimal]
    for sep in thousands:
        raw = raw.replace(sep, "")
    if decimal == ",":
        raw = raw.replace(",", ".")
    if raw.count(".") > 1:
        return None
    try:
        value = float(raw) * multiplier
    except ValueError:
        return None
    value = -value if negative else value
    return float(round(value, 6))


def parse_date(text: str, *, day_first: bool = False) -> dt.date | None:
    """The first date printed in ``text``: ISO first, then textual months, then numeric.

    A dotted numeric date (02.04.2026) is day-first, as everywhere dots are written; an
    ambiguous slashed or dashed one (03/04/2021) is month-first unless ``day_first`` is
    set. An impossible reading (25/12/2018 month-first) falls back to the other order.
    """
    match = DATE_RE.search(text)
    if match is None:
        return None
    token = match.group(0)
    iso = re.match(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", token)
    if iso:
        return _date(int(iso.group(1)), int(iso.group(3)), int(iso.group(4)))
    month_name = re.search(r"[A-Za-z]{3,}", re.sub(r"(?i)\b(?:day|of)\b", "", token))
    if month_name and month_name.group(0).lower().rstrip(".") in MONTHS:
        month = MONTHS[month_name.group(0).lower().rstrip(".")]
        numbers = [int(n) for n in re.findall(r"\d+", token)]
        if len(numbers) < 2:
            return None
        day, year = (numbers[0], numbers[1])
        return _date(_year(year), month, day)
    a, b, year_text = re.split(r"[/.-]", token)
    year = _year(int(year_text))
    first, second = int(a), int(b)
    if day_first or "." in token:
        return _date(year, second, first) or _date(year, first, second)
    return _date(year, first, second) or _date(year, second, first)


def _year(year: int) -> int:
    if year >= 100:
        return year
    return 2000 + year if year < 70 else 1900 + year


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def normalise_duration(text: str) -> str:
    """ "three (3) years" / "36-months" -> "3 years" / "36 months"."""
    match = DURATION_RE.search(text)
    if match is None:
        return text
    digits = re.search(r"\d+", match.group(0))
    if digits:
        count = int(digits.group(0))
    else:
        lowered = match.group(0).lower()
        words = sorted(NUMBER_WORDS, key=len, reverse=True)
        count = next((NUMBER_WORDS[w] for w in words if lowered.startswith(w)), 0)
    unit = match.group("unit").lower().rstrip("s")
    return f"{count} {unit}{'' if count == 1 else 's'}"
