"""Generate the sample documents shipped in ``llamaextract_nb/samples/data/``.

    .venv/bin/python scripts/make_samples.py [--out DIR]

Writes the same invoice as PDF, DOCX, HTML, XLSX and TXT (``invoice.*`` + ``invoice.json``),
a two-page invoice whose line-item table continues on page 2 without repeating its header
(``invoice-2page.pdf``), a till receipt (``receipt.pdf``) and a mutual NDA (``nda.pdf``).
Each ``<stem>.json`` holds the JSON schema to extract with, the true ``expected`` result
and the ``target``. Output is deterministic (fixed dates inside PDFs and Office zips), so
re-running the script changes nothing unless the content here changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import docx
import openpyxl
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from fpdf import FPDF
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

OUT = Path(__file__).resolve().parents[1] / "llamaextract_nb" / "samples" / "data"
FIXED_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Item:
    description: str
    quantity: int
    unit_price: float

    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


class Billed:
    """Totals of a document that lists items and adds tax at one rate."""

    items: tuple[Item, ...]
    tax_rate: float
    date_format: str  # strftime, e.g. "%B %d, %Y"

    @property
    def subtotal(self) -> float:
        return round(sum(item.amount for item in self.items), 2)

    @property
    def tax(self) -> float:
        return round(self.subtotal * self.tax_rate, 2)

    @property
    def total(self) -> float:
        return round(self.subtotal + self.tax, 2)

    def printed_date(self, value: dt.date) -> str:
        return value.strftime(self.date_format).replace(" 0", " ")


@dataclass(frozen=True)
class Invoice(Billed):
    vendor: str
    vendor_address: tuple[str, ...]
    vendor_contact: str
    number: str
    date: dt.date
    due: dt.date
    po_number: str
    currency: str
    symbol: str  # printed before amounts in the totals
    buyer: str
    buyer_address: tuple[str, ...]
    items: tuple[Item, ...]
    tax_rate: float
    date_format: str  # strftime, e.g. "%B %d, %Y"

    def header_pairs(self) -> list[tuple[str, str]]:
        return [
            ("Invoice Number:", self.number),
            ("Invoice Date:", self.printed_date(self.date)),
            ("Due Date:", self.printed_date(self.due)),
            ("PO Number:", self.po_number),
            ("Currency:", self.currency),
        ]

    def totals(self) -> list[tuple[str, str]]:
        return [
            ("Subtotal:", f"{self.symbol}{money(self.subtotal)}"),
            (f"Tax ({self.tax_rate:.0%}):", f"{self.symbol}{money(self.tax)}"),
            ("Total:", f"{self.symbol}{money(self.total)}"),
        ]


def money(value: float) -> str:
    return f"{value:,.2f}"


INVOICE = Invoice(
    vendor="Brightline Components Inc.",
    vendor_address=("2100 Foundry Street, Suite 300", "Austin, TX 78701"),
    vendor_contact="billing@brightline.example  |  (512) 555-0188",
    number="INV-2024-0317",
    date=dt.date(2024, 3, 12),
    due=dt.date(2024, 4, 11),
    po_number="PO-88213",
    currency="USD",
    symbol="$",
    buyer="Harbor Analytics Inc.",
    buyer_address=("450 Market Street, Suite 1200", "San Francisco, CA 94105"),
    items=(
        Item("Industrial sensor module SX-400", 12, 1250.00),
        Item("Mounting bracket kit", 40, 18.75),
        Item("On-site calibration service", 3, 420.00),
        Item("Extended warranty, 2 years", 12, 95.50),
    ),
    tax_rate=0.08,
    date_format="%B %d, %Y",
)

LAB_SUPPLIES = [
    "Nitrile gloves, box of 100",
    "Pipette tips 200 uL, rack of 96",
    "Centrifuge tubes 15 mL, pack of 50",
    "Centrifuge tubes 50 mL, pack of 25",
    "Petri dishes 90 mm, sleeve of 20",
    "Microscope slides, box of 72",
    "Cover glasses 22 x 22 mm",
    "Lab coat, size M",
    "Safety goggles",
    "Beaker 250 mL, borosilicate",
    "Beaker 1000 mL, borosilicate",
    "Erlenmeyer flask 500 mL",
    "Graduated cylinder 100 mL",
    "Magnetic stir bar set",
    "pH buffer solution kit",
    "Ethanol 70%, 5 L",
    "Distilled water, 20 L",
    "Parafilm roll, 4 in x 125 ft",
    "Cryogenic vials 2 mL, pack of 100",
    "Freezer box, 81 places",
    "Serological pipettes 10 mL",
    "Filter paper, grade 1, 125 mm",
    "Weighing boats, pack of 500",
    "Spatula set, stainless steel",
    "Wash bottle 500 mL",
    "Autoclave tape, 1 in",
    "Biohazard bags, pack of 200",
    "Sharps container 2 L",
]

TWO_PAGE_INVOICE = Invoice(
    vendor="Summit Lab Supply GmbH",
    vendor_address=("Industriestrasse 14", "80339 Munich, Germany"),
    vendor_contact="orders@summitlab.example  |  +49 89 5550 1200",
    number="SLS-24-01187",
    date=dt.date(2024, 1, 15),
    due=dt.date(2024, 2, 14),
    po_number="BIO-2024-007",
    currency="EUR",
    symbol="EUR ",
    buyer="Northgate Biosciences Ltd",
    buyer_address=("7 Cambridge Science Park", "Cambridge CB4 0FZ, United Kingdom"),
    items=tuple(
        Item(name, 1 + (index * 7) % 12, round(3.5 + ((index * 37) % 90) * 1.25, 2))
        for index, name in enumerate(LAB_SUPPLIES)
    ),
    tax_rate=0.19,
    date_format="%d %b %Y",
)


def invoice_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "vendor_name": {
                "type": "string",
                "description": "Name of the company that issued the invoice",
            },
            "invoice_number": {"type": "string", "description": "The invoice's identifier"},
            "invoice_date": {"type": "string", "format": "date", "description": "Date issued"},
            "due_date": {"type": "string", "format": "date", "description": "Payment due date"},
            "total_amount": {
                "type": "number",
                "description": "Total amount to pay, including tax",
            },
            "currency": {
                "type": "string",
                "enum": ["USD", "EUR", "GBP"],
                "description": "Currency of the amounts",
            },
            "buyer": {
                "type": "object",
                "description": "The customer billed",
                "properties": {
                    "name": {"type": "string", "description": "Customer company name"},
                    "address": {"type": "string", "description": "Customer billing address"},
                },
            },
            "line_items": {
                "type": "array",
                "description": "Goods and services billed",
                "items": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string", "description": "What was sold"},
                        "quantity": {"type": "integer", "description": "Number of units"},
                        "unit_price": {"type": "number", "description": "Price per unit"},
                        "amount": {"type": "number", "description": "Line total"},
                    },
                },
            },
        },
    }


def invoice_truth(invoice: Invoice, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "target": "per_doc",
        "schema": invoice_schema(),
        "expected": {
            "vendor_name": invoice.vendor,
            "invoice_number": invoice.number,
            "invoice_date": invoice.date.isoformat(),
            "due_date": invoice.due.isoformat(),
            "total_amount": invoice.total,
            "currency": invoice.currency,
            "buyer": {"name": invoice.buyer, "address": ", ".join(invoice.buyer_address)},
            "line_items": [
                {
                    "description": item.description,
                    "quantity": item.quantity,
                    "unit_price": item.unit_price,
                    "amount": item.amount,
                }
                for item in invoice.items
            ],
        },
    }


# --------------------------------------------------------------------------- PDF


class Pdf(FPDF):
    """fpdf2 with fixed metadata (reproducible bytes) and top-left helpers in points."""

    def __init__(self, width: float = 612, height: float = 792) -> None:
        super().__init__(unit="pt", format=(width, height))
        self.set_auto_page_break(False)
        self.set_creation_date(FIXED_TIME)
        self.set_producer("llamaextract-nb make_samples.py")
        self.set_margins(50, 50, 50)

    def text_at(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10,
        style: str = "",
        width: float = 0,
        align: str = "L",
        family: str = "helvetica",
    ) -> None:
        self.set_font(family, style, size)
        self.set_xy(x, y)
        self.cell(
            width or self.get_string_width(text) + 2 * self.c_margin, size * 1.3, text, align=align
        )


def invoice_header_pdf(pdf: Pdf, invoice: Invoice) -> float:
    """Vendor block, title, label/value pairs and Bill To; returns the y below them."""
    pdf.text_at(50, 50, invoice.vendor, size=16, style="B")
    for offset, line in enumerate((*invoice.vendor_address, invoice.vendor_contact)):
        pdf.text_at(50, 74 + 13 * offset, line, size=9)
    pdf.text_at(362, 48, "INVOICE", size=22, style="B", width=200, align="R")
    for offset, (label, value) in enumerate(invoice.header_pairs()):
        y = 82 + 15 * offset
        pdf.text_at(362, y, label, size=10, style="B", width=95)
        pdf.text_at(457, y, value, size=10, width=105, align="R")
    pdf.text_at(50, 170, "Bill To:", size=10, style="B")
    for offset, line in enumerate((invoice.buyer, *invoice.buyer_address)):
        pdf.text_at(50, 185 + 13 * offset, line, size=10)
    return 250


COLUMNS = (
    ("Description", 262, "L"),
    ("Qty", 50, "R"),
    ("Unit Price", 100, "R"),
    ("Amount", 100, "R"),
)


def item_table_pdf(
    pdf: Pdf, items: tuple[Item, ...], top: float, *, header: bool, symbol: str = ""
) -> float:
    """A ruled line-item table at ``top``; returns the y below it."""
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.6)
    y = top
    if header:
        pdf.set_font("helvetica", "B", 10)
        pdf.set_fill_color(225, 229, 235)
        pdf.set_xy(50, y)
        for title, width, align in COLUMNS:
            pdf.cell(width, 20, title, border=1, align=align, fill=True)
        y += 20
    pdf.set_font("helvetica", "", 10)
    for item in items:
        pdf.set_xy(50, y)
        values = (
            item.description,
            str(item.quantity),
            money(item.unit_price),
            f"{symbol}{money(item.amount)}",
        )
        for value, (_, width, align) in zip(values, COLUMNS, strict=True):
            pdf.cell(width, 18, value, border=1, align=align)
        y += 18
    return y


def totals_pdf(pdf: Pdf, invoice: Invoice, top: float) -> float:
    for offset, (label, value) in enumerate(invoice.totals()):
        style = "B" if label == "Total:" else ""
        pdf.text_at(362, top + 16 * offset, label, size=10, style=style, width=100, align="R")
        pdf.text_at(462, top + 16 * offset, value, size=10, style=style, width=100, align="R")
    return top + 16 * len(invoice.totals())


def invoice_pdf(invoice: Invoice) -> bytes:
    pdf = Pdf()
    pdf.add_page()
    y = invoice_header_pdf(pdf, invoice)
    y = item_table_pdf(pdf, invoice.items, y, header=True)
    y = totals_pdf(pdf, invoice, y + 12)
    notes = (
        "Payment terms: Net 30 days. Please reference the invoice number with your payment.",
        "Bank transfer: First Capital Bank, account 0042 7781 09, routing 111 000 025.",
        "Thank you for your business!",
    )
    for offset, note in enumerate(notes):
        pdf.text_at(50, y + 30 + 14 * offset, note, size=9)
    return bytes(pdf.output())


def two_page_invoice_pdf(invoice: Invoice) -> bytes:
    """Page 1: header and the first rows; page 2: the rest (header not repeated), totals."""
    first_page_rows = 20
    pdf = Pdf()
    pdf.add_page()
    y = invoice_header_pdf(pdf, invoice)
    item_table_pdf(pdf, invoice.items[:first_page_rows], y, header=True)
    pdf.text_at(50, 752, f"{invoice.vendor}  -  Invoice {invoice.number}", size=8)
    pdf.text_at(462, 752, "Page 1 of 2", size=8, width=100, align="R")
    pdf.add_page()
    pdf.text_at(50, 50, f"Invoice {invoice.number} (continued)", size=10, style="B")
    y = item_table_pdf(pdf, invoice.items[first_page_rows:], 80, header=False)
    y = totals_pdf(pdf, invoice, y + 12)
    pdf.text_at(50, y + 30, "Payment terms: 30 days net. Reverse charge does not apply.", size=9)
    pdf.text_at(50, 752, f"{invoice.vendor}  -  Invoice {invoice.number}", size=8)
    pdf.text_at(462, 752, "Page 2 of 2", size=8, width=100, align="R")
    return bytes(pdf.output())


RECEIPT_LINES: list[tuple[str, str]] = [
    ("Croissant x2", "7.00"),
    ("Latte (large)", "5.25"),
    ("Blueberry muffin", "3.75"),
]


def receipt() -> tuple[bytes, dict[str, Any]]:
    """A narrow till receipt in a monospaced font."""
    pdf = Pdf(width=226, height=420)
    pdf.add_page()

    def line(
        y: float, left: str, right: str = "", *, center: bool = False, bold: bool = False
    ) -> None:
        style = "B" if bold else ""
        if center:
            pdf.text_at(12, y, left, size=9, style=style, width=202, align="C", family="courier")
            return
        pdf.text_at(12, y, left, size=9, style=style, family="courier")
        if right:
            pdf.text_at(112, y, right, size=9, style=style, width=102, align="R", family="courier")

    y = 20.0
    for text in (
        "CORNER BAKERY CAFE",
        "221 Elm Street",
        "Portland, OR 97205",
        "Tel: (503) 555-0142",
    ):
        line(y, text, center=True, bold=text.isupper())
        y += 13
    y += 8
    line(y, "Date: 07/14/2024", "Time: 08:42")
    line(y + 13, "Receipt #: 004512", "Till 2")
    y += 34
    line(y, "-" * 33)
    y += 13
    for name, price in RECEIPT_LINES:
        line(y, name, price)
        y += 13
    line(y, "-" * 33)
    y += 13
    for label, value in (("Subtotal", "16.00"), ("Tax", "0.00")):
        line(y, label, value)
        y += 13
    line(y, "TOTAL", "$16.00", bold=True)
    y += 13
    line(y, "VISA ****4821", "16.00")
    y += 26
    line(y, "Thank you, come again!", center=True)
    truth = {
        "description": "A cafe till receipt (narrow page, monospaced), SROIE-style fields.",
        "target": "per_doc",
        "schema": {
            "type": "object",
            "properties": {
                "company": {"type": "string", "description": "Name of the shop"},
                "address": {"type": "string", "description": "Address of the shop"},
                "date": {"type": "string", "format": "date", "description": "Date of purchase"},
                "total": {"type": "number", "description": "Total amount paid"},
            },
        },
        "expected": {
            "company": "CORNER BAKERY CAFE",
            "address": "221 Elm Street, Portland, OR 97205",
            "date": "2024-07-14",
            "total": 16.0,
        },
    }
    return bytes(pdf.output()), truth


NDA_PARAGRAPHS = [
    (
        "",
        'This Mutual Non-Disclosure Agreement (the "Agreement") is entered into as of June 3, '
        '2024 (the "Effective Date") by and between Harbor Analytics Inc., a Delaware '
        "corporation with offices at 450 Market Street, San Francisco, California 94105 "
        '("Harbor"), and Brightline Components Inc., a Texas corporation with offices at 2100 '
        'Foundry Street, Austin, Texas 78701 ("Brightline"). Harbor and Brightline are each '
        'referred to as a "Party" and together as the "Parties".',
    ),
    (
        "1. Purpose.",
        "The Parties wish to evaluate a possible business relationship concerning the supply "
        'of sensor hardware and analytics services (the "Purpose"). In connection with the '
        "Purpose, each Party may disclose Confidential Information to the other Party.",
    ),
    (
        "2. Confidential Information.",
        '"Confidential Information" means all non-public information disclosed by a Party '
        '(the "Disclosing Party") to the other Party (the "Receiving Party"), whether orally '
        "or in writing, that is designated as confidential or that reasonably should be "
        "understood to be confidential given the nature of the information and the "
        "circumstances of disclosure, including product plans, designs, pricing, customer "
        "lists and source code.",
    ),
    (
        "3. Obligations.",
        "The Receiving Party shall use the Confidential Information solely for the Purpose, "
        "shall not disclose it to any third party other than its employees and advisers who "
        "need to know it for the Purpose and are bound by obligations of confidentiality no "
        "less protective than this Agreement, and shall protect it with at least the degree "
        "of care it uses for its own confidential information, and no less than reasonable "
        "care.",
    ),
    (
        "4. Exclusions.",
        "These obligations do not apply to information that (a) is or becomes publicly "
        "available through no fault of the Receiving Party; (b) was rightfully known to the "
        "Receiving Party before disclosure; (c) is independently developed without use of the "
        "Confidential Information; or (d) is rightfully received from a third party without a "
        "duty of confidentiality.",
    ),
    (
        "5. Term.",
        "This Agreement shall remain in effect for a period of three (3) years from the "
        "Effective Date. The obligations of confidentiality shall survive any expiration or "
        "termination of this Agreement for two (2) years.",
    ),
    (
        "6. Return of Materials.",
        "Upon the Disclosing Party's written request, the Receiving Party shall promptly "
        "return or destroy all Confidential Information and certify the destruction in "
        "writing.",
    ),
    (
        "7. Governing Law.",
        "This Agreement shall be governed by and construed in accordance with the laws of the "
        "State of California, without regard to its conflict of laws principles. The courts "
        "located in San Francisco County shall have exclusive jurisdiction over any dispute "
        "arising out of this Agreement.",
    ),
    (
        "8. Miscellaneous.",
        "This Agreement is the entire agreement of the Parties on its subject matter and may "
        "be amended only in a writing signed by both Parties. Neither Party may assign this "
        "Agreement without the prior written consent of the other Party.",
    ),
]


def nda() -> tuple[bytes, dict[str, Any]]:
    pdf = Pdf()
    pdf.set_auto_page_break(True, margin=72)
    pdf.add_page()
    pdf.set_font("times", "B", 14)
    pdf.set_xy(72, 72)
    pdf.cell(468, 18, "MUTUAL NON-DISCLOSURE AGREEMENT", align="C")
    pdf.set_margins(72, 72, 72)
    pdf.set_xy(72, 110)
    pdf.set_font("times", "", 11)
    for title, body in NDA_PARAGRAPHS:
        text = f"**{title}** {body}" if title else body
        pdf.multi_cell(0, 15, text, align="J", markdown=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
    pdf.add_page()
    pdf.set_font("times", "", 11)
    pdf.set_xy(72, 72)
    pdf.multi_cell(
        468,
        15,
        "IN WITNESS WHEREOF, the Parties have executed this Agreement as of the Effective Date.",
        align="J",
    )
    signatures = [
        ("HARBOR ANALYTICS INC.", "Dana Whitfield", "Chief Executive Officer"),
        ("BRIGHTLINE COMPONENTS INC.", "Marcus Oyelaran", "VP, Business Development"),
    ]
    for column, (company, name, title) in enumerate(signatures):
        x = 72 + 252 * column
        pdf.text_at(x, 130, company, size=11, style="B", family="times")
        pdf.text_at(x, 170, "By: ______________________________", size=11, family="times")
        pdf.text_at(x, 188, f"Name: {name}", size=11, family="times")
        pdf.text_at(x, 206, f"Title: {title}", size=11, family="times")
        pdf.text_at(x, 224, "Date: June 3, 2024", size=11, family="times")
    truth = {
        "description": "A two-page mutual NDA (Kleister-NDA style fields).",
        "target": "per_doc",
        "schema": {
            "type": "object",
            "properties": {
                "effective_date": {
                    "type": "string",
                    "format": "date",
                    "description": "Date the agreement takes effect",
                },
                "jurisdiction": {
                    "type": "string",
                    "description": "State or country whose law governs the agreement",
                },
                "parties": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Every party to the agreement",
                },
                "term": {
                    "type": "string",
                    "description": 'How long the agreement lasts, e.g. "3 years"',
                },
            },
        },
        "expected": {
            "effective_date": "2024-06-03",
            "jurisdiction": "California",
            "parties": ["Harbor Analytics Inc.", "Brightline Components Inc."],
            "term": "3 years",
        },
    }
    return bytes(pdf.output()), truth


# --------------------------------------------------------------------------- Office, HTML, text


def invoice_docx(invoice: Invoice) -> bytes:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    vendor = document.add_paragraph()
    run = vendor.add_run(invoice.vendor)
    run.bold = True
    run.font.size = Pt(16)
    for line in (*invoice.vendor_address, invoice.vendor_contact):
        document.add_paragraph(line)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    title_run = title.add_run("INVOICE")
    title_run.bold = True
    title_run.font.size = Pt(20)
    for label, value in invoice.header_pairs():
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run("\t" + value)
    document.add_paragraph().add_run("Bill To:").bold = True
    for line in (invoice.buyer, *invoice.buyer_address):
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, (name, _, _) in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    for item in invoice.items:
        row = table.add_row().cells
        values = (item.description, str(item.quantity), money(item.unit_price), money(item.amount))
        for cell, value in zip(row, values, strict=True):
            cell.text = value
    document.add_paragraph()
    for label, value in invoice.totals():
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run(f"{label}\t{value}").bold = label == "Total:"
    document.add_paragraph(
        "Payment terms: Net 30 days. Please reference the invoice number with your payment."
    )
    document.add_paragraph("Thank you for your business!")
    properties = document.core_properties
    properties.created = properties.modified = properties.last_printed = FIXED_TIME.replace(
        tzinfo=None
    )
    properties.author = properties.last_modified_by = "llamaextract-nb"
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue())


def invoice_xlsx(invoice: Invoice) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Invoice"
    bold = Font(bold=True)
    thin = Side(style="thin", color="808080")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet["B1"] = invoice.vendor
    sheet["B1"].font = Font(bold=True, size=16)
    for offset, line in enumerate((*invoice.vendor_address, invoice.vendor_contact)):
        sheet.cell(2 + offset, 2, line)
    sheet["E1"] = "INVOICE"
    sheet["E1"].font = Font(bold=True, size=18)
    row = 6
    for label, value in invoice.header_pairs():
        sheet.cell(row, 2, label).font = bold
        cell = sheet.cell(row, 3)
        if label in ("Invoice Date:", "Due Date:"):
            cell.value = dt.datetime.combine(
                invoice.date if label == "Invoice Date:" else invoice.due, dt.time()
            )
            cell.number_format = "mmmm d, yyyy"
        else:
            cell.value = value
        cell.alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    sheet.cell(row, 2, "Bill To:").font = bold
    for line in (invoice.buyer, *invoice.buyer_address):
        row += 1
        sheet.cell(row, 2, line)
    row += 2
    header_fill = PatternFill("solid", fgColor="E1E5EB")
    for column, (name, _, _) in enumerate(COLUMNS, start=2):
        cell = sheet.cell(row, column, name)
        cell.font, cell.fill, cell.border = bold, header_fill, grid
    for item in invoice.items:
        row += 1
        values = (item.description, item.quantity, item.unit_price, item.amount)
        for column, item_value in enumerate(values, start=2):
            cell = sheet.cell(row, column, item_value)
            cell.border = grid
            if column >= 4:
                cell.number_format = "#,##0.00"
    row += 1
    for label, amount in (
        ("Subtotal:", invoice.subtotal),
        (f"Tax ({invoice.tax_rate:.0%}):", invoice.tax),
        ("Total:", invoice.total),
    ):
        row += 1
        sheet.cell(row, 4, label).font = Font(bold=label == "Total:")
        cell = sheet.cell(row, 5, amount)
        cell.number_format = '"$"#,##0.00'
        cell.font = Font(bold=label == "Total:")
    sheet.column_dimensions["B"].width = 36
    for letter in "CDE":
        sheet.column_dimensions[letter].width = 16
    workbook.properties.created = workbook.properties.modified = FIXED_TIME.replace(tzinfo=None)
    workbook.properties.creator = workbook.properties.lastModifiedBy = "llamaextract-nb"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(buffer.getvalue())


def invoice_html(invoice: Invoice) -> str:
    e = html.escape
    pairs = "\n".join(
        f'      <div class="pair"><span class="label">{e(label)}</span> '
        f'<span class="value">{e(value)}</span></div>'
        for label, value in invoice.header_pairs()
    )
    rows = "\n".join(
        f'        <tr><td>{e(item.description)}</td><td class="num">{item.quantity}</td>'
        f'<td class="num">{money(item.unit_price)}</td>'
        f'<td class="num">{money(item.amount)}</td></tr>'
        for item in invoice.items
    )
    totals = "\n".join(
        f'    <p class="total"><span class="label">{e(label)}</span> {e(value)}</p>'
        for label, value in invoice.totals()
    )
    vendor_lines = "<br>\n      ".join(
        e(line) for line in (*invoice.vendor_address, invoice.vendor_contact)
    )
    buyer_lines = "<br>\n      ".join(e(line) for line in invoice.buyer_address)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Invoice {e(invoice.number)}</title>
  <style>
    body {{ font-family: Arial, sans-serif; font-size: 14px; margin: 40px; }}
    .top {{ display: flex; justify-content: space-between; }}
    .pair {{ display: flex; justify-content: space-between; width: 300px; }}
    .label {{ font-weight: bold; }}
    table {{ border-collapse: collapse; width: 100%; margin-top: 24px; }}
    th, td {{ border: 1px solid #888; padding: 4px 8px; }}
    th {{ background: #e1e5eb; text-align: left; }}
    .num {{ text-align: right; }}
    .total {{ text-align: right; margin: 4px 0; }}
  </style>
  <script>window.analytics = {{ page: "invoice" }};</script>
</head>
<body>
  <div class="top">
    <div class="vendor">
      <h2>{e(invoice.vendor)}</h2>
      <p>
      {vendor_lines}
      </p>
    </div>
    <div class="meta">
      <h1>INVOICE</h1>
{pairs}
    </div>
  </div>
  <div class="bill-to">
    <p class="label">Bill To:</p>
    <p>{e(invoice.buyer)}<br>
      {buyer_lines}</p>
  </div>
  <table>
    <thead>
      <tr><th>Description</th><th>Qty</th><th>Unit Price</th><th>Amount</th></tr>
    </thead>
    <tbody>
{rows}
    </tbody>
  </table>
  <div class="totals">
{totals}
  </div>
  <p>Payment terms: Net 30 days. Please reference the invoice number with your payment.</p>
  <p>Thank you for your business!</p>
</body>
</html>
"""


def invoice_txt(invoice: Invoice) -> str:
    width = 78
    lines = [
        invoice.vendor.ljust(width - 7) + "INVOICE",
        *invoice.vendor_address,
        invoice.vendor_contact,
        "",
    ]
    lines += [f"{label:<18}{value}" for label, value in invoice.header_pairs()]
    lines += ["", "Bill To:", invoice.buyer, *invoice.buyer_address, ""]
    row = "{:<38}{:>6}{:>16}{:>18}"
    lines.append(row.format("Description", "Qty", "Unit Price", "Amount"))
    lines.append("-" * width)
    for item in invoice.items:
        lines.append(
            row.format(item.description, item.quantity, money(item.unit_price), money(item.amount))
        )
    lines.append("-" * width)
    lines += [f"{label:>60}{value:>18}" for label, value in invoice.totals()]
    lines += [
        "",
        "Payment terms: Net 30 days. Please reference the invoice number with your",
        "payment. Thank you for your business!",
        "",
    ]
    return "\n".join(lines)


def reproducible_zip(data: bytes) -> bytes:
    """The same zip with fixed member times and fixed document-property dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>2024-01-01T00:00:00Z\g<3>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return buffer.getvalue()


# --------------------------------------------------------------------------- evaluation sets
#
# Two folders of documents with truth for evaluating schemas (``lx.samples.folder(...)``):
# ``invoices/`` and ``receipts/``. Each document ``<stem>.pdf`` has its truth in
# ``<stem>.json`` beside it (the Truth folder format: the expected extracted data, nothing
# else); ``_set.json`` describes the set and holds a reference schema. Layouts, label
# wordings, date formats and currencies vary from document to document.

SET_VENDORS = [
    ("Brightline Components Inc.", ("2100 Foundry Street, Suite 300", "Austin, TX 78701")),
    ("Northwind Traders Ltd", ("14 Wharf Road", "Bristol BS1 4RN, United Kingdom")),
    ("Kessler Maschinenbau GmbH", ("Industriestrasse 22", "70565 Stuttgart, Germany")),
    ("Bluefin Software LLC", ("88 Harbor Way", "Seattle, WA 98101")),
    ("Atelier Lumiere SARL", ("5 Rue des Lilas", "69003 Lyon, France")),
    ("Greenfield Office Supply Co.", ("410 Maple Avenue", "Columbus, OH 43215")),
    ("Redwood Analytics Inc.", ("1 Market Plaza, Floor 9", "San Francisco, CA 94105")),
    ("Oakridge Print & Design Ltd", ("Unit 7, Riverside Park", "Leeds LS10 1AB, United Kingdom")),
    ("Vantage Logistics BV", ("Havenstraat 31", "3011 Rotterdam, Netherlands")),
    ("Copperleaf Catering LLC", ("72 Union Street", "Boston, MA 02108")),
    ("Summit Cloud Services Inc.", ("900 Pine Street", "Denver, CO 80202")),
    ("Meridian Medical Supplies Ltd", ("3 Carrow Way", "Norwich NR1 2DD, United Kingdom")),
]
SET_BUYERS = [
    ("Harbor Analytics Inc.", "450 Market Street, Suite 1200, San Francisco, CA 94105"),
    ("Lakeside Dental Group", "19 Shore Drive, Madison, WI 53703"),
    ("Pinecrest Academy", "2 School Lane, Oxford OX1 3BG, United Kingdom"),
    ("Helios Solar AG", "Sonnenweg 4, 8004 Zurich, Switzerland"),
]
SET_PRODUCTS = [
    ("Consulting hours", 150.0),
    ("Annual software licence", 1200.0),
    ("Printer toner, black", 64.5),
    ("Copy paper A4, 5 reams", 23.9),
    ("Network switch 24-port", 389.0),
    ("Installation service", 240.0),
    ("Ergonomic office chair", 315.0),
    ("Standing desk frame", 449.0),
    ("Event catering per guest", 38.5),
    ("Delivery and handling", 45.0),
    ("Brochure print run (500)", 610.0),
    ("Logo design package", 850.0),
    ("Cloud storage 1 TB / month", 19.99),
    ("Support plan, monthly", 99.0),
    ("Disposable gloves, box", 7.25),
    ("Surgical masks, pack of 50", 12.4),
]
INVOICE_LABELS = [
    # number, issue date, due date, subtotal, tax, total, table header
    ("Invoice Number:", "Invoice Date:", "Due Date:", "Subtotal:", "Tax", "Total:",
     ("Description", "Qty", "Unit Price", "Amount")),
    ("Invoice No.", "Date of issue", "Payment due", "Net amount", "VAT", "Amount due",
     ("Item", "Quantity", "Rate", "Total")),
    ("Reference", "Dated", "Pay by", "Sub-total", "Sales tax", "Balance due",
     ("Product", "Units", "Price", "Line total")),
    ("Inv #", "Issued", "Due", "Net", "GST", "Grand Total",
     ("Service", "Hours", "Unit cost", "Sum")),
]  # fmt: skip
DATE_FORMATS = ["%B %d, %Y", "%d.%m.%Y", "%Y-%m-%d", "%d %b %Y", "%b %d, %Y", "%d %B %Y"]
CURRENCIES = [("USD", "$"), ("EUR", "EUR "), ("GBP", "\u00a3")]


@dataclass(frozen=True)
class SetDocument(Billed):
    """One document of an evaluation set and what it says."""

    kind: str  # "invoice" or "receipt"
    stem: str
    vendor: str
    vendor_address: tuple[str, ...]
    number: str
    issued: dt.date
    due: dt.date | None
    currency: str
    symbol: str
    items: tuple[Item, ...]
    tax_rate: float
    date_format: str
    labels: tuple[Any, ...]
    layout: int
    buyer: tuple[str, str] | None = None

    def truth(self) -> dict[str, Any]:
        return {
            "vendor_name": self.vendor,
            "invoice_number": self.number,
            "invoice_date": self.issued.isoformat(),
            "due_date": self.due.isoformat() if self.due else None,
            "total_amount": self.total,
            "tax": self.tax,
            "currency": self.currency,
            "line_items": [
                {"description": i.description, "quantity": i.quantity, "amount": i.amount}
                for i in self.items
            ],
        }


def set_invoices() -> list[SetDocument]:
    import random

    rng = random.Random(13)
    documents = []
    for index in range(12):
        vendor, address = SET_VENDORS[index]
        currency, symbol = CURRENCIES[index % 3]
        issued = dt.date(2024, 1, 8) + dt.timedelta(days=23 * index + rng.randrange(5))
        products = rng.sample(SET_PRODUCTS, 2 + index % 4)
        items = tuple(Item(name, rng.randrange(1, 15), price) for name, price in products)
        prefix = ["INV-", "", "F", "NW/"][index % 4]
        documents.append(
            SetDocument(
                kind="invoice",
                stem=f"invoice-{index + 1:02d}",
                vendor=vendor,
                vendor_address=address,
                number=f"{prefix}{2024}{rng.randrange(100, 999)}{index:02d}"
                if index % 2
                else f"{prefix}{rng.randrange(1000, 9999)}",
                issued=issued,
                due=issued + dt.timedelta(days=(14, 30, 45)[index % 3]),
                currency=currency,
                symbol=symbol,
                items=items,
                tax_rate=(0.08, 0.2, 0.19, 0.0)[index % 4],
                date_format=DATE_FORMATS[index % len(DATE_FORMATS)],
                labels=INVOICE_LABELS[index % len(INVOICE_LABELS)],
                layout=index % 3,
                buyer=SET_BUYERS[index % len(SET_BUYERS)],
            )
        )
    return documents


RECEIPT_STORES = [
    ("CORNER BAKERY CAFE", ("221 Elm Street", "Portland, OR 97205")),
    ("GREEN GROCER MARKET", ("18 High Street", "Cambridge CB2 1LA")),
    ("PIXEL ELECTRONICS", ("500 Tech Blvd", "San Jose, CA 95110")),
    ("CAFE AMELIE", ("12 Rue Cler", "75007 Paris")),
    ("HARDWARE DEPOT", ("77 Mill Road", "Dayton, OH 45402")),
    ("THE BOOK NOOK", ("3 Castle Street", "Edinburgh EH2 3AH")),
    ("FRESHMART", ("9 Station Road", "Reading RG1 1LG")),
    ("SUNRISE PHARMACY", ("1402 Ocean Ave", "Santa Monica, CA 90401")),
    ("BERGER BACKSTUBE", ("Hauptstrasse 5", "10115 Berlin")),
    ("QUICKFUEL 24", ("Route 9 Exit 4", "Albany, NY 12205")),
]
RECEIPT_ITEMS = [
    ("Croissant", 3.5), ("Latte large", 5.25), ("Bananas 1kg", 1.89), ("USB-C cable", 12.99),
    ("Espresso", 2.8), ("Paperback novel", 9.99), ("Milk 2L", 2.35), ("Ibuprofen 200mg", 6.49),
    ("Rye bread", 4.2), ("Unleaded 40.2 L", 68.7), ("AA batteries 8pk", 8.79),
    ("Screws assorted", 5.6), ("Notebook A5", 3.95), ("Orange juice", 3.1),
]  # fmt: skip
RECEIPT_LABELS = [
    # number, date, subtotal, tax, total
    ("Receipt #:", "Date:", "Subtotal", "Tax", "TOTAL"),
    ("Trans:", "Date/Time:", "Sub Total", "VAT", "Total due"),
    ("Order No:", "", "Net", "Sales tax", "AMOUNT PAID"),
    ("Ticket", "Dated", "Subtotal", "GST", "Balance"),
    ("Bill #", "Date:", "Items total", "Tax incl.", "Grand total"),
]  # fmt: skip


def set_receipts() -> list[SetDocument]:
    import random

    rng = random.Random(31)
    documents = []
    for index in range(10):
        store, address = RECEIPT_STORES[index]
        currency, symbol = CURRENCIES[(0, 2, 0, 1, 0, 2, 2, 0, 1, 0)[index]]
        products = rng.sample(RECEIPT_ITEMS, 2 + index % 4)
        items = tuple(
            Item(name, 1 + (index + k) % 3 // 2, price) for k, (name, price) in enumerate(products)
        )
        documents.append(
            SetDocument(
                kind="receipt",
                stem=f"receipt-{index + 1:02d}",
                vendor=store,
                vendor_address=address,
                number=f"{rng.randrange(1000, 99999):05d}",
                issued=dt.date(2024, 2, 1) + dt.timedelta(days=17 * index + rng.randrange(3)),
                due=None,
                currency=currency,
                symbol=symbol,
                items=items,
                tax_rate=(0.0, 0.2, 0.0725, 0.1, 0.05)[index % 5],
                date_format=["%m/%d/%Y", "%d.%m.%Y", "%d %b %Y", "%Y-%m-%d", "%b %d %Y"][index % 5],
                labels=RECEIPT_LABELS[index % len(RECEIPT_LABELS)],
                layout=index % 2,
            )
        )
    return documents


def set_invoice_pdf(doc: SetDocument) -> bytes:
    number_label, date_label, due_label, sub_label, tax_label, total_label, header = doc.labels
    pdf = Pdf()
    pdf.add_page()
    pairs = [
        (number_label, doc.number),
        (date_label, doc.printed_date(doc.issued)),
        (due_label, doc.printed_date(doc.due) if doc.due else ""),
    ]
    pdf.text_at(50, 50, doc.vendor, size=15, style="B")
    for offset, line in enumerate(doc.vendor_address):
        pdf.text_at(50, 72 + 12 * offset, line, size=9)
    buyer_name, buyer_address = doc.buyer or ("", "")
    if doc.layout == 0:  # title right, label/value pairs right, Bill To left
        pdf.text_at(362, 48, "INVOICE", size=20, style="B", width=200, align="R")
        for offset, (label, value) in enumerate(pairs):
            pdf.text_at(352, 80 + 15 * offset, label, size=10, style="B", width=100)
            pdf.text_at(452, 80 + 15 * offset, value, size=10, width=110, align="R")
        pdf.text_at(50, 140, "Bill To:", size=10, style="B")
        pdf.text_at(50, 154, buyer_name, size=10)
        pdf.text_at(50, 167, buyer_address, size=9)
        top = 205
    elif doc.layout == 1:  # labels above their values in a band of columns
        pdf.text_at(50, 110, "Invoice", size=18, style="B")
        for column, (label, value) in enumerate(pairs):
            x = 50 + 170 * column
            pdf.text_at(x, 140, label.rstrip(":").upper(), size=8, style="B")
            pdf.text_at(x, 152, value, size=10)
        pdf.text_at(50, 180, f"Customer: {buyer_name}, {buyer_address}", size=9)
        top = 210
    else:  # "Label: value" lines in one column under a centred title
        pdf.text_at(50, 100, "TAX INVOICE", size=16, style="B", width=512, align="C")
        for offset, (label, value) in enumerate(pairs):
            text = f"{label.rstrip(':')}: {value}" if label else value
            pdf.text_at(50, 130 + 14 * offset, text, size=10)
        pdf.text_at(330, 130, "Billed to", size=9, style="B")
        pdf.text_at(330, 143, buyer_name, size=9)
        pdf.text_at(330, 156, buyer_address, size=8)
        top = 195
    widths = (262, 60, 95, 95)
    pdf.set_font("helvetica", "B", 10)
    pdf.set_fill_color(225, 229, 235)
    pdf.set_xy(50, top)
    border: Literal[0, 1] | str = 1 if doc.layout != 2 else "B"  # a frame, or a rule below
    for title, width in zip(header, widths, strict=True):
        pdf.cell(
            width, 18, title, border=border, align="L" if width > 200 else "R", fill=doc.layout == 0
        )
    y = top + 18
    pdf.set_font("helvetica", "", 10)
    for item in doc.items:
        pdf.set_xy(50, y)
        cells = (item.description, str(item.quantity), money(item.unit_price), money(item.amount))
        for value, width in zip(cells, widths, strict=True):
            pdf.cell(
                width,
                17,
                value,
                border=1 if doc.layout != 2 else 0,
                align="L" if width > 200 else "R",
            )
        y += 17
    y += 14
    totals = [
        (sub_label, doc.subtotal),
        (f"{tax_label} {doc.tax_rate:.0%}", doc.tax),
        (total_label, doc.total),
    ]
    for offset, (label, amount) in enumerate(totals):
        style = "B" if label == total_label else ""
        pdf.text_at(
            342,
            y + 15 * offset,
            label.rstrip(":") + ":",
            size=10,
            style=style,
            width=120,
            align="R",
        )
        pdf.text_at(
            462,
            y + 15 * offset,
            f"{doc.symbol}{money(amount)}",
            size=10,
            style=style,
            width=100,
            align="R",
        )
    pdf.text_at(50, y + 70, f"All amounts in {doc.currency}. Thank you for your business.", size=8)
    return bytes(pdf.output())


def set_receipt_pdf(doc: SetDocument) -> bytes:
    number_label, date_label, sub_label, tax_label, total_label = doc.labels
    height = 260 + 13 * len(doc.items)
    pdf = Pdf(width=226, height=height)
    pdf.add_page()
    family = "courier" if doc.layout == 0 else "helvetica"

    def line(
        y: float, left: str, right: str = "", *, center: bool = False, bold: bool = False
    ) -> None:
        style = "B" if bold else ""
        if center:
            pdf.text_at(12, y, left, size=9, style=style, width=202, align="C", family=family)
            return
        pdf.text_at(12, y, left, size=9, style=style, family=family)
        if right:
            pdf.text_at(112, y, right, size=9, style=style, width=102, align="R", family=family)

    y = 18.0
    line(y, doc.vendor, center=True, bold=True)
    for text in doc.vendor_address:
        y += 12
        line(y, text, center=True)
    y += 22
    printed = doc.printed_date(doc.issued)
    if date_label:
        line(y, f"{date_label} {printed}".strip(), "12:41" if doc.layout else "")
    else:
        line(y, printed, "12:41")
    y += 12
    line(y, f"{number_label} {doc.number}")
    y += 14
    line(y, "-" * 33 if doc.layout == 0 else "")
    for item in doc.items:
        y += 12
        name = item.description if item.quantity == 1 else f"{item.quantity} x {item.description}"
        line(y, name, money(item.amount))
    y += 14
    line(y, f"{sub_label}", money(doc.subtotal))
    y += 12
    line(y, f"{tax_label} {doc.tax_rate:.2%}".replace(".00%", "%"), money(doc.tax))
    y += 12
    line(y, total_label, f"{doc.symbol}{money(doc.total)}", bold=True)
    y += 12
    line(y, ("VISA ****4821", "CASH", "MASTERCARD ****0193")[len(doc.number) % 3], money(doc.total))
    y += 24
    line(y, "Thank you!", center=True)
    return bytes(pdf.output())


def evaluation_schema() -> dict[str, Any]:
    """The reference schema of the evaluation sets: the truth's field names."""
    return {
        "type": "object",
        "properties": {
            "vendor_name": {
                "type": "string",
                "description": "Business that issued the invoice or receipt",
            },
            "invoice_number": {"type": "string", "description": "Invoice or receipt number"},
            "invoice_date": {"type": "string", "format": "date", "description": "Date issued"},
            "due_date": {
                "type": "string",
                "format": "date",
                "description": "Payment due date; receipts have none",
            },
            "total_amount": {"type": "number", "description": "Total to pay, tax included"},
            "tax": {"type": "number", "description": "Tax amount: VAT, GST, sales tax"},
            "currency": {
                "type": "string",
                "enum": ["USD", "EUR", "GBP"],
                "description": "Currency of the amounts",
            },
            "line_items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "description": {
                            "type": "string",
                            "description": "Item, product or service",
                        },
                        "quantity": {"type": "integer", "description": "Number of units"},
                        "amount": {"type": "number", "description": "Line total"},
                    },
                },
            },
        },
    }


def evaluation_sets() -> dict[str, bytes]:
    """``invoices/...`` and ``receipts/...`` file names -> bytes."""
    files: dict[str, bytes] = {}
    for folder, documents, render, description in (
        ("invoices", set_invoices(), set_invoice_pdf,
         "12 invoices: three layouts, four label wordings, six date formats, USD/EUR/GBP."),
        ("receipts", set_receipts(), set_receipt_pdf,
         "10 till receipts: monospaced and proportional, five label wordings and date formats."),
    ):  # fmt: skip
        files[f"{folder}/_set.json"] = as_json(
            {"description": description, "target": "per_doc", "schema": evaluation_schema()}
        )
        for doc in documents:
            files[f"{folder}/{doc.stem}.pdf"] = render(doc)
            files[f"{folder}/{doc.stem}.json"] = as_json(doc.truth())
    return files


# --------------------------------------------------------------------------- main


def build() -> dict[str, bytes]:
    """Every sample file name -> its bytes."""
    files: dict[str, bytes] = {}
    files["invoice.pdf"] = invoice_pdf(INVOICE)
    files["invoice.docx"] = invoice_docx(INVOICE)
    files["invoice.xlsx"] = invoice_xlsx(INVOICE)
    files["invoice.html"] = invoice_html(INVOICE).encode()
    files["invoice.txt"] = invoice_txt(INVOICE).encode()
    files["invoice.json"] = as_json(
        invoice_truth(
            INVOICE, "One invoice as PDF, DOCX, HTML, XLSX and TXT (same content in each)."
        )
    )
    files["invoice-2page.pdf"] = two_page_invoice_pdf(TWO_PAGE_INVOICE)
    files["invoice-2page.json"] = as_json(
        invoice_truth(
            TWO_PAGE_INVOICE,
            "A two-page invoice: the line-item table continues on page 2 without its header.",
        )
    )
    files["receipt.pdf"], receipt_truth = receipt()
    files["receipt.json"] = as_json(receipt_truth)
    files["nda.pdf"], nda_truth = nda()
    files["nda.json"] = as_json(nda_truth)
    files.update(evaluation_sets())
    return files


def as_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (args.out / name).parent.mkdir(parents=True, exist_ok=True)
        (args.out / name).write_bytes(data)
        print(f"{name:<22} {len(data):>8,} bytes")


if __name__ == "__main__":
    main()
