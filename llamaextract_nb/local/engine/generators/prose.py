"""Values inside running prose, found near the words that name the field.

Contracts and letters rarely print ``Label: value``; they say "governed by the laws of the
State of Delaware", "entered into as of May 1, 2013", "for a period of two (2) years" or
"by and between Acme, Inc. (the "Company") and Jane Doe". This generator reads the
document as one stream of text (line breaks are spaces, so phrases may wrap) and offers:

- dates near the field's label words ("effective", "dated", "as of" ...),
- places after "laws of" / "governed by" for jurisdiction-like fields,
- durations ("two (2) years") near "term" / "period" words,
- the parties named in the opening "between A and B" clause, "PARTIES:" blocks,
  organisations defined near the top ('Acme, Inc. (the "Company")') and "I, Jane Doe,".

Which extractor runs is decided by the field's semantic type and its label and description
terms, so a field called ``governing_law`` or ``start_date`` is served as well as
``jurisdiction`` or ``effective_date``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from llamaextract_nb.local.engine.document import Box, Document, Line, Word
from llamaextract_nb.local.engine.layout import joined_line
from llamaextract_nb.local.engine.synonyms import PLACES
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

SOURCE = "prose"

# ---------------------------------------------------------------------------------------
# The document as one stream of text


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    page: int
    line: Line


@dataclass(slots=True)
class Stream:
    """All lines of a document joined by single spaces, with a map back to the lines."""

    text: str
    spans: list[_Span]  # in stream order, so their ends ascend too
    ends: list[int]  # each span's end, for bisection

    def lines_between(self, start: int, end: int) -> list[_Span]:
        """The spans of the lines that ``text[start:end]`` touches."""
        spans = self.spans
        index = bisect_right(self.ends, start)
        found = []
        while index < len(spans) and spans[index].start < end:
            found.append(spans[index])
            index += 1
        return found


_STREAM_CACHE: list[tuple[Document, Stream]] = []


def stream_of(doc: Document) -> Stream:
    """The document's text stream (cached for the last document seen)."""
    for cached_doc, cached in _STREAM_CACHE:
        if cached_doc is doc:
            return cached
    parts: list[str] = []
    spans: list[_Span] = []
    pos = 0
    for page in doc.pages:
        for line in page.lines:
            text = line.text.replace("\n", " ")
            if not text.strip():
                continue
            spans.append(_Span(pos, pos + len(text), page.number, line))
            parts.append(text)
            pos += len(text) + 1
    stream = Stream(" ".join(parts), spans, [span.end for span in spans])
    _STREAM_CACHE[:] = [(doc, stream)]
    return stream


def _word_offsets(line: Line) -> Iterator[tuple[int, int, Word]]:
    cursor = 0
    for word in line.words:
        at = line.text.find(word.text, cursor) if word.text else -1
        if at < 0:
            continue
        cursor = at + len(word.text)
        yield at, cursor, word


def candidate_for(
    stream: Stream,
    start: int,
    end: int,
    score: float,
) -> Candidate | None:
    """A candidate for ``stream.text[start:end]``, citing the line(s) it was read from."""
    covered = stream.lines_between(start, end)
    if not covered:
        return None
    first = covered[0]
    covered = [s for s in covered if s.page == first.page]
    line = joined_line([s.line for s in covered])
    boxes: list[Box] = []
    for s in covered:
        lo, hi = start - s.start, end - s.start
        for w_start, w_end, word in _word_offsets(s.line):
            if word.box is not None and w_end > lo and w_start < hi:
                boxes.append(word.box)
    return Candidate(
        text=stream.text[start:end],
        page=first.page,
        line=line,
        score=round(min(max(score, 0.0), 1.0), 4),
        source=SOURCE,
        boxes=boxes,
    )


# ---------------------------------------------------------------------------------------
# What kind of field is this?


def _terms(spec: FieldSpec) -> set[str]:
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
    terms = _terms(spec)
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


# ---------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
# each pattern below opens with a lookahead on its possible first characters: it lets the
# regex engine skip most positions of a long document instead of trying every branch there
_DATE_RE = re.compile(
    r"(?i)(?=[0-9JFMASOND])\b(?:"
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


def parse_date(match: re.Match[str], day_first: bool) -> date | None:
    """The calendar date of a :data:`_DATE_RE` match (ISO first, then the hint)."""
    g = match.groupdict()
    try:
        if g["month"]:
            return date(int(g["y1"]), _MONTHS[g["month"][:3].lower()], int(g["d1"]))
        if g["month2"]:
            return date(int(g["y2"]), _MONTHS[g["month2"][:3].lower()], int(g["d2"]))
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


def _label_near(before: str, spec: FieldSpec) -> float:
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


def _date_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    stream = stream_of(doc)
    text = stream.text
    out: list[Candidate] = []
    generic_agreement_date = bool(
        _terms(spec) & {"effective", "agreement", "contract", "commencement", "execution", "signed"}
    )
    for match in _DATE_RE.finditer(text):
        if parse_date(match, hints.day_first) is None:
            continue  # not a calendar date (31/02/2020)
        before = text[max(0, match.start() - 160) : match.start()]
        after = text[match.end() : match.end() + 60]
        score = 0.3 * _label_near(before, spec)
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
        score = max(score, _label_near(before[-60:], spec))
        if score <= 0:
            continue
        # the agreement date sits near the start of the document
        position = match.start() / max(len(text), 1)
        score *= 1.0 - 0.35 * min(position * 4, 1.0)
        cand = candidate_for(stream, match.start(), match.end(), score)
        if cand is not None:
            out.append(cand)
    return out


# ---------------------------------------------------------------------------------------
# Jurisdiction / governing law


def _trie_pattern(words: list[str]) -> str:
    """A regex matching exactly the given words (case-insensitive use), written as a trie
    so that each position costs one test per distinct next letter instead of one test per
    word. Where two words match at one position, one is a prefix of the other and the
    longer is tried first, as in an alternation sorted longest first."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ("|" if "" in node else "") + ")"

    return pattern(trie)


_PLACE_RE = re.compile(r"\b(" + _trie_pattern(sorted(PLACES)) + r")\b", re.I)
_LAW_CUE = re.compile(
    r"(?i)\b(?:laws?|jurisdiction|courts?|venue)\s*(?:\([^()]{0,120}\)\s*)?(?:of|in)\s+(?:the\s+)?"
    r"(?:(?:state|commonwealth|province|republic|kingdom|country)\s+of\s+)?$"
)
_GOVERNED_CUE = re.compile(r"(?i)\b(?:governed|governing\s+law|construed|interpreted|enforced)\b")
_GOVERNED_BY = re.compile(r"(?i)\bgoverned\s+(?:by|under)\s+(?:the\s+)?(?:internal\s+)?$")
_LAW_AFTER = re.compile(r"(?i)^\s+(?:law|laws|statutes)\b")
_STATE_OF = re.compile(r"(?i)\b(?:state|commonwealth)\s+of\s*(?:$|\w)")
# the first word of every cue above: a place is only scored within _CUE_REACH characters
# after one ("state" but not "States": no cue is inside a place name such as "United States")
# (written letter first, the word boundary checked behind it, so that re skips ahead fast)
_CUE_WORD = re.compile(
    r"(?i)[ljcvgs](?<!\w.)(?:aw|urisdiction|ourt|enue|overned|tate(?!s)|ommonwealth)"
)
_CUE_REACH = 160
_LONGEST_PLACE = max(len(place) for place in PLACES)


def _places_after_cues(text: str) -> Iterator[re.Match[str]]:
    """The matches of :data:`_PLACE_RE` in ``text`` that start within :data:`_CUE_REACH`
    characters after a cue word: the same matches ``finditer`` gives there, found without
    running the long alternation over the whole document."""
    windows: list[list[int]] = []
    for cue in _CUE_WORD.finditer(text):
        start = cue.start()
        if windows and start <= windows[-1][1]:
            windows[-1][1] = start + _CUE_REACH
        else:
            windows.append([start, start + _CUE_REACH])
    end = 0
    for low, high in windows:
        # a match starting by ``high`` is decided within the place length after it
        limit = high + _LONGEST_PLACE + 1
        while (match := _PLACE_RE.search(text, max(low, end), limit)) and match.start() <= high:
            yield match
            end = match.end()


def _jurisdiction_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    stream = stream_of(doc)
    text = stream.text
    out: list[Candidate] = []
    for match in _places_after_cues(text):
        before = text[max(0, match.start() - 200) : match.start()]
        after = text[match.end() : match.end() + 150]
        governed = bool(_GOVERNED_CUE.search(before))
        if _LAW_CUE.search(before[-160:]):
            score = 0.6
            if governed:
                score = 0.9
                if re.search(
                    r"(?i)\blaws?\s+of\s+(?:the\s+)?(?:state|commonwealth)\s+of\s*$", before
                ):
                    score = 0.95
            elif re.search(r"(?i)\bcourts?\b", before[-60:]):
                score = 0.5
        elif _GOVERNED_BY.search(before[-40:]) and _LAW_AFTER.match(after):
            score = 0.9  # "governed by Kansas law"
        elif _STATE_OF.search(before[-30:]) and (governed or _GOVERNED_CUE.search(after)):
            score = 0.75  # "... the law, and not the law of conflicts, of the State of New York"
        else:
            continue
        if re.match(r"(?i)united\s+states", match.group(1)) and _STATE_OF.search(after[:40] + " "):
            score *= 0.6  # "the United States of America, State of California": the state
        cand = candidate_for(stream, match.start(), match.end(), score)
        if cand is not None:
            out.append(cand)
    return out


# ---------------------------------------------------------------------------------------
# Durations

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


def _duration_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
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
        score = max(score, 0.6 * _label_near(before[-50:], spec))
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


# ---------------------------------------------------------------------------------------
# Parties

_OPENING = re.compile(r"(?i)\b(?:by\s+and\s+between|by\s+and\s+among|between|among|parties\s*:)\s*")
_NAME_STOP = re.compile(
    r"(?i)(?:\s*\(|,?\s+(?:a|an)\s+(?:[A-Z][\w.\-]*\s+){0,4}?(?:corporation|company|limited|"
    r"partnership|individual|bank|association|entity|trust|organi[sz]ation|corp\b|llc\b|"
    r"resident|citizen|national|person|subsidiary|joint\s+stock)|,?\s+(?:a|an)\s+"
    r"(?:Delaware|Nevada|New\s+York|California|Florida|Texas|[A-Z][a-z]+)\b|"
    r",\s*(?:having|with|whose|located|residing|(?:organized|incorporated)\s+(?:in|under)|"
    r"on\s+behalf|its|its\s+successors|and\s+its|individually|hereinafter|herein|who|which|"
    r"divisions?|subsidiaries|together|collectively|including|acting)\b|"
    r",\s*(?:M\.D|Ph\.D|Esq)\.?|\s+d/?b/?a\b|\s+f/k/a\b|\s+and/or\b|\s+including\b|"
    r",?\s+and\s+(?:its|their)\s+(?:parent|subsidiar|affiliat|divisions?|successors)\w*|"
    r"\s+(?:having|with\s+(?:its|a)\s+(?:principal|registered|office)|whose|located\s+at|"
    r"residing|who\s+resides|hereinafter|on\s+behalf|organized\s+under|incorporated\s+under)\b|"
    r",\s*\d|\s+\d{2,}\s)"
)
_CORP_SUFFIX = (
    r"(?:Inc|Incorporated|Corp|Co|Ltd|Limited|L\.?L\.?C|L\.?P|N\.A|S\.A|A\.G|PLC|LLP|GmbH|B\.V"
    r"|N\.V|S\.p\.A|AB|AG|ASA)\.?"
)
_SPLIT_PARTIES = re.compile(r"(?i)(?:\)\s*[,;]?\s*(?:and|&)\s+|;\s*(?:and\s+)?|\)\s*,\s+(?=[A-Z]))")
_PERIOD = re.compile(r"(\S*)\.\s+(?=[A-Z“\"(])")
_ABBREVIATIONS = {"inc", "co", "ltd", "corp", "mr", "ms", "mrs", "dr", "no", "st", "jr", "sr"}


def _sentence_end(window: str) -> int | None:
    """Offset of the first full stop that ends a sentence (not "Inc." or "J.")."""
    for m in _PERIOD.finditer(window):
        word = m.group(1).strip("(“\"',").lower()
        if word in _ABBREVIATIONS or len(word) <= 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
            continue
        return m.start() + len(m.group(1))
    return None


_BAD_NAME = re.compile(
    r"(?i)^(?:the\s+)?(?:undersigned|parties|party|company|you|me|us|we|i|employee|executive|"
    r"each|both|any|certain|such|all|this|that|recipient|discloser|buyer|seller|purchaser|"
    r"distributor|representatives?|consultant|contractor|investor|bidder|licensee|licensor|"
    r"customer|supplier|vendor|client|agreement|exhibit|dear|re|attention|attn)\b"
)


def clean_party(raw: str) -> str | None:
    """Cut a party's name out of the phrase that introduces it; None if nothing name-like."""
    text = " ".join(raw.split())
    text = re.sub(r"^(?:and|&)\s+", "", text, flags=re.I)
    text = re.sub(r"^(?:the\s+)?(?:undersigned\s*,?\s*)", "", text, flags=re.I)
    stop = _NAME_STOP.search(text)
    if stop:
        text = text[: stop.start()]
    text = text.strip(" ,;:-–—“”\"'")
    text = re.sub(r"(?i)\s+(?:and|or)$", "", text).rstrip(" ,")
    if not re.search(r"(?i)\b(?:" + _CORP_SUFFIX + r"|Jr\.|Sr\.|[A-Z]\.)$", text):
        text = text.rstrip(".")
    if not text or len(text) > 90 or len(text) < 2:
        return None
    if not re.match(r"[A-Z0-9“\"]", text):
        return None
    if _BAD_NAME.match(text) and not re.search(r"\b" + _CORP_SUFFIX + r"(?!\w)", text):
        return None
    if len(text.split()) > 10:
        return None
    return text


_CLAUSE_STOP = re.compile(
    r"(?i)\bW\s*I\s*T\s*N\s*E\s*S\s*S\s*E\s*T\s*H\b|\bWHEREAS\b|\bRECITALS?\b|\bBACKGROUND\b"
)


_JOINED_AFTER_SUFFIX = re.compile(
    r"(?i)\b(?:Inc|Incorporated|Corp|Corporation|Ltd|Limited|LLC|L\.L\.C|L\.P|LP|N\.A|Company|Co)\.?"
    r",?\s+(?:and\s+|&\s+)?(?=[A-Z][\w.&’'\-]*\s+[A-Z])"
)


def _split_joined(name: str) -> list[str]:
    """ "Acme, Inc. and Acme Holdings, L.P." -> both; a name not joined stays whole."""
    parts: list[str] = []
    cursor = 0
    for match in _JOINED_AFTER_SUFFIX.finditer(name):
        rest = name[match.end() :]
        if re.match(r"(?i)(?:Inc|Ltd|LLC|Limited|Corp|Co)\b", rest):
            continue  # "Co., Ltd." is one suffix
        parts.append(name[cursor : match.end()].rstrip(" ,").removesuffix(" and").rstrip(" ,"))
        cursor = match.end()
    parts.append(name[cursor:])
    return [part.strip(" ,") for part in parts if part.strip(" ,")]


def _clause_after(text: str, start: int, limit: int = 900) -> str:
    window = text[start : start + limit]
    m = _CLAUSE_STOP.search(window)
    if m:
        window = window[: m.start()]
    end = _sentence_end(window)
    return window if end is None else window[:end]


_ORG_SUFFIX = (
    r"(?:Inc\.?|Incorporated|Corporation|Corp\.|LLC|L\.L\.C\.|Ltd\.?|Limited|L\.P\.|LP|Company"
    r"|Co\.|N\.A\.|plc|PLC|LLP|GmbH|AG|S\.A\.|Bancorp|Holdings)"
)
_ORG_RE = re.compile(
    r"(?:(?:[A-Z][\w’'.\-]*|&|of|and(?=\s+Co))[,]?\s+){0,6}?"
    r"[A-Z][\w&’'.\-]*,?\s+" + _ORG_SUFFIX + r"(?:,?\s+" + _ORG_SUFFIX + r")?(?![\w])"
)
_ORG_NOISE = re.compile(
    r"^(?:(?:WHEREAS|LOGO|CONFIDENTIAL|PRIVILEGED|AND|Re|RE|Attn|Attention|Dear|To|From|By|Name|"
    r"Title|Mr|Ms|Mrs|Dr|[IVX]+|Exhibit|EXHIBIT|CEO|President|Principal|Director|"
    r"Board\s+of\s+Directors\s+of|BACKGROUND|INFORMATION|RECITALS)\b[.:,]?\s+)+"
    r"|^(?:[A-Z][A-Z\-]+\s+)*(?:AGREEMENT|VERSION|CONFIDENTIAL)\b[.:,]?\s+"
)
_GENERIC_ORG_WORDS = {
    "THE",
    "COMPANY",
    "PARENT",
    "CORPORATION",
    "DELAWARE",
    "HOLDINGS",
    "EMPLOYER",
    "EMPLOYEE",
    "INC",
    "LLC",
    "LTD",
    "CO",
    "OF",
    "AND",
    "A",
    "AN",
    "NEW",
    "BANK",
    "BANCORP",
    "LIMITED",
    "PROFESSIONAL",
    "MEDICAL",
    "MERGER",
    "SUB",
    "ACQUISITION",
    "CLOSED",
    "JOINT",
    "STOCK",
}


def _organisation(raw: str) -> str | None:
    """A company name from an :data:`_ORG_RE` match, without sentence fragments before it."""
    text = " ".join(raw.split())
    end = None
    for m in _PERIOD.finditer(text + " X"):
        word = m.group(1).strip("(“\"',").lower()
        if word in _ABBREVIATIONS or len(word) <= 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
            continue
        end = m.end()
    if end is not None and end < len(text):
        text = text[end:]
    text = _ORG_NOISE.sub("", re.sub(r"^(?:(?:of|and|&)\s+)+", "", text))
    name = clean_party(text)
    if name is None:
        return None
    words = {w for w in re.findall(r"[A-Z0-9]+", name.upper()) if len(w) > 1}
    if not words - _GENERIC_ORG_WORDS - set(s.upper() for s in PLACES):
        return None
    return name


_DEFINED_AFTER = re.compile(r"^,?\s*\((?:the\s+|each\s+a\s+)?[“\"]")


_PERSON = r"([A-Z][a-z'’\-]+(?:\s+(?:[A-Z]\.|[A-Z][a-z'’\-]+)){1,3})"
_I_NAME = re.compile(r"\bI,\s+" + _PERSON + r",")


def _party_key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def _party_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    stream = stream_of(doc)
    text = stream.text
    found: dict[str, tuple[float, int, str]] = {}

    def offer(name: str | None, at: int, score: float) -> None:
        if name is None or at < 0:
            return
        key = _party_key(name)
        if not key:
            return
        old = found.get(key)
        if old is None:
            found[key] = (score, at, name)
        else:
            boosted = min(0.95, max(old[0], score) + 0.1 * min(old[0], score))
            found[key] = (boosted, old[1], old[2]) if old[0] >= score else (boosted, at, name)

    # 1. the opening clause: "by and between A (“X”) and B (“Y”)"
    for rank, opening in enumerate(_OPENING.finditer(text[:6000])):
        if rank > 2:
            break
        clause_start = opening.end()
        clause = _clause_after(text, clause_start)
        base = 0.85 if rank == 0 else 0.55
        if re.match(r"(?i)\s*(?:the\s+)?(?:parties|company|employee|undersigned|you|us)\b", clause):
            base *= 0.6
        names = 0
        for offset, piece in _split_parties(clause):
            cleaned = clean_party(piece)
            for part in _split_joined(cleaned) if cleaned else []:
                names += 1
                has_shape = re.search(_CORP_SUFFIX + r"$|\b[A-Z][a-z]+\s+[A-Z]", part)
                at = text.find(part, clause_start + offset)
                offer(part, at, base * (1.0 if has_shape else 0.85))
        if names:
            break
    # 2. organisations named near the top (letters, recitals)
    for match in _ORG_RE.finditer(text, 0, min(len(text), 2500)):
        org = _organisation(match.group(0))
        if org is None:
            continue
        score = 0.4
        if _DEFINED_AFTER.match(text[match.end() : match.end() + 20]):
            score += 0.15
        offer(org, match.start() + match.group(0).find(org), score)
    # a name that signs at the end confirms a party named before (never adds one)
    for match in _ORG_RE.finditer(text, max(0, len(text) - 3000)):
        org = _organisation(match.group(0))
        if org is not None and _party_key(org) in found:
            offer(org, match.start() + match.group(0).find(org), 0.3)
    # 3. a person who speaks for themself: "I, Jane Doe, agree ..."
    for match in _I_NAME.finditer(text, 0, min(len(text), 3000)):
        offer(match.group(1), match.start(1), 0.5)
    out: list[Candidate] = []
    for score, at, name in found.values():
        cand = candidate_for(stream, at, at + len(name), score)
        if cand is not None:
            out.append(cand)
    return out


def _split_parties(clause: str) -> list[tuple[int, str]]:
    """Pieces of an opening clause that each name one party, with their offsets."""
    pieces: list[tuple[int, str]] = []
    cursor = 0
    splits = list(_SPLIT_PARTIES.finditer(clause))
    if not splits:
        # no parentheses: "between A and B" — split on the last " and " not inside a name
        m = re.search(r"(?i),?\s+and\s+(?=[A-Z“\"])", clause)
        if m:
            return [(0, clause[: m.start()]), (m.end(), clause[m.end() :])]
        return [(0, clause)]
    for split in splits:
        pieces.append(
            (cursor, clause[cursor : split.start() + (1 if clause[split.start()] == ")" else 0)])
        )
        cursor = split.end()
    pieces.append((cursor, clause[cursor:]))
    return pieces


# ---------------------------------------------------------------------------------------

_EXTRACTORS = {
    "date": _date_candidates,
    "jurisdiction": _jurisdiction_candidates,
    "duration": _duration_candidates,
    "party": _party_candidates,
}


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Candidates for ``spec`` read from the document's running prose."""
    kind = field_kind(spec)
    if kind is None:
        return []
    return _EXTRACTORS[kind](doc, spec, hints)
