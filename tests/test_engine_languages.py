"""Invoices in the eight supported languages, read through the real engine.

Each language's invoice is written by the test (TXT, and PDFs for German and French) with
that language's labels, printed dates and number formats; the English schema must come
back right. Number formats, printed dates, currency codes and a schema written in German
are checked too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fpdf import FPDF

from llamaextract_nb.local.engine import extract
from llamaextract_nb.local.engine.coerce import parse_date, parse_number
from llamaextract_nb.local.engine.conventions import decimal_comma
from llamaextract_nb.local.engine.currencies import currency_code
from llamaextract_nb.results.matching import citation_mismatch

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "The invoice's number"},
        "invoice_date": {"type": "string", "format": "date"},
        "due_date": {"type": "string", "format": "date"},
        "subtotal": {"type": "number", "description": "Net amount before tax"},
        "tax": {"type": "number", "description": "VAT amount"},
        "total": {"type": "number", "description": "Total including VAT"},
        "currency": {"type": "string", "description": "ISO 4217 currency code"},
        "iban": {"type": "string"},
    },
}


def run(text: str, name: str = "invoice.txt", schema: dict[str, Any] = SCHEMA) -> dict[str, Any]:
    data = text.encode("utf-8") if name.endswith(".txt") else pdf_of(text)
    result = extract(data, name, {"data_schema": schema}).result
    assert isinstance(result, dict)
    return result


def pdf_of(text: str) -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for index, line in enumerate(text.strip().splitlines()):
        pdf.set_xy(60, 60 + 18 * index)
        label, _, value = line.partition(":")
        if value:
            pdf.cell(200, 14, label + ":")
            pdf.cell(200, 14, value.strip())
        else:
            pdf.cell(400, 14, line)
    return bytes(pdf.output())


# language -> (invoice text, expected result)
INVOICES: dict[str, tuple[str, dict[str, Any]]] = {
    "en": (
        """Northwind Traders Ltd
12 Harbour Road, Leeds LS1 4AB

INVOICE
Invoice Number: INV-2024-017
Invoice Date: March 2, 2024
Due Date: April 1, 2024
Subtotal: $1,037.39
Tax: $82.99
Total: $1,120.38
IBAN: GB29 NWBK 6016 1331 9268 19
""",
        {
            "invoice_number": "INV-2024-017",
            "invoice_date": "2024-03-02",
            "due_date": "2024-04-01",
            "subtotal": 1037.39,
            "tax": 82.99,
            "total": 1120.38,
            "currency": "USD",
            "iban": "GB29 NWBK 6016 1331 9268 19",
        },
    ),
    "de": (
        """Muster GmbH
Hauptstraße 5, 10115 Berlin

Rechnung
Rechnungsnummer: RE-2024-017
Rechnungsdatum: 2. März 2024
Fälligkeitsdatum: 16.03.2024
Nettobetrag: 1.037,39 €
MwSt 19 %: 197,11 €
Gesamtbetrag: 1.234,50 €
IBAN: DE89 3704 0044 0532 0130 00
""",
        {
            "invoice_number": "RE-2024-017",
            "invoice_date": "2024-03-02",
            "due_date": "2024-03-16",
            "subtotal": 1037.39,
            "tax": 197.11,
            "total": 1234.5,
            "currency": "EUR",
            "iban": "DE89 3704 0044 0532 0130 00",
        },
    ),
    "fr": (
        """Dupont et Fils SARL
8 rue de la Paix, 75002 Paris

Facture
Numéro de facture : F-2024-017
Date de facture : 15 janvier 2024
Date d'échéance : 14/02/2024
Total HT : 1 037,39 €
TVA 20 % : 207,48 €
Total TTC : 1 244,87 €
IBAN : FR76 3000 6000 0112 3456 7890 189
""",
        {
            "invoice_number": "F-2024-017",
            "invoice_date": "2024-01-15",
            "due_date": "2024-02-14",
            "subtotal": 1037.39,
            "tax": 207.48,
            "total": 1244.87,
            "currency": "EUR",
            "iban": "FR76 3000 6000 0112 3456 7890 189",
        },
    ),
    "nl": (
        """Jansen B.V.
Keizersgracht 1, 1015 CJ Amsterdam

Factuur
Factuurnummer: 2024-017
Factuurdatum: 12 maart 2024
Vervaldatum: 11-04-2024
Subtotaal: € 1.037,39
BTW 21%: € 217,85
Totaal: € 1.255,24
IBAN: NL91 ABNA 0417 1643 00
""",
        {
            "invoice_number": "2024-017",
            "invoice_date": "2024-03-12",
            "due_date": "2024-04-11",
            "subtotal": 1037.39,
            "tax": 217.85,
            "total": 1255.24,
            "currency": "EUR",
            "iban": "NL91 ABNA 0417 1643 00",
        },
    ),
    "es": (
        """Comercial Ibérica S.L.
Calle Mayor 10, 28013 Madrid

Factura
Número de factura: A-2024/017
Fecha de factura: 3 de mayo de 2024
Fecha de vencimiento: 02/06/2024
Base imponible: 1.037,39 €
IVA 21%: 217,85 €
Total: 1.255,24 €
IBAN: ES91 2100 0418 4502 0005 1332
""",
        {
            "invoice_number": "A-2024/017",
            "invoice_date": "2024-05-03",
            "due_date": "2024-06-02",
            "subtotal": 1037.39,
            "tax": 217.85,
            "total": 1255.24,
            "currency": "EUR",
            "iban": "ES91 2100 0418 4502 0005 1332",
        },
    ),
    "it": (
        """Rossi S.r.l.
Via Roma 1, 00184 Roma

Fattura
Numero fattura: 17/2024
Data fattura: 5 aprile 2024
Data di scadenza: 05/05/2024
Imponibile: € 1.037,39
IVA 22%: € 228,23
Totale: € 1.265,62
IBAN: IT60 X054 2811 1010 0000 0123 456
""",
        {
            "invoice_number": "17/2024",
            "invoice_date": "2024-04-05",
            "due_date": "2024-05-05",
            "subtotal": 1037.39,
            "tax": 228.23,
            "total": 1265.62,
            "currency": "EUR",
            "iban": "IT60 X054 2811 1010 0000 0123 456",
        },
    ),
    "pt": (
        """Silva & Filhos, Lda.
Rua Augusta 100, 1100-053 Lisboa

Fatura
Número da fatura: FT 2024/17
Data de emissão: 7 de junho de 2024
Data de vencimento: 07/07/2024
Valor líquido: 1.037,39 €
IVA 23%: 238,60 €
Total: 1.275,99 €
IBAN: PT50 0002 0123 1234 5678 9015 4
""",
        {
            "invoice_number": "FT 2024/17",
            "invoice_date": "2024-06-07",
            "due_date": "2024-07-07",
            "subtotal": 1037.39,
            "tax": 238.6,
            "total": 1275.99,
            "currency": "EUR",
            "iban": "PT50 0002 0123 1234 5678 9015 4",
        },
    ),
    "pl": (
        """Kowalski sp. z o.o.
ul. Długa 5, 00-238 Warszawa

Faktura VAT
Numer faktury: FV/17/2024
Data wystawienia: 1 października 2024
Termin płatności: 15.10.2024
Wartość netto: 1 037,39 zł
Kwota VAT: 238,60 zł
Razem do zapłaty: 1 275,99 zł
IBAN: PL61 1090 1014 0000 0712 1981 2874
""",
        {
            "invoice_number": "FV/17/2024",
            "invoice_date": "2024-10-01",
            "due_date": "2024-10-15",
            "subtotal": 1037.39,
            "tax": 238.6,
            "total": 1275.99,
            "currency": "PLN",
            "iban": "PL61 1090 1014 0000 0712 1981 2874",
        },
    ),
}


@pytest.mark.parametrize("language", sorted(INVOICES))
def test_each_language_invoice_is_read_through_the_engine(language: str) -> None:
    text, expected = INVOICES[language]
    assert run(text) == expected


@pytest.mark.parametrize("language", ["de", "fr"])
def test_german_and_french_invoice_pdfs(language: str) -> None:
    text, expected = INVOICES[language]
    printable = text.replace("€", "EUR").replace("\u202f", " ")
    result = run(printable, "invoice.pdf")
    assert result == expected


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("1.234,50", 1234.5),
        ("1 234,50", 1234.5),
        ("1\u00a0234,50", 1234.5),
        ("1'234.50", 1234.5),
        ("1,234.50", 1234.5),
        ("1.234.567,89 €", 1234567.89),
        ("12,5", 12.5),
        ("0,0520", 0.052),
        ("€ 59,50", 59.5),
        ("120,00 zł", 120.0),
        ("Rs. 1,250.00", 1250.0),
        ("CHF 1'250.00", 1250.0),
        ("(1.234,50)", -1234.5),
    ],
)
def test_number_formats(printed: str, value: float) -> None:
    assert parse_number(printed) == value


def test_an_ambiguous_group_is_decided_by_the_document() -> None:
    assert parse_number("1,234") == 1234.0  # US reading without evidence
    assert parse_number("1.234") == 1.234
    assert parse_number("1.234", decimal_comma=True) == 1234.0
    assert parse_number("1,234", decimal_comma=True) == 1.234
    assert parse_number("1,234,567", decimal_comma=True) == 1234567.0
    assert decimal_comma("Netto 1.037,39 EUR\nMwSt 197,11 EUR") is True
    assert decimal_comma("Net $1,037.39\nTax 82.99") is False
    assert decimal_comma("Mo.-Fr. 08.30 - 12.30 Uhr") is None


def test_ambiguous_thousands_read_by_the_rest_of_the_page() -> None:
    schema = {"type": "object", "properties": {"total": {"type": "number"}}}
    german = "Rechnung\nMwSt: 239,50 €\nGesamtbetrag: 1.500 €\n"
    english = "Invoice\nTax: $0.25\nTotal: $1.500\n"
    assert run(german, schema=schema)["total"] == 1500.0
    assert run(english, schema=schema)["total"] == 1.5


@pytest.mark.parametrize(
    ("printed", "date"),
    [
        ("2. März 2024", "2024-03-02"),
        ("15 janvier 2024", "2024-01-15"),
        ("1er février 2024", "2024-02-01"),
        ("3 de mayo de 2024", "2024-05-03"),
        ("12 maart 2024", "2024-03-12"),
        ("5 aprile 2024", "2024-04-05"),
        ("7 de junho de 2024", "2024-06-07"),
        ("1 października 2024 r.", "2024-10-01"),
        ("15 stycznia 2024", "2024-01-15"),
        ("3 mai 2024", "2024-05-03"),
        ("24. Januar 2014", "2014-01-24"),
        ("18th day of April, 2001", "2001-04-18"),
        ("May 5, 2024", "2024-05-05"),
    ],
)
def test_printed_dates_in_every_language(printed: str, date: str) -> None:
    parsed = parse_date(printed)
    assert parsed == dt.date.fromisoformat(date)
    # the results layer checks a citation against its value with the same month names
    assert citation_mismatch(date, f"Datum: {printed}") is False


def test_numeric_dates_are_day_first_in_a_european_document() -> None:
    schema = {"type": "object", "properties": {"date": {"type": "string", "format": "date"}}}
    assert run("Facture\nDate : 03/04/2024\nTotal TTC : 59,50 €\n", schema=schema) == {
        "date": "2024-04-03"
    }
    assert run("Invoice\nDate: 03/04/2024\nTotal: $59.50\n", schema=schema) == {
        "date": "2024-03-04"
    }


@pytest.mark.parametrize(
    ("printed", "evidence", "code"),
    [
        ("€", "", "EUR"),
        ("Euro", "", "EUR"),
        ("Rs.", "", "INR"),
        ("₹", "", "INR"),
        ("zł", "", "PLN"),
        ("złotych", "", "PLN"),
        ("£", "", "GBP"),
        ("Fr.", "", "CHF"),
        ("CHF", "", "CHF"),
        ("US$", "", "USD"),
        ("$", "", "USD"),
        ("$", "GST/HST 123456789 RT0001, Toronto, Ontario", "CAD"),
        ("$", "ABN 51 824 753 556, Sydney, Australia", "AUD"),
        ("¥", "", "JPY"),
        ("¥", "RMB 增值税", "CNY"),
        ("kr", "Org.nr 123 MVA, Oslo, Norge", "NOK"),
        ("US dollars", "", "USD"),
        ("pounds sterling", "", "GBP"),
        ("RM", "", "MYR"),
        ("eur", "", "EUR"),
        ("Widgets", "", None),
    ],
)
def test_currency_codes(printed: str, evidence: str, code: str | None) -> None:
    assert currency_code(printed, evidence) == code


def test_currency_fields_ask_for_codes() -> None:
    schema = {
        "type": "object",
        "properties": {
            "currency": {"type": "string", "description": "Currency as an ISO 4217 code"},
            "waluta": {"type": "string"},
            "ccy": {"type": "string", "enum": ["EUR", "PLN", "INR", "GBP"]},
            "total": {"type": "number"},
        },
    }
    assert run("Razem do zapłaty: 1 275,99 zł\n", schema=schema) == {
        "currency": "PLN",
        "waluta": "PLN",
        "ccy": "PLN",
        "total": 1275.99,
    }
    india = run("TAX INVOICE\nTotal: Rs. 1,250.00\n", schema=schema)
    assert (india["currency"], india["ccy"], india["total"]) == ("INR", "INR", 1250.0)


def test_a_schema_written_in_german() -> None:
    schema = {
        "type": "object",
        "properties": {
            "rechnungsnummer": {"type": "string"},
            "datum": {"type": "string", "description": "Datum der Rechnung"},
            "gesamtbetrag": {"type": "number"},
            "waehrung": {"type": "string", "description": "Währung als ISO-4217-Code"},
            "verkaeufer": {"type": "string"},
        },
    }
    expected = {
        "rechnungsnummer": "RE-2024-017",
        "datum": "2024-03-02",
        "gesamtbetrag": 1234.5,
        "waehrung": "EUR",
        "verkaeufer": "Muster GmbH",
    }
    assert run(INVOICES["de"][0], schema=schema) == expected
    english = INVOICES["en"][0]
    assert run(english, schema=schema) == {
        "rechnungsnummer": "INV-2024-017",
        "datum": "2024-03-02",
        "gesamtbetrag": 1120.38,
        "waehrung": "USD",
        "verkaeufer": "Northwind Traders Ltd",
    }


def test_french_field_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "numero_de_facture": {"type": "string"},
            "date_de_facture": {"type": "string", "format": "date"},
            "montant_total": {"type": "number"},
            "montant_tva": {"type": "number"},
        },
    }
    assert run(INVOICES["fr"][0], schema=schema) == {
        "numero_de_facture": "F-2024-017",
        "date_de_facture": "2024-01-15",
        "montant_total": 1244.87,
        "montant_tva": 207.48,
    }


LETTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "invoice_date": {"type": "string", "format": "date"},
        "total_amount": {"type": "number", "description": "Invoice total including VAT"},
        "seller_name": {"type": "string", "description": "The company that issued it"},
        "buyer_name": {"type": "string", "description": "The customer it is addressed to"},
    },
}


def test_unlabelled_values_of_a_german_letter_invoice() -> None:
    letter = """Hanseatische Versicherung
Versicherungsverein Hamburg a.G.
Hanseatische Versicherung ● Elbweg 3 ● 20095 Hamburg
Herrn
Jan Petersen
Lindenallee 7
22041 Hamburg
Beitragsrechnung Nr. 77-1234-5  24. Januar 2024
Sehr geehrter Herr Petersen,
Summe inkl. USt: 571,04 €
"""
    assert run(letter, schema=LETTER_SCHEMA) == {
        "invoice_number": "77-1234-5",
        "invoice_date": "2024-01-24",
        "total_amount": 571.04,
        "seller_name": "Hanseatische Versicherung Versicherungsverein Hamburg a.G.",
        "buyer_name": "Jan Petersen",
    }


def test_a_title_line_with_its_date_on_the_next_line() -> None:
    invoice = """Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen
Theodor Est
Bahnstr. 42
Rechnung # RE-20240519/499 vom
19.05.2024
Summe inkl. USt: 559,84 €
"""
    result = run(invoice, schema=LETTER_SCHEMA)
    assert (result["invoice_number"], result["invoice_date"], result["buyer_name"]) == (
        "RE-20240519/499",
        "2024-05-19",
        "Theodor Est",
    )
