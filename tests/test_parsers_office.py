"""DOCX, XLSX, CSV and HTML parsing: body order, tables, displayed cell values."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest

from llamaextract_nb.local.engine.document import Document, DocumentError, Table
from llamaextract_nb.local.engine.parsers import parse
from llamaextract_nb.local.engine.parsers.cellformat import display_text


def cells(table: Table) -> list[list[str]]:
    return [[c.text for c in table.header]] + [[c.text for c in row] for row in table.rows]


def texts(doc: Document) -> list[str]:
    return [line.text for page in doc.pages for line in page.lines]


def make_docx() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "ACME Widgets Ltd"
    document.add_heading("Invoice", level=1)
    document.add_paragraph("Invoice Number:\tINV-2024-001")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [("Description", "Qty", "Amount"), ("Blue widget", "2", "$1,200.00"), ("", "", "")],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    merged = table.rows[2].cells[0].merge(table.rows[2].cells[1])
    merged.text = "Total"
    table.rows[2].cells[2].text = "$1,200.00"
    paragraph = document.add_paragraph("Thank you")
    paragraph.add_run().add_break()
    paragraph.add_run("for your business.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_keeps_body_order_and_tables() -> None:
    doc = parse(make_docx(), "invoice.docx")
    assert doc.kind == "docx" and not doc.has_geometry and len(doc.pages) == 1
    assert texts(doc) == [
        "ACME Widgets Ltd",
        "Invoice",
        "Invoice Number:  INV-2024-001",
        "Description | Qty | Amount",
        "Blue widget | 2 | $1,200.00",
        "Total | $1,200.00",
        "Thank you",
        "for your business.",
    ]
    (table,) = doc.tables
    assert cells(table) == [
        ["Description", "Qty", "Amount"],
        ["Blue widget", "2", "$1,200.00"],
        ["Total", "$1,200.00", ""],
    ]


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Items"
    sheet.append(["Description", "Qty", "Unit price", "Date"])
    sheet.append(["Blue widget", 2, 1200.5, dt.datetime(2024, 3, 12)])
    sheet.append(["Red widget", 10, -15.25, dt.datetime(2024, 4, 1)])
    for row in (2, 3):
        sheet.cell(row, 3).number_format = '"$"#,##0.00;("$"#,##0.00)'
        sheet.cell(row, 4).number_format = "d mmmm yyyy"
    sheet.append([None, None, None, None])
    summary = workbook.create_sheet("Summary")
    summary.append(["Total", "=SUM(Items!C2:C3)"])
    summary.append(["Tax rate", 0.2])
    summary.cell(2, 2).number_format = "0%"
    workbook.create_sheet("Empty")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_every_sheet_is_a_named_table_of_displayed_values() -> None:
    doc = parse(make_xlsx(), "items.xlsx")
    assert doc.kind == "xlsx" and not doc.has_geometry
    items, summary = doc.tables
    assert items.name == "Items" and summary.name == "Summary"
    assert cells(items) == [
        ["Description", "Qty", "Unit price", "Date"],
        ["Blue widget", "2", "$1,200.50", "12 March 2024"],
        ["Red widget", "10", "($15.25)", "1 April 2024"],
    ]
    # formulas without a cached value (never opened in Excel) read as empty
    assert cells(summary) == [["Total", ""], ["Tax rate", "20%"]]
    assert "Blue widget | 2 | $1,200.50 | 12 March 2024" in texts(doc)


def test_xlsx_form_layout_sheet_gives_lines_and_an_item_table() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Invoice"
    sheet["B1"] = "ACME Widgets Ltd"
    sheet["B2"] = "1 Main Street"
    sheet["B4"], sheet["C4"] = "Invoice Number:", "INV-7"
    sheet["B5"], sheet["C5"] = "Invoice Date:", dt.datetime(2024, 3, 12)
    sheet["C5"].number_format = "mmmm d, yyyy"
    for row, values in enumerate([("Description", "Qty", "Amount"), ("Widget", 2, 2400)], 7):
        for column, value in enumerate(values, 2):
            sheet.cell(row, column, value)
    sheet["D8"].number_format = "#,##0.00"
    sheet["C10"], sheet["D10"] = "Total:", 2400
    buffer = io.BytesIO()
    workbook.save(buffer)
    doc = parse(buffer.getvalue(), "invoice.xlsx")
    (table,) = doc.tables
    assert table.name == "Invoice"
    assert cells(table) == [["Description", "Qty", "Amount"], ["Widget", "2", "2,400.00"]]
    assert texts(doc) == [
        "ACME Widgets Ltd",
        "1 Main Street",
        "Invoice Number: | INV-7",
        "Invoice Date: | March 12, 2024",
        "Description | Qty | Amount",
        "Widget | 2 | 2,400.00",
        "Total: | 2400",
    ]


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (1200.0, "General", "1200"),
        (0.30000000000000004, "General", "0.3"),
        (1234.5, "#,##0.00", "1,234.50"),
        (-1234.5, "#,##0.00", "-1,234.50"),
        (1234.5, "[$€-407] #,##0.00", "€ 1,234.50"),
        (1234.5, '#,##0.00 "EUR"', "1,234.50 EUR"),
        (0.175, "0.0%", "17.5%"),
        (dt.datetime(2024, 3, 12, 14, 5), "yyyy-mm-dd hh:mm", "2024-03-12 14:05"),
        (dt.datetime(2024, 3, 12), "mm/dd/yy", "03/12/24"),
        (dt.datetime(2024, 3, 12), "General", "2024-03-12"),
        (True, "General", "TRUE"),
        (None, "General", ""),
    ],
)
def test_cell_display_text(value: object, number_format: str, shown: str) -> None:
    assert display_text(value, number_format) == shown


def test_csv_is_one_table_with_a_header() -> None:
    data = "Description;Qty;Amount\r\nBlue widget;2;1.200,00\r\n\r\nRed widget;1;80,00\r\n"
    doc = parse(data.encode(), "items.csv")
    assert doc.kind == "csv"
    (table,) = doc.tables
    assert cells(table) == [
        ["Description", "Qty", "Amount"],
        ["Blue widget", "2", "1.200,00"],
        ["Red widget", "1", "80,00"],
    ]
    assert texts(doc)[0] == "Description | Qty | Amount"


def test_single_column_csv_is_lines() -> None:
    doc = parse(b"name\nAlice\nBob\n", "names.csv")
    assert texts(doc) == ["name", "Alice", "Bob"] and doc.tables == []


HTML = b"""<!DOCTYPE html>
<html><head><title>Ignored title</title><style>p {color: red}</style>
<script>var secret = "do not read";</script></head>
<body>
<header><h1>ACME <b>Widgets</b> Ltd</h1></header>
<p>Invoice Number: INV-7<br>Invoice Date: 12 March 2024</p>
<div style="display: none">hidden total 999</div>
<p hidden>also hidden</p>
<table>
  <thead><tr><th>Description</th><th>Qty</th><th>Amount</th></tr></thead>
  <tbody>
    <tr><td>Blue <i>widget</i></td><td>2</td><td>$1,200.00</td></tr>
    <tr><td colspan="2">Total</td><td>$1,200.00</td></tr>
  </tbody>
</table>
<table><tr><td>Layout only</td></tr></table>
<ul><li>First note</li><li>Second note</li></ul>
<!-- a comment -->
</body></html>"""


def test_html_visible_text_in_block_order_and_tables() -> None:
    doc = parse(HTML, "invoice.html")
    assert doc.kind == "html"
    assert texts(doc) == [
        "ACME Widgets Ltd",
        "Invoice Number: INV-7",
        "Invoice Date: 12 March 2024",
        "Description | Qty | Amount",
        "Blue widget | 2 | $1,200.00",
        "Total | $1,200.00",
        "Layout only",
        "First note",
        "Second note",
    ]
    (table,) = doc.tables
    assert cells(table)[2] == ["Total", "", "$1,200.00"]
    assert "secret" not in doc.text and "hidden" not in doc.text and "Ignored" not in doc.text


def test_office_formats_have_one_page() -> None:
    with pytest.raises(DocumentError, match="has 1 page"):
        parse(HTML, "invoice.html", pages={2})
    assert len(parse(HTML, "invoice.html", pages={1, 2}).pages) == 1


def test_damaged_docx_and_xlsx() -> None:
    data = make_docx()
    with pytest.raises(DocumentError, match="DOCX"):
        parse(data[: len(data) // 2], "broken.docx")
    data = make_xlsx()
    with pytest.raises(DocumentError, match="damaged"):
        parse(data[: len(data) // 2], "broken.xlsx")


TEXT_BOX_RUN = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    ' xmlns:v="urn:schemas-microsoft-com:vml"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
    "<w:txbxContent><w:p><w:r><w:t>Invoice Number: INV-9</w:t></w:r></w:p></w:txbxContent>"
    "</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
    "<w:txbxContent><w:p><w:r><w:t>Invoice Number: INV-9</w:t></w:r></w:p></w:txbxContent>"
    "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
)


def test_docx_text_boxes_are_read_once() -> None:
    from docx.oxml import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("ACME Widgets Ltd")
    paragraph._p.append(parse_xml(TEXT_BOX_RUN))
    buffer = io.BytesIO()
    document.save(buffer)
    assert texts(parse(buffer.getvalue(), "boxed.docx")) == [
        "ACME Widgets Ltd",
        "Invoice Number: INV-9",
    ]


def test_html_declared_charset_is_honoured() -> None:
    page = '<html><head><meta charset="iso-8859-7"></head><body><p>Σύνολο: 5 €</p></body></html>'
    doc = parse(page.encode("iso-8859-7"), "greek.html")
    assert texts(doc) == ["Σύνολο: 5 €"]


def test_html_layout_tables_are_read_as_blocks() -> None:
    page = b"""<html><body>
<table role="presentation"><tr><td><b>ACME Widgets Ltd</b></td><td>INVOICE</td></tr></table>
<table width="100%"><tr>
  <td><table>
    <tr><td>Invoice Number:</td><td>INV-7</td></tr>
    <tr><td>Invoice Date:</td><td>12 March 2024</td></tr>
  </table></td>
  <td><table>
    <tr><th>Description</th><th>Amount</th></tr>
    <tr><td>Widget</td><td>$5.00</td></tr>
    <tr><td>Gadget</td><td>$7.00</td></tr>
  </table></td>
</tr></table>
</body></html>"""
    doc = parse(page, "email.html")
    (table,) = doc.tables  # only the item table: the others arrange the page
    assert cells(table) == [["Description", "Amount"], ["Widget", "$5.00"], ["Gadget", "$7.00"]]
    assert texts(doc) == [
        "ACME Widgets Ltd  INVOICE",
        "Invoice Number:  INV-7",
        "Invoice Date:  12 March 2024",
        "Description | Amount",
        "Widget | $5.00",
        "Gadget | $7.00",
    ]
