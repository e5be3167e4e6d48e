"""One invoice written as DOCX, HTML and XLSX: the engine reads the same values from each."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from docx import Document as Docx

from llamaextract_nb.local.engine import extract

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vendor_name": {"type": "string", "description": "Company that issued the invoice"},
        "customer_name": {"type": "string", "description": "Who is billed"},
        "invoice_number": {"type": "string"},
        "invoice_date": {"type": "string", "format": "date"},
        "due_date": {"type": "string", "format": "date"},
        "subtotal": {"type": "number"},
        "tax": {"type": "number"},
        "total_amount": {"type": "number"},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "quantity": {"type": "number"},
                    "unit_price": {"type": "number"},
                    "amount": {"type": "number"},
                },
            },
        },
    },
}
EXPECTED = {
    "vendor_name": "Acme Industrial Supplies GmbH",
    "customer_name": "Beta Retail Ltd",
    "invoice_number": "INV-2026-0412",
    "invoice_date": "2026-04-02",
    "due_date": "2026-05-02",
    "subtotal": 1500.0,
    "tax": 285.0,
    "total_amount": 1785.0,
    "line_items": [
        {"description": "Hydraulic hose, 2 m", "quantity": 10, "unit_price": 45.0, "amount": 450.0},
        {"description": "On-site installation", "quantity": 1, "unit_price": 1050.0,
         "amount": 1050.0},
    ],
}  # fmt: skip
FIELDS = [
    ("Invoice number", "INV-2026-0412"),
    ("Invoice date", "2026-04-02"),
    ("Due date", "2026-05-02"),
    ("Bill to", "Beta Retail Ltd"),
]
HEADER = ("Description", "Qty", "Unit price", "Amount")
ROWS = [
    ("Hydraulic hose, 2 m", "10", "45.00", "450.00"),
    ("On-site installation", "1", "1,050.00", "1,050.00"),
]
TOTALS = [("Subtotal", "EUR 1,500.00"), ("VAT (19%)", "EUR 285.00"), ("Total due", "EUR 1,785.00")]


def docx_invoice() -> bytes:
    doc = Docx()
    doc.add_heading("Acme Industrial Supplies GmbH", 1)
    doc.add_paragraph("Hauptstrasse 5, 10115 Berlin, Germany")
    fields = doc.add_table(rows=len(FIELDS), cols=2)
    for i, (key, value) in enumerate(FIELDS):
        fields.cell(i, 0).text, fields.cell(i, 1).text = key, value
    items = doc.add_table(rows=1 + len(ROWS), cols=4)
    for i, row in enumerate([HEADER, *ROWS]):
        for j, text in enumerate(row):
            items.cell(i, j).text = text
    for key, value in TOTALS:
        doc.add_paragraph(f"{key}: {value}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def html_invoice() -> bytes:
    fields = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in FIELDS)
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    totals = "".join(f"<p><b>{k}:</b> {v}</p>" for k, v in TOTALS)
    return (
        "<html><body><h1>Acme Industrial Supplies GmbH</h1>"
        "<p>Hauptstrasse 5, 10115 Berlin, Germany</p>"
        f"<table>{fields}</table><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        f"</table>{totals}</body></html>"
    ).encode()


def xlsx_invoice() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Acme Industrial Supplies GmbH"])
    sheet.append(["Hauptstrasse 5, 10115 Berlin, Germany"])
    sheet.append([])
    for key, value in FIELDS:
        sheet.append([key, value])
    sheet.append([])
    sheet.append(list(HEADER))
    for text, qty, price, amount in ROWS:
        sheet.append([text, float(qty), float(price.replace(",", "")),
                      float(amount.replace(",", ""))])  # fmt: skip
    sheet.append([])
    for key, value in TOTALS:
        sheet.append(["", "", key, float(value.split()[1].replace(",", ""))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("invoice.docx", docx_invoice),
        ("invoice.html", html_invoice),
        ("invoice.xlsx", xlsx_invoice),
    ],
)
def test_same_invoice_in_every_format(name: str, make: Any) -> None:
    out = extract(make(), name, {"data_schema": SCHEMA, "cite_sources": True})
    assert out.result == EXPECTED
    entries = out.metadata["field_metadata"]["document_metadata"]
    cited = entries["invoice_number"]["citation"][0]
    assert cited["page"] == 1 and "INV-2026-0412" in cited["matching_text"]
    assert "bounding_boxes" not in cited  # no geometry outside PDFs
