"""What a field asks of prose: which extractor serves it, and its label words near a value."""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.types import FieldSpec


def field_terms(spec: FieldSpec) -> set[str]:
    """The field's name, label and description phrases, and each of their words, lowercased."""
    words: set[str] = set()
    for phrase in [spec.name.replace("_", " "), *spec.label_terms, *spec.description_terms]:
        phrase = phrase.lower()
        words.add(phrase)
        words.update(re.findall(r"[a-z]+", phrase))
    return words


_LAW_WORDS = {"jurisdiction", "governing law", "governed", "venue", "law", "laws"}
_PARTY_WORDS = {"party", "parties", "counterparty", "counterparties", "signatory", "signatories"}
_DURATION_WORDS = {"term", "duration", "period", "length", "tenure"}
_DURATION_HINT = re.compile(r"\b\d+\s+(?:years?|months?|weeks?|days?)\b", re.I)


def field_kind(spec: FieldSpec) -> str | None:
    """Which prose extractor serves the field, or None when prose has nothing to offer."""
    terms = field_terms(spec)
    if spec.semantic_type == "date" or spec.format in ("date", "date-time"):
        return "date"
    if spec.json_type != "string":
        return None
    if spec.semantic_type == "duration" or (
        terms & _DURATION_WORDS
        and (spec.semantic_type in ("text", "duration") or _DURATION_HINT.search(spec.description))
    ):
        return "duration"
    if terms & _LAW_WORDS or (spec.semantic_type == "location" and "state" in terms):
        return "jurisdiction"
    if terms & _PARTY_WORDS:
        return "party"
    return None


def label_strength(before: str, spec: FieldSpec) -> float:
    """How strongly the field's label words appear just before a value (0..1)."""
    low = before.lower()
    best = 0.0
    for rank, term in enumerate(spec.label_terms or [spec.name.replace("_", " ")]):
        term = term.lower().strip()
        if len(term) < 3:
            continue
        at = low.rfind(term)
        if at < 0:
            continue
        distance = len(low) - at - len(term)
        strength = (0.75 if rank == 0 else 0.6) * max(0.3, 1.0 - distance / 160)
        best = max(best, strength)
    return best
