"""Values inside running prose, found near the words that name the field.

Contracts and letters rarely print ``Label: value``; they say "governed by the laws of the
State of Delaware", "entered into as of May 1, 2013", "for a period of two (2) years" or
"by and between Acme, Inc. (the "Company") and Jane Doe". This generator reads the
document as one stream of text (line breaks are spaces, so phrases may wrap, see
:mod:`.stream`) and offers:

- dates near the field's label words ("effective", "dated", "as of" ...) (:mod:`.dates`),
- places after "laws of" / "governed by" for jurisdiction-like fields (:mod:`.jurisdictions`),
- durations ("two (2) years") near "term" / "period" words (:mod:`.durations`),
- the parties named in the opening "between A and B" clause, "PARTIES:" blocks,
  organisations defined near the top ('Acme, Inc. (the "Company")') and "I, Jane Doe,"
  (:mod:`.parties`, names cut by :mod:`.party_names`).

Which extractor runs is decided by the field's semantic type and its label and description
terms (:mod:`.field_terms`), so a field called ``governing_law`` or ``start_date`` is served
as well as ``jurisdiction`` or ``effective_date``.
"""

from __future__ import annotations

from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators.prose.dates import date_candidates
from llamaextract_nb.local.engine.generators.prose.durations import duration_candidates
from llamaextract_nb.local.engine.generators.prose.field_terms import field_kind
from llamaextract_nb.local.engine.generators.prose.jurisdictions import jurisdiction_candidates
from llamaextract_nb.local.engine.generators.prose.parties import party_candidates
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

_EXTRACTORS = {
    "date": date_candidates,
    "jurisdiction": jurisdiction_candidates,
    "duration": duration_candidates,
    "party": party_candidates,
}


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Candidates for ``spec`` read from the document's running prose."""
    kind = field_kind(spec)
    if kind is None:
        return []
    return _EXTRACTORS[kind](doc, spec, hints)
