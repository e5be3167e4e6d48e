"""End-to-end tests of ``extract()`` on real documents made here (TXT and PDF)."""

from __future__ import annotations

from typing import Any

import pytest
from fpdf import FPDF

from llamaextract_nb.local.engine import DocumentError, extract
from llamaextract_nb.local.engine.parsers import parse

INVOICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["invoice_number", "total_amount"],
    "properties": {
        "invoice_number": {"type": "string"},
        "invoice_date": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "Issue date, ISO 8601",
        },
        "due_date": {"type": "string", "format": "date"},
        "total_amount": {"type": "number"},
        "currency": {"type": "string"},
        "po_number": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "quantity": {"type": "integer"},
                    "amount": {"type": "number"},
                },
            },
        },
    },
}
INVOICE_TXT = b"""Acme Industrial Supplies GmbH
Invoice No.: INV-2026-0412
Invoice date: 02.04.2026
Due date: 2026-05-02

| Description | Qty | Amount |
|---|---|---|
| Hydraulic hose, 2 m | 10 | 450.00 |
| On-site installation | 1 | 1,050.00 |

Subtotal: 1,500.00
VAT 19%: 285.00
Total due: 1,785.00
"""


def run(data: bytes, name: str, schema: dict[str, Any] = INVOICE_SCHEMA, **options: Any) -> Any:
    return extract(data, name, {"data_schema": schema, **options})


def invoice_pdf() -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Acme Industrial Supplies GmbH", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(100, 6, "Bill To:")
    pdf.cell(0, 6, "Invoice No.: INV-2026-0412", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(100, 6, "Beta Retail Ltd")
    pdf.cell(0, 6, "Invoice date: 02.04.2026", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(100, 6, "1 High Street, London")
    pdf.cell(30, 6, "Due date")
    pdf.cell(0, 6, "2026-05-02", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    rows = [
        ("Description", "Qty", "Amount"),
        ("Hydraulic hose, 2 m", "10", "450.00"),
        ("On-site installation", "1", "1,050.00"),
    ]
    for text, qty, amount in rows:
        pdf.cell(90, 7, text, border=1)
        pdf.cell(25, 7, qty, border=1, align="R")
        pdf.cell(35, 7, amount, border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(115, 6, "Total due EUR", align="R")
    pdf.cell(35, 6, "1,785.00", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


EXPECTED = {
    "invoice_number": "INV-2026-0412",
    "invoice_date": "2026-04-02",
    "due_date": "2026-05-02",
    "total_amount": 1785.0,
    "po_number": None,
    "line_items": [
        {"description": "Hydraulic hose, 2 m", "quantity": 10, "amount": 450.0},
        {"description": "On-site installation", "quantity": 1, "amount": 1050.0},
    ],
}


def test_txt_invoice_per_doc_values_metadata_and_usage() -> None:
    out = run(
        INVOICE_TXT,
        "invoice.txt",
        cite_sources=True,
        confidence_scores=True,
        system_prompt="Dates are day-first. Amounts in EUR.",
    )
    assert {k: out.result[k] for k in EXPECTED} == EXPECTED
    assert out.result["currency"] == "EUR"  # from the hint: inferred, not cited
    meta = out.metadata["field_metadata"]
    assert meta["page_metadata"] is None and meta["row_metadata"] is None
    doc = meta["document_metadata"]
    number = doc["invoice_number"]
    assert number["citation"] == [{"page": 1, "matching_text": "Invoice No.: INV-2026-0412"}]
    assert number["reasoning"] == "VERBATIM EXTRACTION"
    assert 0.5 < number["confidence"] <= 1
    assert number["confidence"] == pytest.approx(
        number["extraction_confidence"] * number["parsing_confidence"]
    )
    assert doc["invoice_date"]["reasoning"] == "INFERRED FROM TEXT"  # rewritten as ISO
    assert doc["currency"]["citation"] == [] and doc["currency"]["reasoning"] == (
        "INFERRED FROM TEXT"
    )
    assert doc["po_number"] == {"citation": [], "reasoning": "NOT FOUND IN DOCUMENT"}
    item = doc["line_items"][1]
    assert set(item) == {"description", "quantity", "amount"}
    assert "1,050.00" in item["amount"]["citation"][0]["matching_text"]
    assert out.metadata["parse_job_id"] is None
    assert out.metadata["parse_tier"] == "cost_effective"
    assert out.usage == {"num_pages_extracted": 1, "num_pages_billed": 1}


def test_metadata_only_carries_what_was_asked() -> None:
    out = run(INVOICE_TXT, "invoice.txt")
    entry = out.metadata["field_metadata"]["document_metadata"]["invoice_number"]
    assert entry == {"reasoning": "VERBATIM EXTRACTION"}
    only_conf = run(INVOICE_TXT, "invoice.txt", confidence_scores=True)
    entry = only_conf.metadata["field_metadata"]["document_metadata"]["invoice_number"]
    assert "citation" not in entry and "confidence" in entry


def test_dotted_dates_are_day_first_without_the_hint() -> None:
    assert run(INVOICE_TXT, "invoice.txt").result["invoice_date"] == "2026-04-02"


def test_pdf_invoice_values_and_boxes_cover_the_value() -> None:
    data = invoice_pdf()
    out = run(data, "invoice.pdf", cite_sources=True, system_prompt="dates are day-first")
    assert {k: out.result[k] for k in EXPECTED} == EXPECTED
    doc = parse(data, "invoice.pdf")
    page = doc.pages[0]
    entries = out.metadata["field_metadata"]["document_metadata"]
    leaves = [entries["invoice_number"], entries["total_amount"], entries["due_date"]]
    leaves += [cell for item in entries["line_items"] for cell in item.values()]
    for entry in leaves:
        (cited,) = entry["citation"]
        assert cited["page_dimensions"] == {"width": page.width, "height": page.height}
        assert cited["matching_text"] in page.text
        assert cited["bounding_boxes"]
        for box in cited["bounding_boxes"]:
            assert box["x"] >= 0 and box["x"] + box["w"] <= page.width + 0.5
            assert box["y"] >= 0 and box["y"] + box["h"] <= page.height + 0.5
    # the total's box covers the printed "1,785.00" word
    (line,) = [ln for ln in page.lines if "1,785.00" in ln.text]
    (word,) = [w for w in line.words if w.text == "1,785.00"]
    (box,) = entries["total_amount"]["citation"][0]["bounding_boxes"]
    assert word.box is not None
    assert box["x"] <= word.box.x + 0.01 and word.box.x1 <= box["x"] + box["w"] + 0.01


def test_value_below_its_label_and_right_of_it() -> None:
    text = b"Invoice Number\nINV-77\n\nPO number     PO-5\n"
    out = run(text, "a.txt")
    assert out.result["invoice_number"] == "INV-77"


def test_per_page_gives_one_object_per_page() -> None:
    pages = b"Invoice No.: A-1\nTotal due: 10.00\n\fInvoice No.: B-2\nTotal due: 20.00\n"
    out = run(pages, "two.txt", extraction_target="per_page", cite_sources=True)
    assert [p["invoice_number"] for p in out.result] == ["A-1", "B-2"]
    assert [p["total_amount"] for p in out.result] == [10.0, 20.0]
    page_meta = out.metadata["field_metadata"]["page_metadata"]
    assert [m["invoice_number"]["citation"][0]["page"] for m in page_meta] == [1, 2]
    assert out.metadata["field_metadata"]["document_metadata"] is None
    assert out.usage["num_pages_extracted"] == 2


ROW_SCHEMA = {
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "product_name": {"type": "string"},
        "unit_price": {"type": "number"},
        "in_stock": {"type": "boolean"},
    },
}


def test_per_table_row_merges_tables_across_pages() -> None:
    text = (
        b"| SKU | Product name | Unit price | In stock |\n|---|---|---|---|\n"
        b"| HX-200 | Hydraulic hose, 2 m | 45.00 | yes |\n"
        b"| HX-500 | Hydraulic hose, 5 m | 98.50 | yes |\n"
        b"\f| SKU | Product name | Unit price | In stock |\n|---|---|---|---|\n"
        b"| FT-012 | Quick coupling 12 mm | 7.90 | no |\n"
    )
    out = run(text, "stock.md", ROW_SCHEMA, extraction_target="per_table_row", cite_sources=True)
    assert out.result == [
        {"sku": "HX-200", "product_name": "Hydraulic hose, 2 m", "unit_price": 45.0,
         "in_stock": True},
        {"sku": "HX-500", "product_name": "Hydraulic hose, 5 m", "unit_price": 98.5,
         "in_stock": True},
        {"sku": "FT-012", "product_name": "Quick coupling 12 mm", "unit_price": 7.9,
         "in_stock": False},
    ]  # fmt: skip
    rows = out.metadata["field_metadata"]["row_metadata"]
    assert rows[2]["sku"]["citation"][0] == {"page": 2, "matching_text": "FT-012"}


def test_per_table_row_reads_list_items_without_a_table() -> None:
    schema = {"type": "object", "properties": {"due_date": {"type": "string", "format": "date"},
                                               "amount": {"type": "number"}}}  # fmt: skip
    text = (
        b"Payments:\n- Due date: 2026-01-31, amount: 100.00\n"
        b"- Due date: 2026-02-28, amount: 120.50\n"
    )
    out = run(text, "plan.txt", schema, extraction_target="per_table_row")
    assert out.result == [
        {"due_date": "2026-01-31", "amount": 100.0},
        {"due_date": "2026-02-28", "amount": 120.5},
    ]


def test_array_of_scalars_and_nested_objects() -> None:
    schema = {
        "type": "object",
        "properties": {
            "seller": {"type": "object", "properties": {"name": {"type": "string"},
                                                        "vat_id": {"type": "string"}}},
            "emails": {"type": "array", "items": {"type": "string"}},
        },
    }  # fmt: skip
    text = (
        b"Seller: Acme GmbH\nSeller VAT ID: DE123456789\nEmail: a@acme.test\nEmail: b@acme.test\n"
    )
    out = run(text, "x.txt", schema, cite_sources=True)
    assert out.result == {
        "seller": {"name": "Acme GmbH", "vat_id": "DE123456789"},
        "emails": ["a@acme.test", "b@acme.test"],
    }
    emails = out.metadata["field_metadata"]["document_metadata"]["emails"]
    assert [e["citation"][0]["matching_text"] for e in emails] == [
        "Email: a@acme.test",
        "Email: b@acme.test",
    ]


def test_target_pages_and_max_pages() -> None:
    pages = b"Invoice No.: A-1\n\fInvoice No.: B-2\n\fInvoice No.: C-3\n"
    out = run(pages, "p.txt", extraction_target="per_page", target_pages="2-3")
    assert [p["invoice_number"] for p in out.result] == ["B-2", "C-3"]
    out = run(pages, "p.txt", extraction_target="per_page", max_pages=1)
    assert [p["invoice_number"] for p in out.result] == ["A-1"]
    assert out.usage == {"num_pages_extracted": 1, "num_pages_billed": 1}
    with pytest.raises(DocumentError, match="target_pages"):
        run(pages, "p.txt", target_pages="3-1")
    with pytest.raises(DocumentError, match="target_pages"):
        run(pages, "p.txt", target_pages="first")


def test_tier_is_recorded() -> None:
    out = run(INVOICE_TXT, "invoice.txt", tier="agentic")
    assert out.metadata["parse_tier"] == "agentic"
    out = run(INVOICE_TXT, "invoice.txt", tier="agentic", parse_tier="fast")
    assert out.metadata["parse_tier"] == "fast"


def test_bad_documents_fail_with_a_clear_message() -> None:
    with pytest.raises(DocumentError):
        run(b"", "empty.pdf")
    with pytest.raises(DocumentError):
        run(b"\x00\x01garbage" * 100, "garbage.pdf")
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # a page with no text at all
    with pytest.raises(DocumentError, match="OCR"):
        run(bytes(pdf.output()), "scan.pdf")
    with pytest.raises(DocumentError, match="extraction_target"):
        run(INVOICE_TXT, "invoice.txt", extraction_target="per_word")
    with pytest.raises(DocumentError, match="data_schema"):
        extract(INVOICE_TXT, "invoice.txt", {"data_schema": {"type": "string"}})


def test_currency_taken_from_the_amounts_when_not_labelled() -> None:
    schema = {
        "type": "object",
        "properties": {
            "currency": {"type": "string", "enum": ["USD", "EUR", "GBP"]},
            "total": {"type": "number"},
        },
    }
    out = run(b"CORNER CAFE\nLatte  5.25\nTOTAL  $16.00\n", "r.txt", schema, cite_sources=True)
    assert out.result == {"currency": "USD", "total": 16.0}
    entry = out.metadata["field_metadata"]["document_metadata"]["currency"]
    assert entry["reasoning"] == "INFERRED FROM TEXT"
    assert entry["citation"][0]["matching_text"] == "TOTAL  $16.00"
    assert run(b"Total: 1,785.00\n", "r.txt", schema).result["currency"] is None


ODD_SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {}},
    {"type": "object"},
    {"type": "object", "properties": {"x": True, "y": {}}},
    {"type": "object", "properties": {"arr": {"type": "array"}}},
    {"type": "object", "properties": {"m": {"type": "array", "items": {"type": "array"}}}},
    {"type": "object", "properties": {"e": {"enum": [None, "a", 1]}}},
    {"type": "object", "properties": {"n": {"type": ["number", "null"]}, "s": {"type": "null"}}},
    {"type": "object", "properties": {"r": {"$ref": "#/$defs/missing"}}},
    {"type": "object", "properties": {"1": {"type": "string"}, "": {}, "__": {"type": "boolean"}}},
    {
        "type": "object",
        "properties": {
            "a": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "b": {"type": "array", "items": {"type": "object", "properties": {}}}
                    },
                },
            }
        },
    },
]


@pytest.mark.parametrize("schema", ODD_SCHEMAS)
@pytest.mark.parametrize("target", ["per_doc", "per_page", "per_table_row"])
def test_odd_schemas_extract_without_error(schema: dict[str, Any], target: str) -> None:
    out = run(INVOICE_TXT, "invoice.md", schema, extraction_target=target, cite_sources=True)
    keys = set(schema.get("properties", {}))
    objects = [out.result] if target == "per_doc" else out.result
    assert all(set(obj) == keys for obj in objects)
