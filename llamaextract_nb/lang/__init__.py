"""Language data, one module per language, combined here (imports nothing of the package:
the local engine reads documents with it, the results layer checks citations with it).

Supported: English, German, French, Dutch, Spanish, Italian, Portuguese and Polish. Each
module (:mod:`.en`, :mod:`.de`, ...) holds one :class:`~.model.Language`: month names,
the labels documents print for business-document concepts (invoice number, dates,
totals, tax, currency, seller, buyer, IBAN, address ...) and the words a schema may use
for them. Everything else reads languages through this module:

- :data:`MONTHS`, :data:`DATE_JOINERS`: printed dates in every language;
- :func:`english_labels` / :func:`foreign_labels`: the labels of a field-name phrase;
- :func:`to_english`: a field name's or description's words in English, so that
  ``rechnungsnummer`` or "Datum der Rechnung" are understood like ``invoice_number``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from llamaextract_nb.lang import de, en, es, fr, it, nl, pl, pt
from llamaextract_nb.lang.model import Language

LANGUAGES: tuple[Language, ...] = tuple(
    module.LANGUAGE for module in (en, de, fr, nl, es, it, pt, pl)
)
ENGLISH = en.LANGUAGE
FOREIGN = LANGUAGES[1:]


def _months() -> dict[str, int]:
    months: dict[str, int] = {}
    for language in LANGUAGES:
        for name, number in language.months.items():
            if months.setdefault(name, number) != number:
                raise ValueError(f"month name {name!r} means two months ({language.code})")
    return months


MONTHS: dict[str, int] = _months()
"""Every printed month name or abbreviation of every language (lower case) -> 1..12."""
DATE_JOINERS: tuple[str, ...] = tuple(
    dict.fromkeys(joiner for language in LANGUAGES for joiner in language.date_joiners)
)
STOPWORDS: frozenset[str] = frozenset().union(*(language.stopwords for language in LANGUAGES))

# Field-name phrases that mean the same concept as a key of the language tables.
_ALIASES = {
    "total amount": "total",
    "grand total": "total",
    "gross total": "total",
    "gross amount": "total",
    "invoice total": "total",
    "vendor": "seller",
    "supplier": "seller",
    "issuer": "seller",
    "customer": "buyer",
    "client": "buyer",
    "recipient": "buyer",
    "net amount": "subtotal",
    "net total": "subtotal",
    "net": "subtotal",
    "vat": "tax",
    "tax amount": "tax",
    "vat amount": "tax",
    "issue date": "invoice date",
    "receipt date": "date",
    "order date": "date",
    "payment due date": "due date",
    "balance due": "amount due",
    "amount payable": "amount due",
    "iban number": "iban",
    "tax id": "vat number",
    "vat id": "vat number",
    "tax number": "vat number",
    "company name": "company",
    "merchant": "company",
}


def concept(phrase: str) -> str:
    """The concept a field-name phrase names (``"total amount"`` -> ``"total"``)."""
    return _ALIASES.get(phrase, phrase)


def _phrases_by_words() -> dict[frozenset[str], str]:
    keys = [*ENGLISH.labels, *_ALIASES]
    return {frozenset(key.split()): key for key in sorted(keys, key=len, reverse=True)}


_PHRASES_BY_WORDS = _phrases_by_words()


def known_phrase(words: list[str]) -> str:
    """The field-name phrase of the label tables made of ``words`` in any order
    (``["number", "invoice"]`` from ``numero_de_facture`` -> ``"invoice number"``), else the
    words joined as they are."""
    return lookup_phrase(words) or " ".join(words)


def lookup_phrase(words: list[str]) -> str | None:
    """Like :func:`known_phrase`, but None when the label tables have no such phrase."""
    phrase = " ".join(words)
    if phrase in ENGLISH.labels or phrase in _ALIASES:
        return phrase
    return _PHRASES_BY_WORDS.get(frozenset(words))


LABELS: frozenset[str] = frozenset(
    " ".join(label.split())
    for language in LANGUAGES
    for key, labels in language.labels.items()
    for label in (key, *labels)
)
"""Every label any language's table prints for a concept, and the concepts' own phrases
(lower case, single spaces): text that is one of these is a label, not a value."""


def english_labels(phrase: str) -> list[str]:
    """Labels an English document prints for a field-name phrase (empty when unknown)."""
    return list(ENGLISH.labels.get(phrase, ()))


def foreign_labels(phrase: str) -> list[list[str]]:
    """Labels documents in the other languages print for a field-name phrase, one list per
    language (most specific first); empty lists for an unknown phrase."""
    key = concept(phrase)
    return [list(language.labels.get(key, ())) for language in FOREIGN]


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _plain(word: str) -> str:
    """``word`` without accents: ``"número"`` -> ``"numero"``."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _vocabulary(code: str) -> dict[str, str]:
    """A language's schema words (and their accent-free forms) -> English."""
    language = next(language for language in LANGUAGES if language.code == code)
    table: dict[str, str] = {}
    for word, english in language.words.items():
        table.setdefault(word, english)
        table.setdefault(_plain(word), english)
        table.setdefault(word.translate(_UMLAUTS), english)  # "verkaeufer"
    for label in (
        w for labels in language.labels.values() for phrase in labels for w in phrase.split()
    ):
        table.setdefault(label, "")  # a known word of the language, no translation
    return table


_LINKS = ("", "s", "es", "n", "en", "e")  # German and Dutch compounds: Rechnung-s-nummer


def _split_compound(word: str, table: dict[str, str], depth: int = 0) -> list[str] | None:
    """``"rechnungsnummer"`` -> ``["rechnung", "nummer"]`` when every part is in ``table``."""
    if table.get(word):
        return [word]
    if depth > 2:
        return None
    for cut in range(len(word) - 3, 2, -1):
        head, rest = word[:cut], word[cut:]
        if head not in table or not table[head]:
            continue
        for link in _LINKS:
            if rest.startswith(link) and len(rest) - len(link) >= 3:
                tail = _split_compound(rest[len(link) :], table, depth + 1)
                if tail is not None:
                    return [head, *tail]
    return None


def _score(words: list[str], language: Language) -> int:
    table = _vocabulary(language.code)
    score = 0
    for word in words:
        if word in language.stopwords or word in table:
            score += 1
        elif language is not ENGLISH and _split_compound(word, table) is not None:
            score += 2
    return score


def detect(words: list[str]) -> Language:
    """The language most of ``words`` belong to (English on a tie or when unknown)."""
    best, best_score = ENGLISH, _score(words, ENGLISH)
    for language in FOREIGN:
        score = _score(words, language)
        if score > best_score:
            best, best_score = language, score
    return best


def to_english(words: list[str]) -> list[str]:
    """The words of a field name or description in English, meaningless words dropped:
    ``["rechnungsnummer"]`` -> ``["invoice", "number"]``, ``["datum", "der", "rechnung"]``
    -> ``["date", "invoice"]``; English (or unknown) words come back unchanged."""
    lowered = [word.lower() for word in words]
    language = detect(lowered)
    if language is ENGLISH:
        return list(words)
    table = _vocabulary(language.code)
    out: list[str] = []
    for word in lowered:
        if word in language.stopwords:
            continue
        parts = _split_compound(word, table) or _split_compound(_plain(word), table)
        if parts is None:
            out.append(word)
            continue
        for part in parts:
            out.extend(table[part].split())
    return out


_TEXT_WORD = re.compile(r"[^\W\d_]+")
_TEXT_WORDS = 2_000  # the first words of a text say its language
_MIN_LEAD = 1.5  # another language must outnumber English by this much


def text_language(text: str) -> Language:
    """The language a document's text is written in, by its common words (articles,
    prepositions) among its first words; English when no other clearly leads."""
    counts = {language.code: 0 for language in LANGUAGES}
    for index, match in enumerate(_TEXT_WORD.finditer(text)):
        if index >= _TEXT_WORDS:
            break
        word = match.group(0).lower()
        for language in LANGUAGES:
            if word in language.stopwords:
                counts[language.code] += 1
    english = counts[ENGLISH.code]
    best = max(FOREIGN, key=lambda language: counts[language.code])
    if counts[best.code] > max(_MIN_LEAD * english, 2):
        return best
    return ENGLISH


DOCUMENT_TITLES: tuple[str, ...] = tuple(
    dict.fromkeys(title for language in LANGUAGES for title in language.documents)
)
"""What business documents call themselves in their title, every language."""
SALUTATIONS: tuple[str, ...] = tuple(
    dict.fromkeys(form for language in LANGUAGES for form in language.salutations)
)
"""Forms of address printed before a recipient's name, every language (lower case)."""


_ALL_LABELS: frozenset[str] = frozenset(
    label for language in LANGUAGES for labels in language.labels.values() for label in labels
) | frozenset(concept for language in LANGUAGES for concept in language.labels)


def is_label(text: str) -> bool:
    """Whether ``text`` is just a label of some concept in some language ("Verkäufer:",
    "Rechnungsersteller", "Bill to"): a heading, not a value."""
    return " ".join(text.strip(" :#.-").lower().split()) in _ALL_LABELS


def split_name(name: str) -> list[str]:
    """``invoiceNumber`` / ``invoice_number`` / ``Invoice-Number`` -> ["invoice", "number"];
    letters of any language count (``numéro_de_facture`` -> ["numéro", "de", "facture"])."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", name)
    return re.findall(r"[^\W_]+", name.lower())


def english_words(words: list[str]) -> list[str]:
    """A name's words in English (:func:`~.lang.to_english`), the words themselves when
    translating leaves nothing."""
    return to_english(words) or words
