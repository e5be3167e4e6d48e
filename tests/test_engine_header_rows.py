"""Labels are never values (a row of labels above its values, a label next to the next
label), and an identifier is a code with digits."""

from __future__ import annotations

from typing import Any

import pytest
from fpdf import FPDF

from llamaextract_nb.local.engine import extract

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "Invoice or receipt number"},
        "invoice_date": {"type": "string", "format": "date", "description": "Date of issue"},
        "due_date": {"type": "string", "format": "date", "description": "Payment due date"},
    },
}


def run(data: bytes, filename: str) -> dict[str, Any]:
    result = extract(data, filename, {"data_schema": SCHEMA}).result
    assert isinstance(result, dict)
    return result


def invoice_page(seller: str) -> FPDF:
    """A page with the seller's name at its top."""
    pdf = FPDF(unit="pt", format="Letter")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.set_xy(50, 50)
    pdf.cell(300, 18, seller)
    return pdf


def header_row_pdf(labels: list[str], values: list[str]) -> bytes:
    """A band of columns: bold labels on one row, each value under its label."""
    pdf = invoice_page("Oakridge Print & Design Ltd")
    pdf.set_font("helvetica", "B", 18)
    pdf.set_xy(50, 110)
    pdf.cell(200, 22, "Invoice")
    for column, (label, value) in enumerate(zip(labels, values, strict=True)):
        pdf.set_font("helvetica", "B", 8)
        pdf.set_xy(50 + 170 * column, 140)
        pdf.cell(160, 10, label)
        pdf.set_font("helvetica", "", 10)
        pdf.set_xy(50 + 170 * column, 152)
        pdf.cell(160, 12, value)
    return bytes(pdf.output())


def label_column_pdf(pairs: list[tuple[str, str]]) -> bytes:
    """Labels in a column at the right, each value right-aligned beside its label, the first
    pair on the line of the seller's address."""
    pdf = invoice_page("Bluefin Software LLC")
    pdf.set_font("helvetica", "", 9)
    for offset, line in enumerate(["88 Harbor Way", "Seattle, WA 98101"]):
        pdf.set_xy(50, 72 + 12 * offset)
        pdf.cell(200, 10, line)
    for offset, (label, value) in enumerate(pairs):
        pdf.set_font("helvetica", "B", 10)
        pdf.set_xy(352, 82 + 15 * offset)
        pdf.cell(100, 12, label)
        pdf.set_font("helvetica", "", 10)
        pdf.set_xy(452, 82 + 15 * offset)
        pdf.cell(110, 12, value, align="R")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("labels", "number"),
    [
        (["INV #", "ISSUED", "DUE"], "NW/202472007"),
        (["INVOICE NO.", "DATE OF ISSUE", "PAYMENT DUE"], "202423301"),
        (["REFERENCE", "DATED", "PAY BY"], "F1707"),
    ],
)
def test_header_row_values_are_read_below_their_labels(labels: list[str], number: str) -> None:
    result = run(header_row_pdf(labels, [number, "21.06.2024", "21.07.2024"]), "invoice.pdf")
    assert result == {
        "invoice_number": number,
        "invoice_date": "2024-06-21",
        "due_date": "2024-07-21",
    }


def test_the_label_under_a_label_is_not_its_value() -> None:
    pairs = [("Inv #", "NW/202491203"), ("Issued", "19 Mar 2024"), ("Due", "02 Apr 2024")]
    result = run(label_column_pdf(pairs), "invoice.pdf")
    assert result == {
        "invoice_number": "NW/202491203",
        "invoice_date": "2024-03-19",
        "due_date": "2024-04-02",
    }


def test_header_row_in_plain_text() -> None:
    text = (
        "Kessler Maschinenbau GmbH\n\n"
        "INV #      ISSUED        PAY BY\n"
        "F1236      23.02.2024    08.04.2024\n"
    )
    result = run(text.encode(), "invoice.txt")
    assert result == {
        "invoice_number": "F1236",
        "invoice_date": "2024-02-23",
        "due_date": "2024-04-08",
    }


@pytest.mark.parametrize(("label", "number"), [("Reference", "F1236"), ("Inv #", "NW/202485311")])
def test_short_number_labels_in_plain_text(label: str, number: str) -> None:
    text = f"Kessler Maschinenbau GmbH\n{label}: {number}\nIssued: 23.02.2024\n"
    result = run(text.encode(), "invoice.txt")
    assert (result["invoice_number"], result["invoice_date"]) == (number, "2024-02-23")


def test_an_identifier_prefers_a_value_with_digits() -> None:
    text = "Kessler Maschinenbau GmbH\nInvoice #: Duplicate\nInv no 4711\n"
    assert run(text.encode(), "invoice.txt")["invoice_number"] == "4711"


@pytest.mark.parametrize(
    ("line", "number"),
    [("Bill # 55076", "55076"), ("Trans: 19178", "19178"), ("Ticket 71210", "71210")],
)
def test_a_description_naming_alternatives_brings_the_labels_of_each(
    line: str, number: str
) -> None:
    receipt = f"CORNER BAKERY CAFE\n221 Elm Street\n{line}\nDate: 03/02/2024\nTOTAL 8.75\n"
    assert run(receipt.encode(), "receipt.txt")["invoice_number"] == number
