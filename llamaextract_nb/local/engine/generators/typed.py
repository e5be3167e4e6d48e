"""Fallback by semantic type: any value of the field's type, weak unless it is the only one.

"The only date in the document" is a fair answer for ``invoice_date``; one of twelve
amounts is not. Scores fall with the number of distinct values found. A currency field
takes the currency printed beside the amounts ("€" reads as EUR, a bare "$" by the
document's evidence).
"""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.currencies import (
    CURRENCY_RE,
    SYMBOLS,
    currency_code,
    is_currency_field,
)
from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.hints import effort
from llamaextract_nb.local.engine.layout import lines_matching, span_boxes
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import find_spans, value_pattern

_AMOUNT_LIKE = re.compile(rf"[.,]\d{{2}}$|[{SYMBOLS}]|[A-Z]{{2,3}}")
_POINT_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)")
_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}(?!\d)")
# a time of day printed right after or before a date
_TIME_AFTER = re.compile(
    r"[\s,]*(?:[A-Za-z]{1,3}\s+)?(?:\(\w{2,3}\)\s*)?\d{1,2}[:.]\d{2}(?![\d.,])"
)
_TIME_BEFORE = re.compile(r"(?<![\d.,])\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?[\s,]*$")
_TIMESTAMP_BONUS = 0.15
_TYPED = ("date", "money")  # a duration anywhere is rarely *the* term: no fallback
_MAX_LINES = 200  # bound the work on long documents: lines with values, from the start


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Every printed value of the field's semantic type, scored by how few there are."""
    if spec.is_array_of_scalars:
        return []
    currency = is_currency_field(spec)
    if spec.semantic_type not in _TYPED and not currency:
        return []
    pattern = CURRENCY_RE if currency else value_pattern(spec.semantic_type)
    if pattern is None:
        return []
    found: list[Candidate] = []
    budget = _MAX_LINES * effort(hints)
    for page in doc.pages:
        if budget <= 0:
            break  # bounded work: later pages are not scanned at all
        for index in lines_matching(page, pattern):
            line = page.lines[index]
            budget -= 1
            if budget < 0:
                break
            spans = (
                [m.span() for m in CURRENCY_RE.finditer(line.text)]
                if currency
                else find_spans(line.text, spec.semantic_type)
            )
            for a, b in spans:
                if spec.semantic_type == "money" and not _AMOUNT_LIKE.search(line.text[a:b]):
                    continue  # "Hauptstrasse 5" is no amount
                if spec.semantic_type == "money" and _other_decimal_mark(
                    line.text[a:b], hints.decimal_comma
                ):
                    continue  # "08.30" (a time) in a document that writes 59,50
                found.append(
                    Candidate(
                        text=line.text[a:b],
                        page=page.number,
                        line=line,
                        score=0.0,
                        source="typed",
                        boxes=span_boxes(line, a, b) if doc.has_geometry else [],
                    )
                )

    def key(text: str) -> str:
        return (currency_code(text, hints.evidence) or text.upper()) if currency else text

    ranks = {value: rank for rank, value in enumerate(dict.fromkeys(key(c.text) for c in found))}
    for candidate in found:
        candidate.score = _score(len(ranks), ranks[key(candidate.text)])
        if spec.semantic_type == "date" and len(ranks) > 1 and _beside_time(candidate):
            candidate.score = round(candidate.score + _TIMESTAMP_BONUS, 4)
    return found


def _beside_time(candidate: Candidate) -> bool:
    """Whether a date is printed with a time ("19-09-17 15:39", "14:02 02/01/2018"): the
    moment a receipt or ticket was issued, not a date it mentions."""
    text = candidate.line.text
    at = text.find(candidate.text)
    if at < 0:
        return False
    return bool(
        _TIME_AFTER.match(text, at + len(candidate.text)) or _TIME_BEFORE.search(text, 0, at)
    )


def _other_decimal_mark(text: str, decimal_comma: bool | None) -> bool:
    """Whether an unlabelled amount uses the decimal mark the document does not use."""
    if decimal_comma is None:
        return False
    other, own = (_POINT_DECIMAL, ",") if decimal_comma else (_COMMA_DECIMAL, ".")
    return own not in text and bool(other.search(text))


def _score(distinct: int, rank: int) -> float:
    """The only value of its type is a strong answer; one of many is weak, the first of
    them (documents tend to state the main date or figure first) a little less so."""
    if distinct == 1:
        return 0.75
    return round(0.3 / distinct + (0.1 if rank == 0 else 0.0), 4)
