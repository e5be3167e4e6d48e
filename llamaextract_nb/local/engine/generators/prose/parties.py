"""The parties to an agreement, read from its opening and its first and last paragraphs.

- the opening "by and between A (the "Company") and B" clause or a "PARTIES:" block,
- organisations defined near the top ('Acme, Inc. (the "Company")'), confirmed when they
  also sign at the end,
- a person who speaks for themself: "I, Jane Doe, agree ...".
"""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators.prose.party_names import (
    CORP_SUFFIX,
    ORG_RE,
    clean_party,
    organisation,
    sentence_stops,
    split_joined,
)
from llamaextract_nb.local.engine.generators.prose.stream import candidate_for, stream_of
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

_OPENING = re.compile(r"(?i)\b(?:by\s+and\s+between|by\s+and\s+among|between|among|parties\s*:)\s*")
_SPLIT_PARTIES = re.compile(r"(?i)(?:\)\s*[,;]?\s*(?:and|&)\s+|;\s*(?:and\s+)?|\)\s*,\s+(?=[A-Z]))")
_CLAUSE_STOP = re.compile(
    r"(?i)\bW\s*I\s*T\s*N\s*E\s*S\s*S\s*E\s*T\s*H\b|\bWHEREAS\b|\bRECITALS?\b|\bBACKGROUND\b"
)


def _clause_after(text: str, start: int, limit: int = 900) -> str:
    """The opening clause that starts at ``text[start]``: up to the recitals or the end of
    its sentence."""
    window = text[start : start + limit]
    m = _CLAUSE_STOP.search(window)
    if m:
        window = window[: m.start()]
    stop = next(sentence_stops(window), None)
    return window if stop is None else window[: stop.start() + len(stop.group(1))]


_DEFINED_AFTER = re.compile(r"^,?\s*\((?:the\s+|each\s+a\s+)?[“\"]")


_PERSON = r"([A-Z][a-z'’\-]+(?:\s+(?:[A-Z]\.|[A-Z][a-z'’\-]+)){1,3})"
_I_NAME = re.compile(r"\bI,\s+" + _PERSON + r",")


def _party_key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def party_candidates(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
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
            for part in split_joined(cleaned) if cleaned else []:
                names += 1
                has_shape = re.search(CORP_SUFFIX + r"$|\b[A-Z][a-z]+\s+[A-Z]", part)
                at = text.find(part, clause_start + offset)
                offer(part, at, base * (1.0 if has_shape else 0.85))
        if names:
            break
    # 2. organisations named near the top (letters, recitals)
    for match in ORG_RE.finditer(text, 0, min(len(text), 2500)):
        org = organisation(match.group(0))
        if org is None:
            continue
        score = 0.4
        if _DEFINED_AFTER.match(text[match.end() : match.end() + 20]):
            score += 0.15
        offer(org, match.start() + match.group(0).find(org), score)
    # a name that signs at the end confirms a party named before (never adds one)
    for match in ORG_RE.finditer(text, max(0, len(text) - 3000)):
        org = organisation(match.group(0))
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
