"""The local engine's schema suggestion on documents the tests write (no server)."""

from __future__ import annotations

from llamaextract_nb.local.engine.suggest import suggest_schema
from llamaextract_nb.local.engine.suggest.label_names import field_key, snake_case

GERMAN = (
    "Lieferant GmbH\nRechnungsnummer:  RE-4711\nRechnungsdatum:  05.06.2013\n"
    "Gesamtbetrag:  215,14 €\nOffener Betrag:  165,14\n"
)


def _suggest(*texts: str, prompt: str | None = None) -> dict[str, object]:
    documents = [(f"d{i}", f"doc{i}.txt", text.encode()) for i, text in enumerate(texts)]
    suggestion = suggest_schema(documents, prompt)
    return suggestion.data_schema()["properties"]


def test_known_labels_in_other_languages_get_english_names() -> None:
    assert field_key("Rechnungsnummer") == "invoice number"
    assert field_key("Beleg-Nr") == "invoice number"
    assert field_key("Leistungsdatum") == "delivery date"
    assert field_key("Tax (8%):") == "tax"
    assert field_key("Bill To:") == "buyer"
    assert field_key("Käufer/Leistungsempfänger") == "buyer"
    assert snake_case("Größe / Maß") == "groesse_mass"
    props = _suggest(GERMAN)
    assert props["invoice_number"]["type"] == "string"
    assert props["invoice_date"] == {
        "type": "string",
        "format": "date",
        "description": 'Printed as "Rechnungsdatum"',
    }
    assert props["total"]["type"] == "number"
    assert props["amount_due"]["type"] == "number"
    assert props["currency"]["type"] == "string"  # read from the € of the amounts


def test_types_come_from_every_value_and_enums_from_repeats() -> None:
    docs = [
        f"Status: {status}\nPaid: {paid}\nItems: {items}\nWeight: {weight}\nRef: A-{i}\n"
        for i, (status, paid, items, weight) in enumerate(
            [("Open", "yes", "3", "2"), ("Closed", "no", "12", "2.5"), ("Open", "yes", "7", "4")]
        )
    ]
    props = _suggest(*docs)
    assert props["status"]["enum"] == ["Closed", "Open"]
    assert props["paid"]["type"] == "boolean"
    assert props["items"]["type"] == "integer"
    assert props["weight"]["type"] == "number"
    assert props["ref"]["type"] == "string"  # all different: no enum


def test_fields_seen_in_most_documents_come_first_and_prompt_narrows() -> None:
    one = "Order date: 2024-01-02\nColour: red\nTotal: 10.00\n"
    two = "Total: 12.00\nShipping date: 2024-02-03\n"
    assert next(iter(_suggest(one, two))) == "total"
    narrowed = _suggest(one, two, prompt="the dates")
    assert set(narrowed) == {"order_date", "shipping_date"}


def test_tables_become_arrays_of_objects_with_typed_columns() -> None:
    text = (
        "Invoice No: 1\n\nDescription | Qty | Unit Price | Delivered\n--- | --- | --- | ---\n"
        "Bolts | 4 | 1.50 | 2024-03-01\nNuts | 10 | 0.25 | 2024-03-02\n"
    )
    documents = [("d", "doc.md", text.encode())]
    props = suggest_schema(documents).data_schema()["properties"]
    columns = props["line_items"]["items"]["properties"]
    assert {name: node["type"] for name, node in columns.items()} == {
        "description": "string",
        "quantity": "integer",
        "unit_price": "number",
        "delivered": "string",
    }
    assert columns["delivered"]["format"] == "date"


def test_letters_give_the_addressee_and_the_numbers_date() -> None:
    letter = (
        "Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen\nHerrn\nTheodor Est\nBahnstr. 42\n"
        "88802 Spielkreis\n\nRechnung # RE-20140519/499 vom 19.05.2014\n"
        "Summe inkl. USt: 559,84 €\n"
    )
    documents = [("d", "letter.txt", letter.encode())]
    suggestion = suggest_schema(documents)
    props = suggestion.data_schema()["properties"]
    assert props["invoice_number"]["type"] == "string"
    assert props["invoice_date"]["format"] == "date"
    assert props["total"]["type"] == "number"
    sources = suggestion.sources()
    assert sources["invoice_number"][0]["value"] == "RE-20140519/499"
    assert sources["invoice_date"][0]["value"] == "19.05.2014"
    assert [s["value"] for s in sources["buyer.name"]] == ["Theodor Est"]
    assert sources["buyer.address"][0]["value"] == "Bahnstr. 42, 88802 Spielkreis"


def test_a_suggested_schema_extracts_by_the_labels_it_was_found_under() -> None:
    from llamaextract_nb.local.engine import extract
    from llamaextract_nb.local.engine.labels import printed_as, printed_labels

    assert printed_labels(printed_as(["Beleg-Nr", "Ref:"])) == ["beleg-nr", "ref"]
    assert printed_labels('How long it lasts, e.g. "3 years"') == []
    data = "Zählpunkt:  DE0001-77\nVertrags-Datum:  01.04.2013\n".encode()
    schema = suggest_schema([("d", "doc.txt", data)]).data_schema()
    assert schema["properties"]["zaehlpunkt"]["description"] == 'Printed as "Zählpunkt"'
    result = extract(data, "doc.txt", {"data_schema": schema}).result
    assert result == {"zaehlpunkt": "DE0001-77", "vertrags_datum": "2013-04-01"}


def test_contracts_get_their_parties_and_dates_from_the_running_text() -> None:
    import llamaextract_nb as lx

    nda = lx.samples.get("nda.pdf")
    documents = [("d", "nda.pdf", nda.path.read_bytes())]
    suggestion = suggest_schema(documents, "the parties and the dates of this contract")
    props = suggestion.data_schema()["properties"]
    assert props["parties"]["type"] == "array" and props["parties"]["items"] == {"type": "string"}
    assert props["effective_date"]["format"] == "date"
    assert set(props) <= {"parties", "effective_date", "date"}
    (source,) = suggestion.sources()["parties"]
    assert source["value"] == "Harbor Analytics Inc.; Brightline Components Inc."
    invoice = lx.samples.get("invoice.pdf")
    on_invoice = suggest_schema([("i", "invoice.pdf", invoice.path.read_bytes())])
    assert "parties" not in on_invoice.data_schema()["properties"]


def test_big_documents_without_pages_are_refused_with_advice() -> None:
    import pytest

    from llamaextract_nb.local.engine import DocumentError
    from llamaextract_nb.local.engine.suggest import MAX_FLAT_BYTES

    big = b"Total: 1.00\n" * (MAX_FLAT_BYTES // 12 + 1)
    with pytest.raises(DocumentError, match=r"big\.csv is .* MB.*smaller sample"):
        suggest_schema([("d", "big.csv", big)])
