"""Names for printed labels: ``"Rechnungsnummer"`` -> ``invoice_number``, ``"Bill To"`` -> buyer.

A printed label is normalised (lower case, qualifiers in brackets dropped, ``#``/``No.``/
``Nr.`` read as "number") and looked up among the engine's language tables
(:mod:`llamaextract_nb.lang`: the labels documents print for each concept,
in English and seven other languages), then :data:`MORE_LABELS` (what those tables, made
for extraction, do not name: table columns, delivery date, customer number...). A concept
is named in English; a label found nowhere is named from its own words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from llamaextract_nb.lang import ENGLISH, FOREIGN

MORE_LABELS: dict[str, list[str]] = {
    "buyer": ["bill to", "billed to", "sold to"],  # rather than "customer", listed first
    "delivery date": [
        "leistungsdatum", "lieferdatum", "liefer- und leistungsdatum", "date de livraison",
        "fecha de entrega", "data di consegna", "leverdatum",
    ],
    "customer number": [
        "kundennummer", "kunden-nr", "numéro client", "número de cliente", "klantnummer",
    ],
    "ship to": ["ship to", "deliver to", "lieferadresse", "warenempfänger", "livrer à"],
    "quantity": ["menge", "anzahl", "quantité", "cantidad", "quantità", "aantal"],
    "unit price": [
        "einzelpreis", "preis", "nettopreis", "prix unitaire", "precio unitario",
        "prezzo unitario", "stukprijs",
    ],
    "amount": ["betrag", "gesamtpreis", "montant", "importe", "importo", "bedrag"],
    "description": [
        "beschreibung", "artikelbeschreibung", "bezeichnung", "artikelbezeichnung",
        "produkt", "leistung", "désignation", "descripción", "descrizione", "omschrijving",
    ],
}  # fmt: skip
"""Concepts the language tables do not cover, with the labels documents print for them."""

PARTY_KEYS = frozenset({"buyer", "seller", "vendor", "customer", "ship to", "company"})
"""Names whose label heads a block (a name, then an address) rather than one value."""

_QUALIFIER = re.compile(r"\([^)]*\)")
_NUMBER_MARK = re.compile(r"(?:#|\bn[or]\b\.?|\bnum\b\.?|n°)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w&'’-]+")


def normalise_label(label: str) -> str:
    """The label as a lookup key: ``"Tax (8%):"`` -> ``"tax"``, ``"Invoice #"`` ->
    ``"invoice number"``, ``"Beleg-Nr"`` -> ``"beleg number"``."""
    text = _QUALIFIER.sub(" ", label.strip().rstrip(":").strip())
    text = _NUMBER_MARK.sub(" number ", text.replace("-", " "))
    words = [w.strip("'’-&") for w in _NOT_WORD.split(text.lower())]
    return " ".join(w for w in words if w)


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Normalised label -> concept. The first concept listing a label keeps it (English
    before the other languages), :data:`MORE_LABELS` next, a concept's own name last."""
    table: dict[str, str] = {}
    for language in (ENGLISH, *FOREIGN):
        for key, phrases in language.labels.items():
            for phrase in phrases:
                table.setdefault(normalise_label(phrase), key)
    for key, phrases in MORE_LABELS.items():
        for phrase in phrases:
            table[normalise_label(phrase)] = key
    for language in (ENGLISH, *FOREIGN):
        for key in language.labels:
            table[normalise_label(key)] = key
    for key in MORE_LABELS:
        table[normalise_label(key)] = key
    for vague in ("", "number", "from", "nummer"):
        table.pop(vague, None)  # a bare "No." names nothing by itself
    return table


def known_key(label: str) -> str | None:
    """The English field name a label is known to print, or None; a label offering
    alternatives (``"Käufer/Leistungsempfänger"``) is known by its first known part."""
    lookup = _lookup()
    found = lookup.get(normalise_label(label))
    if found is None and "/" in label:
        parts = (lookup.get(normalise_label(part)) for part in label.split("/"))
        found = next((key for key in parts if key is not None), None)
    return found


def known_words() -> frozenset[str]:
    """Every word of every known label: evidence that a bare ``Label  value`` is a label."""
    return _known_words()


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    words = {w for phrase in _lookup() for w in phrase.split()}
    words.update({"number", "id", "date", "total", "amount", "sum", "code", "reference"})
    return frozenset(w for w in words if len(w) > 2)


def snake_case(text: str) -> str:
    """``"Unit Price"`` -> ``unit_price``; accents folded (``ä`` -> ``ae``), at most 60
    characters, never starting with a digit."""
    folded = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    folded = folded.replace("ß", "ss")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:60].strip("_")
    if not name:
        return "field"
    return f"field_{name}" if name[0].isdigit() else name


def field_key(label: str) -> str:
    """The name a label's field is filed under before it is written in snake_case."""
    return known_key(label) or normalise_label(label)


def terms_of(key: str) -> set[str]:
    """Words that name ``key``: its own, and those of its labels in every language."""
    phrases = [key, *MORE_LABELS.get(key, [])]
    for language in (ENGLISH, *FOREIGN):
        phrases += language.labels.get(key, [])
    return {w for phrase in phrases for w in normalise_label(phrase).split()}
