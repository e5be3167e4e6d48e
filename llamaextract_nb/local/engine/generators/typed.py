"""Fallback by semantic type: any value of the field's type, weak unless it is the only one.

"The only date in the document" is a fair answer for ``invoice_date``; one of twelve
amounts is not. Scores fall with the number of distinct values found. A currency field
takes the currency printed beside the amounts ("$" reads as USD).
"""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.hints import effort
from llamaextract_nb.local.engine.layout import lines_matching, span_boxes
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import (
    CURRENCY_OF_SYMBOL,
    CURRENCY_RE,
    CURRENCY_SYMBOLS,
    find_spans,
    is_currency_field,
    value_pattern,
)

_AMOUNT_LIKE = re.compile(rf"[.,]\d{{2}}$|[{CURRENCY_SYMBOLS}]|[A-Z]{{2,3}}")
_TYPED = ("date", "money")  # a duration anywhere is rarely *the* term: no fallback
_MAX_LINES = 200  # bound the work on long documents: lines with values, from the start


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Every printed value of the field's semantic type, scored by how few there are."""
    if spec.is_array_of_scalars:
        return []
    currency = is_currency_field(spec.name)
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
        return CURRENCY_OF_SYMBOL.get(text, text.upper()) if currency else text

    ranks = {value: rank for rank, value in enumerate(dict.fromkeys(key(c.text) for c in found))}
    for candidate in found:
        candidate.score = _score(len(ranks), ranks[key(candidate.text)])
    return found


def _score(distinct: int, rank: int) -> float:
    """The only value of its type is a strong answer; one of many is weak, the first of
    them (documents tend to state the main date or figure first) a little less so."""
    if distinct == 1:
        return 0.75
    return round(0.3 / distinct + (0.1 if rank == 0 else 0.0), 4)
