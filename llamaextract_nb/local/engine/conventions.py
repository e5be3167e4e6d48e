"""What a document's own text says about how it writes numbers and dates.

A German invoice writes ``1.234,50`` and ``05.06.2013``; a US one ``1,234.50`` and
``06/05/2013``. A single number such as ``1.234`` or ``03/04/2021`` cannot say which it
is, the other numbers on the page can: amounts with both separators, amounts with two
decimals, the words of the text. :func:`with_document` adds that evidence to the hints.
"""

from __future__ import annotations

import dataclasses
import re

from llamaextract_nb.lang import ENGLISH, text_language
from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.types import Hints

_SAMPLE_CHARS = 20_000  # the start of a document says enough; bounds the work
_EVIDENCE_CHARS = 4_000  # kept for currency evidence ("CAD", "Australia" ...)
# an amount whose separators can only be read one way: 1.234,50 / 1,234.50
_COMMA_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d{1,2}(?![\d.,])")
_POINT_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+\.\d{1,2}(?![\d.,])")
# two decimals after a single mark: 59,50 / 59.50 (a time such as "08.30 Uhr" aside)
_COMMA_CENTS = re.compile(r"(?<![\d.,])\d+,\d{2}(?![\d.,]|\s*%)")
_POINT_CENTS = re.compile(
    r"(?<![\d.,:])\d+\.\d{2}(?![\d.,:]|\s*(?:%|Uhr|h\b|am\b|pm\b|-\s*\d{1,2}\.\d{2}))", re.I
)
_STRONG = 3  # an amount with both separators outweighs this many with two decimals


def decimal_comma(text: str) -> bool | None:
    """True when the text writes decimals with a comma, False with a point, None when its
    numbers do not say."""
    comma = _STRONG * len(_COMMA_GROUPED.findall(text)) + len(_COMMA_CENTS.findall(text))
    point = _STRONG * len(_POINT_GROUPED.findall(text)) + len(_POINT_CENTS.findall(text))
    if comma == point:
        return None
    return comma > point


def with_document(hints: Hints, doc: Document) -> Hints:
    """``hints`` completed by the document's evidence: its decimal mark, day-first dates
    when it writes decimal commas or is not in English (every other supported language
    writes the day first), and the start of its text to decide an ambiguous currency."""
    sample = doc.text[:_SAMPLE_CHARS]
    comma = decimal_comma(sample)
    day_first = hints.day_first or comma is True or text_language(sample) is not ENGLISH
    return dataclasses.replace(
        hints, decimal_comma=comma, day_first=day_first, evidence=sample[:_EVIDENCE_CHARS]
    )
