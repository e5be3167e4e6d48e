"""How long the agreement lasts: durations ("two (2) years") after or before term cues."""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators.prose.field_terms import label_strength
from llamaextract_nb.local.engine.generators.prose.stream import candidate_for, stream_of
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
}
_NUM_WORD = r"(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_NUM_FIRST = "".join(sorted({word[0] for word in _NUMBER_WORDS}))
_DURATION_RE = re.compile(
    r"(?i)(?=[0-9" + _NUM_FIRST + r"])\b"
    r"(?:(?P<word>" + _NUM_WORD + r")\s*(?:\(\s*(?P<paren>\d+(?:\.\d+)?)\s*\)\s*)?"
    r"|(?P<digits>\d+(?:\.\d+)?)\s*(?:-\s*)?)"
    r"(?P<unit>years?|months?|weeks?|days?)\b"
)
# how long an agreement (or its obligations) lasts: cues before and after the duration
_TERM_AFTER = re.compile(
    r"(?i)^\s*(?:\(\d+\)\s*)?(?:from|after|following|of)\s+(?:the\s+)?(?:later\s+of\s+)?"
    r"(?:date\s+(?:hereof|of\s+(?:this|the)|first|on\s+which|that)|effective\s+date|execution|"
    r"signing|this\s+(?:letter\s+)?agreement|commencement)"
)
_TERM_BEFORE = [
    (
        re.compile(
            r"(?i)(?:\bterm\s+of\s+(?:this|the)\s+(?:letter\s+)?agreement\s+(?:shall|will)\s+be"
            r"|\bhave\s+a\s+term\s+of|\bremain\s+in\s+(?:full\s+force\s+and\s+)?effect\s+for"
            r"|\b(?:expire|terminate|continue|survive)\w*\b[^.;]{0,40})(?:\s+(?:a|the)\s+period"
            r"\s+of)?\s*$"
        ),
        0.7,
    ),
    (re.compile(r"(?i)\b(?:for|during)\s+(?:a|the)\s+(?:period|term)\s+of\s*$"), 0.45),
    (re.compile(r"(?i)\b(?:until|for)\s*$"), 0.3),
]
_TERM_THEREAFTER = re.compile(r"(?i)^\s*(?:\(\d+\)\s*)?thereafter")
_NOT_TERM = re.compile(
    r"(?i)\b(?:notice|within|prior\s+to|payment|salary|option|vesting|severance|age\s+of|"
    r"termination\s+of\s+(?:your|his|her|the\s+employee|employ)|employment\s+(?:with|by)|"
    r"cessation|separation|resign)"
)
_AGREEMENT_ENDS = re.compile(
    r"(?i)\b(?:this|the)\s+(?:letter\s+)?agreement\b[^;]{0,90}\b(?:expire|terminate|remain\s+in\s+"
    r"(?:full\s+)?(?:force|effect)|continue\s+in\s+effect)|\bterm\s+of\s+(?:this|the)\s+"
    r"(?:letter\s+)?agreement\b|\bagreement\s+(?:shall|will)\s+have\s+a\s+term"
)
# a defined period for a standstill or a restriction rather than the agreement's term
_OTHER_PERIOD = re.compile(
    r"(?i)[\"“](?:standstill|restricted|restriction|non-?compet\w*|non-?solicit\w*|covenant)\s+period"
)
_MIN_TERM_SCORE = 0.6  # weaker duration cues are wrong more often than right
_TERM_WEIGHT = 0.5
_EMPLOYMENT = re.compile(
    r"(?i)\b(?:employ\w*|relationship|services?\s+(?:to|with)|solicit\w*|recruit\w*|hire|"
    r"compet\w*|during\s+the\s+term\s+of\s+this\s+agreement)"
)


def normalise_duration(match: re.Match[str]) -> str | None:
    """'two (2) years' -> '2 years'; None when the number cannot be read."""
    raw = match.group("paren") or match.group("digits")
    if raw is None:
        word = (match.group("word") or "").lower()
        if word not in _NUMBER_WORDS:
            return None
        number: float = _NUMBER_WORDS[word]
    else:
        number = float(raw)
    unit = match.group("unit").lower().rstrip("s")
    shown = str(int(number)) if number == int(number) else str(number)
    return f"{shown} {unit}{'' if number == 1 else 's'}"


def duration_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    stream = stream_of(doc)
    text = stream.text
    out: list[Candidate] = []
    for match in _DURATION_RE.finditer(text):
        if normalise_duration(match) is None:
            continue
        before = text[max(0, match.start() - 120) : match.start()]
        after = text[match.end() : match.end() + 100]
        score = 0.0
        if _TERM_AFTER.match(after):
            score = 0.75
        for cue, strength in _TERM_BEFORE:
            if cue.search(before):
                score = max(score, strength) + (0.1 if score else 0.0)
                break
        if _TERM_THEREAFTER.match(after):
            score = max(score, 0.4)
        score = max(score, 0.6 * label_strength(before[-50:], spec))
        sentence = before[before.rfind(". ") + 1 :]
        if score and _AGREEMENT_ENDS.search(sentence):
            score = max(score, 0.9)  # the agreement itself lasts this long
        rest = after[: after.find(". ")] if ". " in after else after
        if _NOT_TERM.search(sentence[-60:] + " " + rest[:60]):
            score *= 0.4
        elif _EMPLOYMENT.search(sentence + " " + rest[:80]) or _OTHER_PERIOD.search(rest[:80]):
            score *= 0.6
        if score < _MIN_TERM_SCORE:
            continue
        # contracts name many periods; even a well-cued one is only moderately sure
        cand = candidate_for(stream, match.start(), match.end(), _TERM_WEIGHT * min(score, 0.95))
        if cand is not None:
            out.append(cand)
    return out
