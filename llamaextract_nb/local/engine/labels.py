"""Find a field's label words in text and weigh how strongly each phrase names the field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from llamaextract_nb.lang import LABELS
from llamaextract_nb.local.engine.currencies import AMOUNT_CURRENCY
from llamaextract_nb.local.engine.types import FieldSpec

# What may sit between a label and its value: separators, "no."/"#", a currency code,
_CURRENCY = rf"\(?(?:{AMOUNT_CURRENCY})\)?(?![A-Za-z0-9])"
# A qualifier in brackets ("VAT (19%):", "Total (incl. tax):"), not a negative amount.
_QUALIFIER = r"\((?![-\d.,\s$€£¥]+\))[^()\n]{1,24}\)"
# A rate between a tax label and its colon ("MwSt 19 %:", "IVA 21%:", "TVA 5,5 % :").
_RATE = r"\d{1,2}(?:[.,]\d{1,3})?\s?%"
_SEPARATOR = re.compile(
    rf"\s*(?:{_CURRENCY}|{_QUALIFIER}|{_RATE})?\s*(?:[:#=.]+|[-–—]+(?=\s))?\s*"
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


# What may stand before a label at the start of a line: bullets, list numbers, brackets.
_BULLETS = " \t•*·-–0123456789.()"
# Every character a label's lead may hold (whitespace aside): where to look back from a term.
_LEAD_CHARS = frozenset(_BULLETS + "|,;")
_MAX_LEAD = 64  # longer leads are looked at by scanning with the pattern
_SPARSE = 40  # first words found more often than once in this many characters: scan too


class StandingLabels:
    """A field's label terms where a label can stand: at the start of a line or column
    (after a bullet or number, two spaces, ``|``, a comma or semicolon).

    :meth:`finditer` gives exactly the matches of ``pattern.finditer(text)``, but tries the
    pattern only where a term's first word occurs (found by ``str.find`` in the lowercased
    text) or in the lead characters just before it, instead of at every position of a page.
    """

    __slots__ = ("_first_words", "pattern")

    def __init__(self, pattern: re.Pattern[str], first_words: tuple[str, ...] | None) -> None:
        self.pattern = pattern  # for one search over a whole page (re.MULTILINE)
        self._first_words = first_words  # lowercase ASCII; None: scan with the pattern

    def finditer(self, text: str, /) -> Iterator[re.Match[str]]:
        """The pattern's matches in ``text``, left to right, not overlapping."""
        lowered = text.lower()
        # a length change, or a dotless i or long s (which match "i" and "s" when ignoring
        # case but lowercase to themselves): positions may not line up; scan instead
        words = self._first_words
        if (
            words is None
            or len(lowered) != len(text)
            or "\u0131" in text
            or "\u017f" in text
            or sum(map(lowered.count, words)) * _SPARSE > len(text)  # a term on every line
        ):
            yield from self.pattern.finditer(text)
            return
        starts: set[int] = set()
        for word in words:
            at = lowered.find(word)
            while at >= 0:
                starts.add(at)
                before = at
                while before and before - 1 not in starts:
                    char = text[before - 1]
                    if char not in _LEAD_CHARS and not char.isspace():
                        break
                    if at - before >= _MAX_LEAD:  # a freak run of spaces or digits
                        yield from self.pattern.finditer(text)
                        return
                    before -= 1
                    starts.add(before)
                at = lowered.find(word, at + 1)
        end = 0
        match = self.pattern.match
        for start in sorted(starts):
            if start >= end and (found := match(text, start)) is not None:
                yield found
                end = found.end()


def label_pattern(spec: FieldSpec) -> StandingLabels | None:
    """The field's label terms where a label can stand (see :class:`StandingLabels`),
    meant for one search over a whole page; cached."""
    return _standing_labels(tuple(spec.label_terms))


@lru_cache(maxsize=4096)
def _standing_labels(terms: tuple[str, ...]) -> StandingLabels | None:
    inner = _pattern(terms)
    if inner is None:
        return None
    lead = rf"(?:^[{re.escape(_BULLETS)}]*|\s\s|\|\s*|[,;]\s*)"
    pattern = re.compile(f"{lead}(?:{inner.pattern})", re.IGNORECASE | re.MULTILINE)
    words = [term.split() for term in terms]
    first_words = tuple(sorted({w[0].lower() for w in words if w}))
    if not all(words) or not all(_case_stable(word) for word in first_words):
        return StandingLabels(pattern, None)
    return StandingLabels(pattern, first_words)


def _case_stable(word: str) -> bool:
    """Whether ``str.find`` in lowercased text finds ``word`` exactly where the
    case-insensitive pattern does: ASCII, or letters whose case maps one to one
    ("für", "échéance"; not "ß", whose upper case is "SS")."""
    return word.isascii() or word.upper().lower() == word


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
    """1.0 for the field's own name, less for variants and synonyms further down its
    language's list (a German label ranks among the German labels)."""
    index = spec.term_ranks.get(term)
    if index is None:
        if term not in spec.label_terms:
            return 0.6
        index = spec.label_terms.index(term)
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


def is_label_text(text: str, spec: FieldSpec) -> bool:
    """Whether ``text`` is a label, not a value: one of ``spec``'s label terms or a label any
    language's table prints for a concept ("DATE OF ISSUE", "Issued", "Inv #:"), as a cell
    of a row of labels or the word next to a label is."""
    phrase = " ".join(text.lower().split()).rstrip(": ")
    terms = (phrase, phrase.rstrip("."))
    return any(term in LABELS or term in spec.label_terms for term in terms if term)


def _closest_term(found: str, terms: list[str]) -> str:
    squashed = found.replace(" ", "")
    for term in terms:
        if term.replace(" ", "").lower() == squashed:
            return term
    return found


# A field's description may name the labels a document prints for it: 'Printed as "Beleg-Nr"'
# (or "Column printed as ..."). Schema suggestion writes them so; the compiler reads them back
# as label terms, so a suggested schema extracts by the labels it was suggested from.
_PRINTED_AS = re.compile(r'\bprinted as\s+((?:"[^"\n]{1,60}"(?:\s*(?:,|or)\s*)?)+)', re.IGNORECASE)
_QUOTED = re.compile(r'"([^"\n]{1,60})"')


def printed_as(labels: list[str]) -> str:
    """``Printed as "Invoice No." or "Inv #"``: the labels of a field, for its description."""
    return "Printed as " + " or ".join(f'"{label}"' for label in labels)


def printed_labels(description: str) -> list[str]:
    """The labels a description says the field is printed as (lower case), in order."""
    found: list[str] = []
    for match in _PRINTED_AS.finditer(description):
        for label in _QUOTED.findall(match.group(1)):
            phrase = " ".join(label.replace(":", " ").lower().split())
            if phrase and phrase not in found:
                found.append(phrase)
    return found
