"""Fields of running text (contracts): asked of the extraction engine itself.

Contracts print few labels: their parties, dates, governing law and term are sentences
("by and between Acme Inc. and ..."). The engine's prose generators already read those for
a schema that names them, so this asks the engine for :data:`PROSE_FIELDS` and keeps each
field it reads from a sentence with confidence (>= :data:`MIN_CONFIDENCE`) as a finding.
"""

from __future__ import annotations

from typing import Any

from llamaextract_nb.local.engine import assemble
from llamaextract_nb.local.engine.compiler import compile_schema
from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators.prose.stream import SOURCE as PROSE
from llamaextract_nb.local.engine.scoring import Choice
from llamaextract_nb.local.engine.suggest.observe import Seen
from llamaextract_nb.local.engine.types import Hints

MIN_CONFIDENCE = 0.8
_SENTENCE_WORDS = 12
PROSE_FIELDS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "parties": {"type": "array", "items": {"type": "string"}},
        "effective_date": {"type": "string", "format": "date"},
        "jurisdiction": {"type": "string"},
        "term": {"type": "string"},
    },
}
"""What contracts say in sentences; keys are the suggested names (the engine's terms)."""

_TYPES = {"parties": "array", "effective_date": "date", "jurisdiction": "string", "term": "string"}


def _confident_prose(choice: Choice) -> bool:
    """Read from a sentence (a label's value is the label readers' finding) and sure."""
    candidate = choice.candidate
    return (
        candidate is not None and candidate.source == PROSE and choice.confidence >= MIN_CONFIDENCE
    )


def has_sentences(doc: Document) -> bool:
    """Whether ``doc`` has running text at all (a line of a dozen words or more)."""
    return any(
        len(line.text.split()) >= _SENTENCE_WORDS for page in doc.pages for line in page.lines
    )


def prose_findings(doc: Document) -> list[Seen]:
    """The fields of :data:`PROSE_FIELDS` the engine reads confidently in ``doc``."""
    if doc.kind in ("csv", "xlsx") or not has_sentences(doc):
        return []
    tree = assemble.per_doc(doc, compile_schema(PROSE_FIELDS), Hints())
    found: list[Seen] = []
    for name, chosen in tree.items():
        choices = [c for c in (chosen if isinstance(chosen, list) else [chosen]) if c is not None]
        sure = [c for c in choices if isinstance(c, Choice) and _confident_prose(c)]
        if not sure or len(sure) < len(choices) or sure[0].candidate is None:
            continue
        first = sure[0].candidate
        value = "; ".join(str(c.value) for c in sure)
        line = next(
            (i for i, ln in enumerate(doc.pages[first.page - 1].lines) if ln is first.line), 0
        )
        seen = Seen(
            name.replace("_", " "), "", value, first.page, line, "prose", sure[0].confidence
        )
        seen.json_type = _TYPES[name]
        found.append(seen)
    return found
