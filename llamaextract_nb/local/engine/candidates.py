"""Candidates for one field: every generator's, made citable, coerced to the field's type.

Generators propose text; here each proposal is checked before it may compete:
a value joined from several lines is cited as those lines, a free-text value is cut at
the column gap after it, a value that is itself a label or does not coerce to the field's
type is dropped, and an identifier without a digit weighs less.
"""

from __future__ import annotations

from llamaextract_nb.local.engine.coerce import coerce
from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators import GENERATORS
from llamaextract_nb.local.engine.labels import is_label_text
from llamaextract_nb.local.engine.layout import (
    anchor_lines,
    fit_to_column,
    is_page_line,
    join_lines,
    joined_line,
    span_boxes,
)
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import has_pattern

_NAMES = ("organisation", "person")  # a line break inside a name is a space
_NO_DIGIT_FACTOR = 0.6  # an identifier printed without a digit ("PROFORMA") is unlikely


def candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Every generator's candidates for ``spec`` that coerce to its type (value filled)."""
    kept = []
    for generate in GENERATORS:
        for candidate in generate(doc, spec, hints):
            free_text = not has_pattern(spec.semantic_type)
            _anchor(candidate, doc, rewrite=free_text, name=spec.semantic_type in _NAMES)
            if free_text:
                _keep_in_column(candidate, doc.has_geometry)
                if candidate.source != "table" and is_label_text(candidate.text, spec):
                    continue  # a header cell or the next label, not the value
            if coerce_into(candidate, spec, hints):
                if spec.identifier and not any(ch.isdigit() for ch in candidate.text):
                    candidate.score *= _NO_DIGIT_FACTOR
                kept.append(candidate)
    return kept


def _anchor(candidate: Candidate, doc: Document, *, rewrite: bool, name: bool = False) -> None:
    """A value a generator read over several lines is cited as those lines (their text
    joined by newlines, as on the page); free text (``rewrite``) then reads as
    :func:`join_lines` of its lines (a ``name`` wrapped over lines by spaces: "MVM
    Musterhafter" / "Versicherungsverein a.G."), typed values ("July 16, / 2002") keep
    their text."""
    if "\n" in candidate.line.text:
        texts = candidate.line.text.split("\n")
    else:
        page = next((p for p in doc.pages if p.number == candidate.page), None)
        if page is None or is_page_line(page, candidate.line):
            return
        lines = anchor_lines(page, candidate.line.text)
        if not lines:
            return
        candidate.line = joined_line(lines)
        texts = [line.text for line in lines]
    if rewrite:
        parts = _split_over_lines(candidate.text, texts)
        if len(parts) > 1:
            candidate.text = " ".join(parts) if name else join_lines(parts)
            candidate.verbatim = False


def _split_over_lines(text: str, lines: list[str]) -> list[str]:
    """``text`` cut where its lines break ("221 Elm Street Portland, OR" over two lines ->
    ["221 Elm Street", "Portland, OR"]); one part when it does not start a line."""
    remaining = " ".join(text.split())
    parts = []
    for line in lines:
        head = " ".join(line.split())
        if not remaining:
            break
        part = head if remaining.startswith(head) else remaining
        parts.append(part)
        remaining = remaining[len(part) :].lstrip(" ,;")
    return parts


def _keep_in_column(candidate: Candidate, geometry: bool) -> None:
    """Cut a free-text candidate at the column gap after it ("Acme Inc.  INVOICE")."""
    line = candidate.line
    if "\n" in line.text:
        return  # a value cited over several lines
    span = fit_to_column(line, candidate.text, geometry)
    if span is None:
        return
    start, end = span
    cut = line.text[start:end].strip()
    if cut and len(cut.split()) < len(candidate.text.split()):
        candidate.text = cut
        candidate.boxes = span_boxes(line, start, end) if geometry else []


def coerce_into(candidate: Candidate, spec: FieldSpec, hints: Hints) -> bool:
    """Fill ``candidate.value`` from its text; False when the text is no value of the type."""
    coerced = coerce(candidate.text, spec, hints)
    if coerced is None:
        return False
    candidate.value, verbatim = coerced
    candidate.verbatim = candidate.verbatim and verbatim
    return True
