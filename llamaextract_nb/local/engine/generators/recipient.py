"""The addressee of a letter-style document, printed without a label.

Invoices sent by post print the recipient in the envelope window: a form of address on
its own line ("Herrn" / "Frau" / "Firma" / "Monsieur" / "Mme"), then the name; or a name
line starting with one ("Herrn Max Mustermann", "M. Jean Dupont"); or, under the small
return-address line of the sender ("Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen"), the
recipient's first line. This generator reads those for fields asking for the buyer,
customer or recipient.
"""

from __future__ import annotations

import re

from llamaextract_nb.lang import SALUTATIONS, english_words, split_name
from llamaextract_nb.local.engine.document import Document, Line
from llamaextract_nb.local.engine.layout import segments, span_boxes
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

SOURCE = "recipient"
_WINDOW_LINES = 30  # the envelope window is near the top of the first page
_AFTER_SALUTATION = 0.7
_UNDER_RETURN_ADDRESS = 0.6
_RECIPIENT_WORDS = frozenset(["buyer", "customer", "client", "recipient", "addressee", "payer"])
_SALUTATION = "|".join(
    re.escape(form) + ("" if form.endswith(".") else r"\b")
    for form in sorted(SALUTATIONS, key=len, reverse=True)
)
_SALUTATION_ALONE = re.compile(rf"(?i)^\s*(?:{_SALUTATION})\s*$")
_SALUTATION_FIRST = re.compile(rf"(?i)^\s*(?:{_SALUTATION})\s+(?=[^\W\d_])")
# a sender's return address: pieces joined by bullets or dashes, with a postcode
_RETURN_ADDRESS = re.compile(r"^.{3,}(?:\s[●•·|–-]\s.+){2,}$")
_POSTCODE = re.compile(r"\b\d{4,5}\b")


def wants(spec: FieldSpec) -> bool:
    """Whether the field asks for the buyer's, customer's or recipient's name."""
    if spec.json_type != "string" or spec.is_array_of_scalars:
        return False
    if spec.semantic_type not in ("organisation", "person"):
        return False
    words = {w for part in spec.path for w in english_words(split_name(part))}
    return bool(words & _RECIPIENT_WORDS) and "address" not in words


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """The recipient's name from the first page's envelope window."""
    if not wants(spec) or not doc.pages:
        return []
    page = doc.pages[0]
    lines = page.lines[:_WINDOW_LINES]
    found: list[Candidate] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        head = _first_segment(doc, line)
        if _SALUTATION_ALONE.match(head) and following is not None:
            found += _name(doc, page.number, following, 0, _AFTER_SALUTATION)
        elif (first := _SALUTATION_FIRST.match(head)) is not None:
            found += _name(doc, page.number, line, first.end(), _AFTER_SALUTATION)
        elif following is not None and _is_return_address(head):
            found += _name(doc, page.number, following, 0, _UNDER_RETURN_ADDRESS)
    return found


def _first_segment(doc: Document, line: Line) -> str:
    segs = segments(line, doc.has_geometry)
    return line.text[segs[0].start : segs[0].end] if segs else line.text


def _is_return_address(text: str) -> bool:
    return bool(_RETURN_ADDRESS.match(text.strip()) and _POSTCODE.search(text))


def _name(doc: Document, page: int, line: Line, start: int, score: float) -> list[Candidate]:
    """The name in the first segment of ``line`` from ``start``, when it reads as one."""
    segs = [s for s in segments(line, doc.has_geometry) if s.end > start]
    if not segs:
        return []
    begin, end = max(start, segs[0].start), segs[0].end
    text = line.text[begin:end].strip()
    if not text or sum(ch.isalpha() for ch in text) < 3 or _POSTCODE.search(text):
        return []
    begin += len(line.text[begin:end]) - len(line.text[begin:end].lstrip())
    end = begin + len(text)
    return [
        Candidate(
            text=text,
            page=page,
            line=line,
            score=score,
            source=SOURCE,
            boxes=span_boxes(line, begin, end) if doc.has_geometry else [],
        )
    ]
