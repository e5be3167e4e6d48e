"""Names for printed labels: ``"Rechnungsnummer"`` -> ``invoice_number``, ``"Bill To"`` -> buyer.

A printed label is normalised (lower case, qualifiers in brackets dropped, ``#``/``No.``/
``Nr.`` read as "number") and looked up, in this order, among the names of the engine's
English label table (:mod:`llamaextract_nb.local.engine.lang.en`), the phrases of
:data:`LABEL_NAMES` below (other languages and a few preferred English readings), and the
phrases of the synonym table. A label found nowhere is named from its own words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from llamaextract_nb.local.engine.lang import ENGLISH

SYNONYMS = ENGLISH.labels  # field-name phrase -> the English labels documents print

LABEL_NAMES: dict[str, list[str]] = {
    "invoice number": [
        "invoice number", "rechnungsnummer", "rechnung number", "rechnungs number",
        "numéro de facture", "facture number", "n° de facture", "número de factura",
        "factura number", "numero fattura", "fattura number", "factuurnummer",
    ],
    "invoice date": [
        "rechnungsdatum", "date de facture", "date de la facture",
        "fecha de factura", "fecha factura", "data fattura", "factuurdatum",
    ],
    "due date": [
        "fälligkeit", "fälligkeitsdatum", "zahlbar bis", "date d'échéance", "échéance",
        "fecha de vencimiento", "scadenza", "vervaldatum",
    ],
    "delivery date": ["leistungsdatum", "lieferdatum", "date de livraison", "fecha de entrega"],
    "total amount": [
        "gesamtbetrag", "rechnungsbetrag", "endbetrag", "bruttobetrag", "gesamtsumme",
        "rechnungssumme", "rechnungssumme brutto", "summe brutto", "brutto", "summe inkl ust",
        "total ttc", "montant total", "importe total", "totale", "totaalbedrag", "grand total",
    ],
    "amount due": [
        "offener betrag", "zu zahlen", "zahlbetrag", "noch zu zahlen", "restbetrag",
        "montant dû", "net à payer", "importe a pagar", "balance due", "amount due",
    ],
    "net amount": [
        "nettobetrag", "summe netto", "rechnungssumme netto", "netto", "total ht",
        "base imponible", "imponibile",
    ],
    "subtotal": ["zwischensumme", "sous-total", "sous total", "subtotal"],
    "tax": [
        "umsatzsteuer", "mehrwertsteuer", "mwst", "ust", "summe umsatzsteuer", "mwst betrag",
        "tva", "montant tva", "iva", "btw",
    ],
    "currency": ["währung", "rechnungswährung", "beträge in", "devise", "moneda", "valuta"],
    "customer number": ["kundennummer", "kunden number", "numéro client", "número de cliente"],
    "order number": ["bestellnummer", "bestell number", "auftragsnummer"],
    "buyer": [
        "bill to", "billed to", "sold to", "rechnungsempfänger", "käufer", "kunde",
        "empfänger", "client", "destinataire", "cliente", "acquirente",
    ],
    "seller": [
        "rechnungsersteller", "lieferant", "verkäufer", "absender", "fournisseur",
        "vendeur", "proveedor", "vendedor", "fornitore",
    ],
    "ship to": ["lieferadresse", "warenempfänger", "livrer à", "enviar a"],
    "date": ["datum", "fecha", "data"],
    "quantity": ["menge", "anzahl", "quantité", "cantidad", "quantità"],
    "unit price": ["einzelpreis", "preis", "nettopreis", "prix unitaire", "precio unitario"],
    "amount": ["betrag", "summe", "gesamt", "montant", "importe", "importo"],
    "description": [
        "beschreibung", "artikelbeschreibung", "bezeichnung", "artikelbezeichnung",
        "produkt", "leistung", "désignation", "descripción", "descrizione",
    ],
    "receipt number": ["receipt", "receipt number", "bon number"],
    "document number": ["beleg number", "belegnummer", "dokumentnummer"],
    "document date": ["beleg datum", "belegdatum"],
    "iban": ["iban", "iban nr"],
    "tax id": ["ust idnr", "ust id", "ust-idnr", "vat id", "vat number", "steuernummer"],
}  # fmt: skip
"""English field names (keys) and the labels other languages print for them."""

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
    table: dict[str, str] = {}
    for key, phrases in SYNONYMS.items():  # weakest first: later entries override
        for phrase in phrases:
            table.setdefault(normalise_label(phrase), key)
    for key, phrases in LABEL_NAMES.items():
        for phrase in phrases:
            table[normalise_label(phrase)] = key
    for key in [*SYNONYMS, *LABEL_NAMES]:
        table[normalise_label(key)] = key
    table.pop("", None)
    table.pop("number", None)  # a bare "No." names nothing by itself
    table.pop("from", None)
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
    """Words that name ``key``: its own, and those of its synonyms in every language."""
    phrases = [key, *SYNONYMS.get(key, []), *LABEL_NAMES.get(key, [])]
    return {w for phrase in phrases for w in normalise_label(phrase).split()}
