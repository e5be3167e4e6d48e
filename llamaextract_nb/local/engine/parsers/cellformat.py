"""Spreadsheet cell values as Excel displays them, for the common number formats.

Covers what invoices and reports use: General, fixed decimals, thousands separators,
currency symbols and literal prefixes/suffixes, percentages, negative numbers in
parentheses, and date/time formats. Anything unusual falls back to a plain rendering.
"""

from __future__ import annotations

import datetime as dt
import re

# a bracket's text stops at the next "[" too: an unclosed "[[[[..." stays linear
_LITERAL = re.compile(r'"([^"]*)"|\\(.)|\[\$([^\[\]-]*)(?:-[^\[\]]*)?\]|\[[^\[\]]*\]|_.|\*.')
_DIGITS = re.compile(r"[0#?](?:[0#?,.]*[0#?])?%?")
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p", re.I)
_STRFTIME = {
    "yyyy": "%Y",
    "yy": "%y",
    "mmmm": "%B",
    "mmm": "%b",
    "mm": "%m",
    "dddd": "%A",
    "ddd": "%a",
    "dd": "%d",
    "hh": "%H",
    "h": "%H",
    "ss": "%S",
    "s": "%S",
}


def display_text(value: object, number_format: str | None = None) -> str:
    """The text a spreadsheet shows for ``value`` under ``number_format``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _date_text(value, number_format or "")
    if isinstance(value, (int, float)):
        return _number_text(value, number_format or "General")
    return str(value).strip()


def _number_text(value: float, number_format: str) -> str:
    sections = number_format.split(";")
    negative = value < 0
    section = sections[1] if negative and len(sections) > 1 else sections[0]
    if section.strip().lower() in ("general", "", "@"):
        return _general(value)
    prefix, pattern, suffix = _split_literals(section)
    if not re.search(r"[0#?]", pattern):
        return _general(value)
    magnitude = abs(value) if negative and len(sections) > 1 else value
    percent = "%" in pattern or "%" in suffix
    if percent:
        magnitude *= 100
    fraction = re.search(r"\.([0#?]+)", pattern)
    decimals = len(fraction.group(1)) if fraction else 0
    grouping = "," if "," in pattern.split(".")[0] else ""
    body = f"{magnitude:{grouping}.{decimals}f}"
    if "%" in pattern:
        body += "%"
    if negative and len(sections) == 1 and body.startswith("-"):
        return f"-{prefix}{body[1:]}{suffix}".strip()
    return f"{prefix}{body}{suffix}".strip()


def _split_literals(section: str) -> tuple[str, str, str]:
    """(text before the digits, the digit pattern, text after) of one format section."""
    chunks: list[tuple[str, bool]] = []
    position = 0
    for match in _LITERAL.finditer(section):
        chunks.append((section[position : match.start()], False))
        literal = match.group(1) or match.group(2) or match.group(3) or ""
        chunks.append((" " if match.group(0).startswith("_") else literal, True))
        position = match.end()
    chunks.append((section[position:], False))
    prefix, pattern, suffix = "", "", ""
    for text, is_literal in chunks:
        digits = None if is_literal or pattern else _DIGITS.search(text)
        if digits is not None:
            prefix += text[: digits.start()]
            pattern = digits.group(0)
            suffix += text[digits.end() :]
        elif pattern:
            suffix += text
        else:
            prefix += text
    return prefix, pattern, suffix.rstrip()


def _general(value: float) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    return str(value)


def _date_text(value: dt.date | dt.time, number_format: str) -> str:
    fmt = _LITERAL.sub(lambda m: m.group(1) or m.group(2) or "", number_format.split(";")[0])
    if not _DATE_TOKEN.search(fmt):
        if isinstance(value, dt.datetime):
            return (
                value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
            )
        return value.isoformat()
    out: list[str] = []
    position = 0
    tokens = list(_DATE_TOKEN.finditer(fmt))
    for index, match in enumerate(tokens):
        out.append(fmt[position : match.start()].replace("%", "%%"))
        token = match.group(0).lower()
        if token in ("m", "mm") and _is_minutes(tokens, index):
            out.append("%M")
        elif token in ("m", "d"):
            field = value.month if token == "m" else value.day  # type: ignore[union-attr]
            out.append(str(field))
        elif token in ("am/pm", "a/p"):
            out.append("%p")
        else:
            out.append(_STRFTIME[token])
        position = match.end()
    out.append(fmt[position:].replace("%", "%%"))
    return value.strftime("".join(out)).strip()


def _is_minutes(tokens: list[re.Match[str]], index: int) -> bool:
    """An ``m``/``mm`` right after hours or right before seconds means minutes."""
    before = tokens[index - 1].group(0).lower() if index else ""
    after = tokens[index + 1].group(0).lower() if index + 1 < len(tokens) else ""
    return before.startswith("h") or after.startswith("s")
