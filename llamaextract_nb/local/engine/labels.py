"""Find a field's label words in text and weigh how strongly each phrase names the field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from llamaextract_nb.local.engine.types import FieldSpec
from llamaextract_nb.local.engine.values import CURRENCY_CODES, CURRENCY_SYMBOLS

# What may sit between a label and its value: separators, "no."/"#", a currency code,
_CURRENCY = rf"\(?(?:{CURRENCY_CODES}|[{CURRENCY_SYMBOLS}])\)?(?![A-Za-z0-9])"
# A qualifier in brackets ("VAT (19%):", "Total (incl. tax):"), not a negative amount.
_QUALIFIER = r"\((?![-\d.,\s$€£¥]+\))[^()\n]{1,24}\)"
_SEPARATOR = re.compile(
    rf"\s*(?:{_CURRENCY}|{_QUALIFIER})?\s*(?:[:#=.]+|[-–—]+(?=\s))?\s*"
    rf"(?:{_CURRENCY}(?=\s*[:=]))?\s*[:=]?\s*"
)


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A label phrase found at ``text[start:end]``; ``weight`` 0..1 says how specific it is."""

    start: int
    end: int
    weight: float
    value_start: int  # where the value may begin: after separators
    has_colon: bool


def label_pattern(spec: FieldSpec) -> re.Pattern[str] | None:
    """A pattern finding the field's label terms where a label can stand: at the start of a
    line or column (after a bullet or number, two spaces, ``|``, a comma or semicolon).
    Meant for one search over a whole page (``re.MULTILINE``); cached."""
    return _standing_pattern(tuple(spec.label_terms))


@lru_cache(maxsize=4096)
def _standing_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    inner = _pattern(terms)
    if inner is None:
        return None
    lead = r"(?:^[ \t•*·\-–0-9.()]*|\s\s|\|\s*|[,;]\s*)"
    return re.compile(f"{lead}(?:{inner.pattern})", re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=4096)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        body = r"\s*".join(re.escape(w) for w in term.split())
        lead = r"\b" if term[0].isalnum() else ""
        tail = r"\b" if term[-1].isalnum() else ""
        parts.append(f"{lead}{body}{tail}")
    # a lookahead on the possible first letters lets the regex engine skip most positions
    firsts = "".join(sorted({t[0].lower() for t in terms} | {t[0].upper() for t in terms}))
    return re.compile(f"(?=[{re.escape(firsts)}])(?:{'|'.join(parts)})", re.IGNORECASE)


def term_weight(spec: FieldSpec, term: str) -> float:
    """1.0 for the field's own name, less for variants and synonyms further down the list."""
    try:
        index = spec.label_terms.index(term)
    except ValueError:
        return 0.6
    weight = 1.0 - min(0.3, 0.04 * index)
    if len(term.split()) == 1 and index > 0:
        weight -= 0.1  # a single generic word ("date", "total") is weaker evidence
    return weight


def find_labels(text: str, spec: FieldSpec) -> list[LabelMatch]:
    """Every occurrence of one of ``spec.label_terms`` in ``text`` (longest phrase wins)."""
    pattern = _pattern(tuple(spec.label_terms))
    if pattern is None:
        return []
    lowered = {t.lower(): t for t in spec.label_terms}
    matches = []
    for match in pattern.finditer(text):
        if text[match.end() : match.end() + 1] in ("-", "/", "_", "@"):
            continue  # part of a code or an address ("SKU-0", "info@..."), not a label
        found = " ".join(match.group(0).lower().split())
        term = lowered.get(found) or _closest_term(found, spec.label_terms)
        sep = _SEPARATOR.match(text, match.end())
        value_start = sep.end() if sep else match.end()
        has_colon = ":" in text[match.end() : value_start]
        matches.append(
            LabelMatch(match.start(), match.end(), term_weight(spec, term), value_start, has_colon)
        )
    return matches


def _closest_term(found: str, terms: list[str]) -> str:
    squashed = found.replace(" ", "")
    for term in terms:
        if term.replace(" ", "").lower() == squashed:
            return term
    return found
