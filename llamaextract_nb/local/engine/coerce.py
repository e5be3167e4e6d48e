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

from llamaextract_nb.lang import DATE_JOINERS, MONTHS
from llamaextract_nb.lang.companies import ONLY_LEGAL_FORM
from llamaextract_nb.local.engine.currencies import (
    AMOUNT_CURRENCY,
    currency_code,
    is_currency_field,
    wants_symbol,
)
from llamaextract_nb.local.engine.types import FieldSpec, Hints
from llamaextract_nb.local.engine.values import (
    DATE_RE,
    DURATION_RE,
    MULTIPLIERS,
    NUMBER_RE,
    NUMBER_WORDS,
    trim_span,
)

Coerced = tuple[Any, bool]
_TRUE = {"yes", "true", "y", "x", "checked", "✓", "✔", "☑", "☒", "1", "[x]", "on", "included"}
_FALSE = {"no", "false", "n", "unchecked", "0", "[]", "[ ]", "off", "none", "✗", "✘"}
_CURRENCY_STRIP = re.compile(AMOUNT_CURRENCY, re.IGNORECASE)
# words around a printed date that are not its month: "18th day of", "3 de mayo de"
_DATE_FILLER = re.compile(
    r"(?i)\b(?:day|" + "|".join(sorted(DATE_JOINERS, key=len, reverse=True)) + r")\b"
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
    if spec.json_type == "string" and is_currency_field(spec):
        return _currency(text, spec, hints)
    if spec.enum:
        return _enum(text, spec.enum)
    if spec.json_type in ("number", "integer"):
        number = parse_number(text, decimal_comma=hints.decimal_comma)
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
        if match is None or parse_number(match.group(0), decimal_comma=hints.decimal_comma) is None:
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
    if spec.semantic_type in ("organisation", "person") and _digits(value) > _letters(value):
        return None  # "GLN 4304171000002", "DE123456789": a number, not a name
    if spec.semantic_type == "organisation" and ONLY_LEGAL_FORM.match(value):
        return None  # "GmbH" alone ("Lieferant GmbH" read as label and value)
    return value, value == printed


def _currency(text: str, spec: FieldSpec, hints: Hints) -> Coerced | None:
    """A currency field's value: the ISO code of the currency printed ("€" -> "EUR",
    "zł" -> "PLN"), or the symbol itself when the field asks for the symbol; text that
    names no currency is no value of the field."""
    code = currency_code(text, hints.evidence)
    if code is None:
        return None
    if spec.enum:
        coerced = _enum(code, spec.enum)
        return (coerced[0], coerced[0] == text) if coerced else None
    if wants_symbol(spec.description) and len(text) <= 4:
        return text, True
    return code, code == text


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


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


def parse_number(text: str, *, decimal_comma: bool | None = None) -> float | None:
    """A number from printed text: currency, separators, parentheses, million/k multipliers.

    Decimal commas and thousands dots read right ("1.234,50", "1 234,50", "1'234.50").
    A single separator followed by exactly three digits ("1.234", "1,234") is a thousands
    separator unless ``decimal_comma`` says how the document writes decimals: True reads
    "1.234" as 1234 and "1,234" as 1.234; False (or None) reads "1,234" as 1234.
    """
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
        grouped = re.fullmatch(r"\d{1,3}(,\d{3})+", raw)
        decimal = "" if grouped and (raw.count(",") > 1 or decimal_comma is not True) else ","
    elif raw.count(".") > 1:
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
            return None
        decimal = ""
    elif decimal_comma and re.fullmatch(r"\d{1,3}\.\d{3}", raw):
        decimal = ""  # "1.234" where the document writes decimals with a comma
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
    month_name = re.search(r"[^\W\d_]{3,}", _DATE_FILLER.sub("", token))
    if month_name and month_name.group(0).lower() in MONTHS:
        month = MONTHS[month_name.group(0).lower()]
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
