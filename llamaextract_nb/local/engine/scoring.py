"""Choose among coerced candidates and say how sure we are: the one place confidence is made.

Candidates with the same value pool their evidence (the strongest counts fully, each
further independent source adds a little). The best value's *extraction confidence* is its
evidence scaled by its margin over the runner-up value: a clear winner keeps its score, a
near tie loses up to half of it. A table cell's confidence is how well its column header
names the property; a value taken from a hint gets a fixed, moderate one. *Parsing
confidence* is how sure the parser was of the cited words: 1.0 for a text layer, the
recogniser's mean score over the value's words for OCR; the overall *confidence* is their
product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llamaextract_nb.local.engine.document import Box
from llamaextract_nb.local.engine.types import Candidate, FieldSpec

_SUPPORT_BONUS = 0.08  # per additional agreeing source
_CLEAR_MARGIN = 0.25  # a lead this large over the runner-up counts as unambiguous
_MIN_SCORE = 0.1  # weaker evidence than this is not a value
_MIN_ITEM_RATIO = 0.55  # arrays of scalars keep values this close to the best one
_HINT_CONFIDENCE = 0.6  # a value the request's system_prompt gave (e.g. the currency)


@dataclass(slots=True)
class Choice:
    """The chosen value of one field, the candidate cited for it and its confidences."""

    value: Any
    candidate: Candidate | None  # None when the value comes from a hint, not the document
    extraction_confidence: float
    parsing_confidence: float = 1.0
    support: list[Candidate] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return round(self.extraction_confidence * self.parsing_confidence, 4)


@dataclass(slots=True)
class _Group:
    key: Any
    members: list[Candidate]
    score: float


def value_key(value: Any) -> Any:
    """Values that compare equal for agreement: strings case- and space-insensitive."""
    if isinstance(value, str):
        return " ".join(value.casefold().split()).rstrip(".")
    return value


def _groups(candidates: list[Candidate]) -> list[_Group]:
    by_key: dict[Any, list[Candidate]] = {}
    for candidate in candidates:
        by_key.setdefault(value_key(candidate.value), []).append(candidate)
    groups = []
    for key, members in by_key.items():
        members.sort(key=lambda c: -c.score)
        sources = {c.source for c in members[1:]} - {members[0].source}
        extra = len(sources) + 0.5 * min(2, len(members) - 1 - len(sources))
        # not capped at 1: two strong values must not tie because both reached the cap
        score = members[0].score + _SUPPORT_BONUS * extra
        groups.append(_Group(key, members, score))
    groups.sort(key=lambda g: (-g.score, _position(g.members[0])))
    return groups


def _position(candidate: Candidate) -> tuple[int, float]:
    box = candidate.line.box
    return candidate.page, box.y if box is not None else 0.0


def extraction_confidence(best: float, runner_up: float) -> float:
    """Evidence of the winner scaled by its margin over the runner-up (0..1)."""
    margin = max(0.0, best - runner_up)
    return round(min(1.0, best) * (0.5 + 0.5 * min(1.0, margin / _CLEAR_MARGIN)), 4)


def parsing_confidence(candidate: Candidate) -> float:
    """The mean parser confidence of the words under the candidate's boxes (of its whole
    line when none is): 1.0 for a text layer, OCR's scores for a scan."""
    words = candidate.line.words
    if all(word.confidence >= 1.0 for word in words):
        return 1.0
    covered = [
        word.confidence
        for word in words
        if word.box is not None and any(_overlaps(word.box, box) for box in candidate.boxes)
    ] or [word.confidence for word in words]
    return round(sum(covered) / len(covered), 4)


def _overlaps(a: Box, b: Box) -> bool:
    return a.x < b.x1 and b.x < a.x1 and a.y < b.y1 and b.y < a.y1


def _choice(group: _Group, runner_up: float) -> Choice:
    best = group.members[0]
    return Choice(
        value=best.value,
        candidate=best,
        extraction_confidence=extraction_confidence(group.score, runner_up),
        parsing_confidence=parsing_confidence(best),
        support=group.members,
    )


def select(candidates: list[Candidate], spec: FieldSpec) -> Choice | None:
    """The best value for a scalar field, or None when nothing is strong enough."""
    groups = [g for g in _groups(candidates) if g.score >= _MIN_SCORE]
    if not groups:
        return None
    if spec.ordinal is not None:
        return _nth(groups, spec.ordinal)
    runner_up = groups[1].score if len(groups) > 1 else 0.0
    return _choice(groups[0], runner_up)


def _nth(groups: list[_Group], ordinal: int) -> Choice | None:
    """``party_2``: the second distinct value in document order among the strong ones."""
    top = groups[0].score
    strong = [g for g in groups if g.score >= top * _MIN_ITEM_RATIO]
    strong.sort(key=lambda g: min(_order(c) for c in g.members))
    if ordinal > len(strong):
        return None
    group = strong[ordinal - 1]
    others = [g.score for g in groups if g is not group]
    # ordinals are picked by position, so only a much stronger rival weakens them
    return _choice(group, max(others, default=0.0) - 0.2)


def _order(candidate: Candidate) -> tuple[int, float, float]:
    box = candidate.boxes[0] if candidate.boxes else candidate.line.box
    if box is None:
        return candidate.page, 0.0, 0.0
    return candidate.page, box.y, box.x


def select_many(candidates: list[Candidate], spec: FieldSpec) -> list[Choice]:
    """Values of an array of scalars: every distinct value close enough to the best one."""
    groups = [g for g in _groups(candidates) if g.score >= _MIN_SCORE]
    if not groups:
        return []
    cutoff = groups[0].score * _MIN_ITEM_RATIO
    kept = [g for g in groups if g.score >= cutoff]
    dropped = [g.score for g in groups if g.score < cutoff]
    runner_up = max(dropped, default=0.0)
    kept.sort(key=lambda g: min(_order(c) for c in g.members))
    return [_choice(g, runner_up) for g in kept]


def hint_choice(value: Any) -> Choice:
    """A value taken from the request's hints (``system_prompt``), not from the document:
    moderately sure, with nothing to cite."""
    return Choice(value=value, candidate=None, extraction_confidence=_HINT_CONFIDENCE)


def table_confidence(header_score: float) -> float:
    """Extraction confidence of a table cell (that coerced): how well its column's header
    named the property; cells read from aligned text carry a lower header score."""
    return round(min(1.0, header_score), 4)
