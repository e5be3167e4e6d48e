"""Tables from PDF geometry (ruled and aligned) and from aligned plain text."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from llamaextract_nb.local.engine.document import Table
from llamaextract_nb.local.engine.parsers import parse

ITEMS = [
    ("Description", "Qty", "Unit Price", "Amount"),
    ("Blue widget, large", "2", "$1,200.00", "$2,400.00"),
    ("Red widget", "10", "$15.00", "$150.00"),
    ("Consulting services for the", "3", "$100.00", "$300.00"),
]


def cells(table: Table) -> list[list[str]]:
    return [[c.text for c in table.header]] + [[c.text for c in row] for row in table.rows]


def invoice_pdf(*, ruled: bool, header_on_page_two: bool | None = None) -> bytes:
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.set_xy(72, 72)
    pdf.cell(200, 14, "ACME Widgets Ltd")
    for offset, (label, value) in enumerate(
        [("Invoice Number:", "INV-1"), ("Date:", "12 May 2024")]
    ):
        pdf.set_xy(360, 72 + 16 * offset)
        pdf.cell(80, 14, label)
        pdf.cell(100, 14, value, align="R")
    border = 1 if ruled else 0

    def table(rows: list[tuple[str, ...]], top: float) -> None:
        pdf.set_xy(72, top)
        for row in rows:
            for index, (text, width) in enumerate(zip(row, (220, 50, 90, 90), strict=True)):
                pdf.cell(width, 18, text, border=border, align="L" if index == 0 else "R")
            pdf.ln()
            pdf.set_x(72)

    table(ITEMS, 150)
    pdf.cell(220, 12, "installation project")  # wraps below the last row, outside its cell
    pdf.ln()
    pdf.set_x(342)
    pdf.cell(90, 16, "Subtotal:", align="R")
    pdf.cell(90, 16, "$2,850.00", align="R")
    if header_on_page_two is not None:
        pdf.add_page()
        more = [("Green widget", "1", "$5.00", "$5.00"), ("Yellow widget", "4", "$2.50", "$10.00")]
        table([ITEMS[0], *more] if header_on_page_two else more, 72)
    return bytes(pdf.output())


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "aligned"])
def test_pdf_line_item_table(ruled: bool) -> None:
    doc = parse(invoice_pdf(ruled=ruled), "invoice.pdf", need_tables=True)
    (table,) = doc.tables
    description = "Consulting services for the" + ("" if ruled else " installation project")
    assert cells(table) == [*map(list, ITEMS[:3]), [description, "3", "$100.00", "$300.00"]]
    assert table.page == 1
    page = doc.pages[0]
    for cell in [*table.header, *(c for row in table.rows for c in row)]:
        assert cell.box is not None
        assert (
            0 < cell.box.x < cell.box.x1 < page.width and 0 < cell.box.y < cell.box.y1 < page.height
        )
    amount = table.rows[0][3].box
    assert amount is not None and amount.x1 > 500  # right-aligned in the last column


def test_tables_only_when_needed() -> None:
    assert parse(invoice_pdf(ruled=True), "invoice.pdf").tables == []


@pytest.mark.parametrize("repeated", [True, False], ids=["header-repeated", "no-header"])
def test_table_continued_on_page_two(repeated: bool) -> None:
    doc = parse(invoice_pdf(ruled=True, header_on_page_two=repeated), "x.pdf", need_tables=True)
    first, second = doc.tables
    assert (first.page, second.page) == (1, 2)
    rows = [["Green widget", "1", "$5.00", "$5.00"], ["Yellow widget", "4", "$2.50", "$10.00"]]
    # without a repeated header the first row stands in the header's place
    assert cells(second) == ([list(ITEMS[0])] if repeated else []) + rows


def test_label_value_blocks_and_lists_are_not_tables() -> None:
    text = b"""Invoice Number:   INV-9
Invoice Date:     12 May 2024
Due Date:         11 June 2024

(a)   the first obligation of the parties
(b)   the second obligation of the parties
(c)   the third obligation of the parties
"""
    assert parse(text, "notes.txt").tables == []


TEXT_INVOICE = b"""ACME Widgets Ltd                                INVOICE

Invoice Number:   INV-2024-001

Description                      Qty    Unit Price       Amount
Blue widget, large                 2     $1,200.00    $2,400.00
Red widget                        10        $15.00      $150.00
Consulting services for the        3       $100.00      $300.00
  installation project
                                        Subtotal:     $2,850.00
                                        Total:        $2,850.00
"""


def test_text_aligned_columns() -> None:
    doc = parse(TEXT_INVOICE, "invoice.txt")
    (table,) = doc.tables
    assert cells(table) == [
        ["Description", "Qty", "Unit Price", "Amount"],
        ["Blue widget, large", "2", "$1,200.00", "$2,400.00"],
        ["Red widget", "10", "$15.00", "$150.00"],
        ["Consulting services for the installation project", "3", "$100.00", "$300.00"],
    ]
    assert all(cell.box is None for row in table.rows for cell in row)
    lines = [line.text for line in doc.pages[0].lines]
    assert "Blue widget, large  2  $1,200.00  $2,400.00" in lines
