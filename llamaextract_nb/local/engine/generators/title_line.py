"""A document's own number and date printed on its title line, without a label.

Business documents often title themselves with their number and date: "Rechnung # RE-499
vom 19.05.2014", "Beitragsrechnung  24. Januar 2014", "Facture n° F-12 du 15 janvier
2024", "Invoice No. 7 dated May 5, 2024", "Rechnung des Versicherers Nr. 01.234.567.8 vom"
(the date on the next line). The title line starts with what the document calls itself in
any supported language (a German compound such as "Kostenrechnung" counts); this
generator reads the number after "Nr." / "No." / "n°" / "#" and the first date on it, for
fields asking for the document's number or its issue date.
"""

from __future__ import annotations

import re

from llamaextract_nb.lang import DOCUMENT_TITLES, english_words, split_name
from llamaextract_nb.local.engine.document import Document, Line
from llamaextract_nb.local.engine.layout import span_boxes
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import DATES

SOURCE = "title_line"
_SCORE = 0.7
_TITLE_LINES = 40  # the title is near the top of the first page
_NOUNS = "|".join(
    r"\s+".join(map(re.escape, title.split()))
    for title in sorted(DOCUMENT_TITLES, key=len, reverse=True)
)
# the title noun, maybe after one word ("Tax Invoice") or as a compound's end ("Kostenrechnung")
_TITLE = re.compile(rf"(?i)^\W{{0,3}}(?:[^\W\d_]+\s+)?[^\W\d_]*?(?:{_NOUNS})(?![^\W\d_])")
_NUMBER = re.compile(
    r"(?i)(?:\bnr|\bno|\bn[°º]|\bnum(?:ber|mer|éro|ero|ero)?|\bnúmero|#)\.?\s*:?\s*"
    r"(?P<id>[A-Z0-9][\w./-]*\d[\w./-]*)"
)
# a short word ending the title line: its date is on the next line ("... vom" / "du")
_JOINER_AT_END = re.compile(r"\s(?:[^\W\d_]{1,6}\.?\s+)?[^\W\d_]{1,6}\.?\s*$")
_DOCUMENT_WORDS = frozenset(["invoice", "receipt", "bill", "document", "credit", "note"])
_NUMBER_WORDS = frozenset(["number", "no", "id", "nr", "reference", "ref"])
_DATE_WORDS = frozenset(["date", "dated", "issue", "issued"])


def wants(spec: FieldSpec) -> str | None:
    """ "number" or "date" when the field asks for the document's own number or date."""
    if spec.json_type != "string" or spec.is_array_of_scalars:
        return None
    words = set(english_words(split_name(spec.name)))
    if spec.semantic_type == "date" and "date" in words and words <= _DOCUMENT_WORDS | _DATE_WORDS:
        return "date"
    if words & _NUMBER_WORDS and words <= _DOCUMENT_WORDS | _NUMBER_WORDS:
        return "number"
    return None


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """The number or date on the first page's title lines, for a field that asks for it."""
    kind = wants(spec)
    if kind is None or not doc.pages:
        return []
    page = doc.pages[0]
    lines = page.lines[:_TITLE_LINES]
    found: list[Candidate] = []
    for index, line in enumerate(lines):
        title = _TITLE.match(line.text)
        if title is None:
            continue
        if kind == "number":
            number = _NUMBER.search(line.text, title.end())
            if number is not None:
                found.append(_candidate(doc, page.number, line, *number.span("id")))
            continue
        date = next(iter(DATES.finditer(line.text[title.end() :])), None)
        if date is not None:
            start = title.end() + date.start()
            found.append(_candidate(doc, page.number, line, start, title.end() + date.end()))
        elif _JOINER_AT_END.search(line.text) and index + 1 < len(lines):
            following = lines[index + 1]
            first = next(iter(DATES.finditer(following.text)), None)
            if first is not None and not following.text[: first.start()].strip():
                found.append(_candidate(doc, page.number, following, *first.span()))
    return found


def _candidate(doc: Document, page: int, line: Line, start: int, end: int) -> Candidate:
    return Candidate(
        text=line.text[start:end],
        page=page,
        line=line,
        score=_SCORE,
        source=SOURCE,
        boxes=span_boxes(line, start, end) if doc.has_geometry else [],
    )
