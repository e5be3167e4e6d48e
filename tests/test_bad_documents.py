"""Documents that cannot be read fail fast with a clear DocumentError, never a hang or crash."""

from __future__ import annotations

import contextlib
import io
import os
import time

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from PIL import Image

from llamaextract_nb.local.engine.document import DocumentError
from llamaextract_nb.local.engine.parsers import parse


def text_pdf(text: str = "Confidential agreement between ACME and Globex") -> bytes:
    pdf = FPDF(unit="pt", format="letter")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.set_xy(72, 72)
    pdf.cell(400, 14, text)
    return bytes(pdf.output())


def image_only_pdf(pages: int = 2) -> bytes:
    image = Image.new("RGB", (400, 200), "white")
    for x in range(40, 360, 8):  # a few "ink" strokes so the page is not blank
        image.paste((0, 0, 0), (x, 90, x + 4, 110))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(unit="pt", format="letter")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(buffer.getvalue()), x=72, y=72, w=400)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(200, 14, "Secret terms")
    return bytes(pdf.output())


def zero_page_pdf() -> bytes:
    pdf = pdfium.PdfDocument.new()
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data", [b"", b"   \n\n  "])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(DocumentError, match="empty"):
        parse(data, "contract.pdf")


def test_encrypted_pdf_asks_for_the_password() -> None:
    with pytest.raises(DocumentError, match="password"):
        parse(encrypted_pdf(), "secret.pdf")


def test_owner_password_only_pdf_is_readable() -> None:
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_encryption(owner_password="owner-secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(200, 14, "Printable terms")
    assert "Printable terms" in parse(bytes(pdf.output()), "terms.pdf").text


@pytest.mark.parametrize(
    "cut",
    [lambda data: data[: len(data) // 3], lambda data: data[:20] + b"\x00garbage" * 50],
    ids=["truncated", "mangled"],
)
def test_corrupt_pdf(cut: object) -> None:
    data = cut(text_pdf())  # type: ignore[operator]
    with pytest.raises(DocumentError, match=r"damaged|no text"):
        parse(data, "broken.pdf")


def test_binary_garbage_named_pdf() -> None:
    garbage = os.urandom(256 * 1024)
    with pytest.raises(DocumentError, match="binary data that is not a PDF"):
        parse(garbage, "invoice.pdf")


def test_garbage_behind_a_pdf_header_does_not_crash() -> None:
    for seed in range(20):
        data = b"%PDF-1.4\n" + os.urandom(2048 + seed * 512)
        with pytest.raises(DocumentError):
            parse(data, "fuzz.pdf")


def test_zero_page_pdf() -> None:
    with pytest.raises(DocumentError, match=r"without any pages|not a readable PDF"):
        parse(zero_page_pdf(), "empty.pdf")


def test_pdf_without_text_layer_is_read_by_ocr() -> None:
    start = time.perf_counter()
    document = parse(image_only_pdf(), "scan.pdf")
    assert [page.number for page in document.pages] == [1, 2]
    assert all(page.lines for page in document.pages)  # the strokes are read as letters
    assert time.perf_counter() - start < 60


def test_pdf_without_text_layer_and_without_ocr_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from llamaextract_nb.local.engine import ocr

    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # as if the extra were not installed
    with pytest.raises(DocumentError, match=r"needs OCR.*pip install 'llamaextract-nb\[ocr\]'"):
        parse(image_only_pdf(), "scan.pdf")


def test_zip_that_is_not_office() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(DocumentError, match="neither a Word"):
        parse(buffer.getvalue(), "report.docx")


def test_docx_name_on_plain_text() -> None:
    with pytest.raises(DocumentError, match="not a DOCX"):
        parse(b"hello there", "letter.docx")


def test_legacy_office_file() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(DocumentError, match="legacy Microsoft Office"):
        parse(data, "old.doc")


def hundred_thousand_rows(*, sized: bool) -> bytes:
    import openpyxl

    buffer = io.BytesIO()
    if sized:  # an ordinary workbook: its dimension record says A1:C100001
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["id", "name", "amount"])
        sheet.cell(100_001, 3, 1.5)
    else:  # streamed out without a dimension record: only reading finds the size
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Data")
        sheet.append(["id", "name", "amount"])
        for index in range(100_000):
            sheet.append([index, f"customer {index}", index * 1.5])
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "sized", [True, pytest.param(False, marks=pytest.mark.slow)], ids=["declared-size", "unsized"]
)
def test_hundred_thousand_row_sheet_fails_quickly_and_clearly(sized: bool) -> None:
    data = hundred_thousand_rows(sized=sized)
    start = time.perf_counter()
    with pytest.raises(DocumentError, match=r"at most 10,000 rows per table"):
        parse(data, "customers.xlsx")
    assert time.perf_counter() - start < (1 if sized else 20)


def test_hundred_thousand_row_csv_fails_quickly() -> None:
    data = "id,name\n" + "".join(f"{index},customer {index}\n" for index in range(100_000))
    start = time.perf_counter()
    with pytest.raises(DocumentError, match="more than 10,000 rows"):
        parse(data.encode(), "customers.csv")
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + os.urandom(64), "scan.png", "scan.png cannot be read as an image"),
        (b"\xff\xd8\xff\xe0" + os.urandom(64), "photo.pdf", "photo.pdf cannot be read as an image"),
        (b"GIF89a" + os.urandom(64), "anim.gif", "anim.gif is a GIF image; save it as PNG"),
        (b"{\\rtf1\\ansi Hello}", "letter.rtf", "RTF file"),
    ],
)
def test_unsupported_formats_are_named(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        parse(data, filename)


@pytest.mark.parametrize(
    ("member", "message"),
    [("ppt/presentation.xml", "PowerPoint"), ("mimetype", "OpenDocument")],
)
def test_other_office_packages_are_named(member: str, message: str) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "x")
    with pytest.raises(DocumentError, match=message):
        parse(buffer.getvalue(), "slides.bin")


def test_deeply_nested_html_parses() -> None:
    depth = 20_000
    data = b"<html><body>" + b"<div>" * depth + b"deep text" + b"</div>" * depth + b"</body></html>"
    assert "deep text" in parse(data, "deep.html").text


def test_drawing_with_thousands_of_strokes_reads_tables_quickly() -> None:
    pdf = FPDF(unit="pt", format="letter")
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    for index in range(12_000):  # a dense vector drawing (a map, a chart)
        x, y = 50 + (index * 7) % 500, 300 + (index * 13) % 400
        pdf.line(x, y, x + 3, y + (index % 5) + 3)
    for row in range(30):
        pdf.set_xy(50, 40 + 8 * row)
        pdf.cell(200, 8, f"Item {row} label text")
        pdf.cell(100, 8, f"{row * 10}.00", align="R")
    data = bytes(pdf.output())
    start = time.perf_counter()
    doc = parse(data, "drawing.pdf", need_tables=True)
    assert time.perf_counter() - start < 5
    assert "Item 29 label text" in doc.text


def test_xlsx_with_a_damaged_sheet() -> None:
    import zipfile

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Description", "Amount"])
    sheet.append(["Widget", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut the sheet's XML in half
            archive.writestr(info, data)
    with pytest.raises(DocumentError, match=r"sheet 'Sheet' of book\.xlsx cannot be read"):
        parse(damaged.getvalue(), "book.xlsx")


def test_mutated_samples_parse_or_fail_with_a_document_error() -> None:
    import random

    import llamaextract_nb.samples as samples

    rng = random.Random(7)
    for sample in samples.list():
        original = sample.read_bytes()
        for _ in range(15):
            data = bytearray(original)
            for _ in range(rng.randint(1, 30)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            if rng.random() < 0.3:
                data = data[: rng.randrange(1, len(data))]
            with contextlib.suppress(DocumentError):  # any other exception fails the test
                parse(bytes(data), sample.name, need_tables=True)


def test_selected_pages_without_text_are_named() -> None:
    from pypdfium2 import PdfDocument

    blank = FPDF(unit="pt", format="letter")
    blank.add_page()
    blank.rect(72, 72, 200, 100, style="F")  # drawn, but no text and no image to read
    merged = PdfDocument(bytes(blank.output()))
    merged.import_pages(PdfDocument(text_pdf()))
    buffer = io.BytesIO()
    merged.save(buffer)
    data = buffer.getvalue()
    assert "Confidential agreement" in parse(data, "mixed.pdf").text  # page 1 is just empty
    with pytest.raises(DocumentError, match=r"selected pages 1 of this PDF have no text"):
        parse(data, "mixed.pdf", pages={1})
