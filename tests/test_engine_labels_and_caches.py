"""The label search gives the regex's own matches, and no document outlives its extraction."""

from __future__ import annotations

import gc
import re

import pytest

from llamaextract_nb.local.engine import extract
from llamaextract_nb.local.engine.compiler import compile_schema, iter_leaves
from llamaextract_nb.local.engine.document import Page
from llamaextract_nb.local.engine.labels import label_pattern

SCHEMA = {
    "type": "object",
    "properties": {
        "effective_date": {"type": "string", "format": "date"},
        "parties": {"type": "array", "items": {"type": "string"}},
        "term": {"type": "string", "description": "duration of the agreement"},
        "total_amount": {"type": "number"},
        "invoice_number": {"type": "string"},
        "bill_to": {"type": "string"},
        "größe": {"type": "string"},
    },
}
PAGES = [
    "Total:  5\n  Total 5\n| total | 3\n,total ;  total\n\n\ntotal\n \ttotal\n-- 1. (a) Total",
    "  \n\n  term  \nterm,term;term|term\nTERM OF THIS AGREEMENT: two years\nterm\u00a0\u00a0term",
    "111111 total 222222total\n(1)(1)(1) Invoice Number: 7\n• Invoice  No.  7\n·  Bill To:\n",
    "The parties agree. PARTY: Acme\n–\tParty: Bob\n  counterparty\n(ii) Effective Date: 1 May",
    "Tota\u0142 \u201cparty\u201d  t\u00f6tal  Größe: 4\n  GRÖSSE 5\n",
    # characters that match ASCII letters when ignoring case, or change length lowercased
    "  Invo\u0131ce Number: 1\n  Part\u0131es: A\n  Total\u017f\n",
    "  \u0130NVOICE NUMBER: 2\n  \u212aey  Party: B\n",
    "",
    "\n\n\n",
    "total" * 50 + "\n" + "  total" * 50,
]


@pytest.mark.parametrize("spec", iter_leaves(compile_schema(SCHEMA)), ids=lambda spec: spec.name)
def test_label_search_finds_exactly_the_pattern_matches(spec: object) -> None:
    finder = label_pattern(spec)  # type: ignore[arg-type]
    assert finder is not None
    for text in PAGES:
        expected = [m.span() for m in finder.pattern.finditer(text)]
        assert [m.span() for m in finder.finditer(text)] == expected, text


def test_label_search_matches_labels_standing_at_line_or_column_starts() -> None:
    (spec,) = [s for s in iter_leaves(compile_schema(SCHEMA)) if s.name == "total_amount"]
    finder = label_pattern(spec)
    assert finder is not None
    text = "Subtotal 5\nTotal: 7\nItem  Total 9\nsee total"
    found = [text[m.start() : m.end()].strip() for m in finder.finditer(text)]
    assert found == ["Total", "Total"]
    assert isinstance(finder.pattern, re.Pattern)


def test_no_page_outlives_its_extraction() -> None:
    marker = "Zanzibar Quillfeather Holdings Ltd"
    data = f"{marker}\nInvoice Number: Q-77\nTotal: 12.50\n".encode()
    schema = {"type": "object", "properties": {"vendor_name": {"type": "string"}}}
    output = extract(data, "invoice.txt", {"data_schema": schema, "cite_sources": True})
    assert output.result["vendor_name"] == marker
    gc.collect()
    alive = [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, Page) and any(marker in line.text for line in obj.lines)
    ]
    assert alive == []
