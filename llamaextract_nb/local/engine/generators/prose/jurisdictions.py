"""Jurisdiction and governing law: the place named after "laws of", "governed by", "courts of".

Only places that start shortly after a cue word are considered, so the long list of
place names is never run over a whole contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators.prose.stream import candidate_for, stream_of
from llamaextract_nb.local.engine.places import PLACES
from llamaextract_nb.local.engine.regex_trie import trie_pattern
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

_PLACE_RE = re.compile(r"\b(" + trie_pattern(sorted(PLACES)) + r")\b", re.I)
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


def jurisdiction_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
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
