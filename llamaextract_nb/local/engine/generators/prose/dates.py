"""Dates in prose near words saying when the agreement was made or takes effect.

"entered into as of May 1, 2013", "dated the 18th day of April, 2001", "effective on
2020-01-01", or any date near the field's own label words.
"""

from __future__ import annotations

import re
from datetime import date

from llamaextract_nb.lang import MONTHS
from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators.prose.field_terms import field_terms, label_strength
from llamaextract_nb.local.engine.generators.prose.stream import candidate_for, stream_of
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import SAFE_MONTH_NAMES, DateScan

_MONTH = rf"(?P<month>{SAFE_MONTH_NAMES})\.?"  # the supported languages' month names
_MONTH_FIRSTS = "".join(sorted({m[0].upper() for m in MONTHS}))
_ORD = r"(?:st|nd|rd|th)?"
# each pattern below opens with a lookahead on its possible first characters: it lets the
# regex engine skip most positions of a long document instead of trying every branch there
_DATE_RE = re.compile(
    rf"(?i)(?=[0-9{_MONTH_FIRSTS}])\b(?:"
    + _MONTH
    + r"\s+(?P<d1>\d{1,2})"
    + _ORD
    + r"\s*,?\s*(?P<y1>(?:19|20)\d{2})"
    + r"|(?P<d2>\d{1,2})"
    + _ORD
    + r"\s+(?:day\s+of\s+)?"
    + _MONTH.replace("month", "month2")
    + r"\s*,?\s*(?:in\s+the\s+year\s+)?(?P<y2>(?:19|20)\d{2})"
    + r"|(?P<iy>(?:19|20)\d{2})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    + r"|(?P<na>\d{1,2})[/.\-](?P<nb>\d{1,2})[/.\-](?P<ny>(?:19|20)?\d{2})"
    + r")\b"
)
_DATES = DateScan(_DATE_RE)  # the same matches, tried only where a date can start


def parse_date(match: re.Match[str], day_first: bool) -> date | None:
    """The calendar date of a :data:`_DATE_RE` match (ISO first, then the hint)."""
    g = match.groupdict()
    try:
        if g["month"]:
            return date(int(g["y1"]), MONTHS[g["month"].lower()], int(g["d1"]))
        if g["month2"]:
            return date(int(g["y2"]), MONTHS[g["month2"].lower()], int(g["d2"]))
        if g["iy"]:
            return date(int(g["iy"]), int(g["im"]), int(g["id"]))
        a, b, year = int(g["na"]), int(g["nb"]), int(g["ny"])
        if year < 100:
            year += 2000 if year < 70 else 1900
        day, month = (a, b) if day_first or b > 12 else (b, a)
        return date(year, month, day)
    except ValueError:
        return None


# words before a date that say "this is when the agreement starts / was made"
_DATE_CUES = [
    (re.compile(r"(?i)\beffective\s+(?:as\s+of|on|from)\s*(?:the\s+)?(?:date\s+of\s+)?$"), 0.9),
    (
        re.compile(
            r"(?i)\b(?:dated|entered\s+into|made|executed|signed)\b[^.;]{0,40}?\bas\s+of\s*(?:the\s+)?$"
        ),
        0.88,
    ),
    (
        re.compile(
            r"(?i)\b(?:dated|entered\s+into|made|executed)\b[^.;]{0,25}?\b(?:on|this|of)\s*(?:the\s+)?$"
        ),
        0.82,
    ),
    (re.compile(r"(?i)\bdated\s*:?\s*(?:the\s+)?$"), 0.82),
    (re.compile(r"(?i)\bas\s+of\s*(?:the\s+)?$"), 0.7),
    (re.compile(r"(?i)\bdate\s*:\s*$"), 0.75),
]
_AFTER_DATE_DEFINES = re.compile(
    r"(?i)^\s*\(?\s*(?:the|this)?\s*[\"“”']+\s*(?:effective|agreement|commencement|start)"
    r"\s+date\s*[\"“”']+"
)


# "Plan of Merger dated as of", "employment agreement dated" - not this agreement
_OTHER_AGREEMENT_BEFORE = re.compile(
    r"(?i)\b(?!this\b|the\b|such\b|said\b)[a-z]+,?\s+(?:agreement|plan|letter|merger|amendment|"
    r"policy|note|lease)\b,?\s+(?:dated|entered|made|executed)\b[^.;]{0,25}$"
)
_OTHER_AGREEMENT_AFTER = re.compile(
    r"(?i)^,?\s*\((?:the\s+)?[\"“][^\"”]{0,40}(?<!effective\s)(?<!this\s)"
    r"(?:agreement|plan|letter|amendment|lease)[\"”]"
)


def date_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    stream = stream_of(doc)
    text = stream.text
    out: list[Candidate] = []
    generic_agreement_date = bool(
        field_terms(spec)
        & {"effective", "agreement", "contract", "commencement", "execution", "signed"}
    )
    for match in _DATES.finditer(text):
        if parse_date(match, hints.day_first) is None:
            continue  # not a calendar date (31/02/2020)
        before = text[max(0, match.start() - 160) : match.start()]
        after = text[match.end() : match.end() + 60]
        score = 0.3 * label_strength(before, spec)
        if generic_agreement_date:
            for cue, strength in _DATE_CUES:
                if cue.search(before[-80:]):
                    score = max(score, strength)
                    break
            if _AFTER_DATE_DEFINES.search(after):
                score = max(score, 0.92)
            elif _OTHER_AGREEMENT_BEFORE.search(before[-70:]) or _OTHER_AGREEMENT_AFTER.match(
                after
            ):
                score *= 0.5  # the date of some other agreement named in this one
        score = max(score, label_strength(before[-60:], spec))
        if score <= 0:
            continue
        # the agreement date sits near the start of the document
        position = match.start() / max(len(text), 1)
        score *= 1.0 - 0.35 * min(position * 4, 1.0)
        cand = candidate_for(stream, match.start(), match.end(), score)
        if cand is not None:
            out.append(cand)
    return out
