"""PDF parsing: geometry in top-left points, reading order, page selection, rotation."""

from __future__ import annotations

import io
import itertools

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from llamaextract_nb.local.engine.document import Document, DocumentError, Line
from llamaextract_nb.local.engine.parsers import parse

LOREM = (
    "the quick brown fox jumps over the lazy dog while the committee reviews every "
    "clause of the agreement and the parties sign each page of the final version"
)


def make_pdf(draw: object, pages: int = 1, size: str | tuple[int, int] = "letter") -> bytes:
    pdf = FPDF(unit="pt", format=size)
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=11)
    for number in range(1, pages + 1):
        pdf.add_page()
        draw(pdf, number)  # type: ignore[operator]
    return bytes(pdf.output())


def find_line(doc: Document, needle: str) -> Line:
    for page in doc.pages:
        for line in page.lines:
            if needle in line.text:
                return line
    raise AssertionError(f"{needle!r} not in {[line.text for p in doc.pages for line in p.lines]}")


def invoice_header(pdf: FPDF, number: int) -> None:
    pdf.set_xy(72, 72)
    pdf.cell(200, 14, "ACME Widgets Ltd")
    pdf.set_xy(360, 100)
    pdf.cell(80, 14, "Invoice Date:")
    pdf.cell(100, 14, "12 March 2024", align="R")
    pdf.set_xy(72, 300)
    pdf.cell(200, 14, f"Page {number} footer text")


def test_geometry_is_points_with_top_left_origin() -> None:
    doc = parse(make_pdf(invoice_header), "invoice.pdf")
    assert doc.kind == "pdf" and doc.has_geometry and doc.has_text_layer
    page = doc.pages[0]
    assert (round(page.width), round(page.height)) == (612, 792)
    title = find_line(doc, "ACME Widgets Ltd")
    assert title.box is not None
    assert 72 <= title.box.x < 77 and 70 < title.box.y < 84  # near the top, not the bottom
    footer = find_line(doc, "footer text")
    assert footer.box is not None and footer.box.y > title.box.y + 200
    for line in page.lines:
        for word in line.words:
            assert word.box is not None
            assert 0 <= word.box.x < word.box.x1 <= page.width
            assert 0 <= word.box.y < word.box.y1 <= page.height


@pytest.mark.parametrize("size", ["A4", (400, 1121)])
def test_page_size_inherited_from_the_page_tree_is_used(size: str | tuple[int, int]) -> None:
    # fpdf2 declares the MediaBox once on the page tree; PDFium's plain crop box then
    # falls back to US Letter, which would shift every box and misstate page_dimensions.
    doc = parse(make_pdf(invoice_header, size=size), "receipt.pdf")
    page = doc.pages[0]
    expected = (595, 842) if size == "A4" else size
    assert (round(page.width), round(page.height)) == expected
    title = find_line(doc, "ACME Widgets Ltd")
    assert title.box is not None and 70 < title.box.y < 84
    assert all(w.box is not None and w.box.y >= 0 for line in page.lines for w in line.words)


def test_label_and_right_aligned_value_share_one_line() -> None:
    doc = parse(make_pdf(invoice_header), "invoice.pdf")
    line = find_line(doc, "Invoice Date:")
    assert [word.text for word in line.words] == ["Invoice", "Date:", "12", "March", "2024"]
    assert line.text == "Invoice Date:  12 March 2024"  # the wide gap is marked
    date_box = line.words[2].box
    assert date_box is not None and date_box.x > 440  # right-aligned in its cell


def test_word_boxes_cover_their_text() -> None:
    doc = parse(make_pdf(invoice_header), "invoice.pdf")
    line = find_line(doc, "ACME")
    boxes = [word.box for word in line.words]
    assert all(box is not None for box in boxes)
    for left, right in itertools.pairwise(boxes):
        assert left is not None and right is not None
        assert left.x1 < right.x  # a space apart, in reading order
        assert abs(left.y - right.y) < 0.5 and abs(left.h - right.h) < 0.5
    ltd = boxes[2]
    assert ltd is not None and 12 < ltd.w < 22  # "Ltd" at 11 pt is about 16 pt wide


def two_columns(pdf: FPDF, number: int) -> None:
    pdf.set_xy(72, 60)
    pdf.cell(400, 14, "Two Column Report Title")
    words = LOREM.split()

    def band(first: int, count: int, top: float) -> None:
        for index in range(first, first + count):
            chunk = " ".join(words[(index * 4) % 20 : (index * 4) % 20 + 5])
            for x, side in ((72, "L"), (330, "R")):
                pdf.set_xy(x, top + (index - first) * 14)
                pdf.cell(220, 14, f"{side}{index} {chunk}")

    band(0, 8, 100)
    pdf.set_xy(72, 230)
    pdf.cell(470, 14, "Middle heading written across the whole width of the page body")
    band(8, 5, 260)


def test_two_column_prose_is_read_column_by_column() -> None:
    doc = parse(make_pdf(two_columns), "report.pdf")
    starts = [line.text.split()[0] for line in doc.pages[0].lines]
    assert starts == [
        "Two",
        *(f"L{i}" for i in range(8)),
        *(f"R{i}" for i in range(8)),
        "Middle",
        *(f"L{i}" for i in range(8, 13)),
        *(f"R{i}" for i in range(8, 13)),
    ]


def table_rows(pdf: FPDF, number: int) -> None:
    pdf.set_xy(72, 80)
    for row in (["Description", "Qty", "Amount"], ["Blue widget", "2", "$1,200.00"]):
        for text, width in zip(row, (200, 60, 100), strict=False):
            pdf.cell(width, 16, text, border=1)
        pdf.ln()
        pdf.set_x(72)
    for index in range(6):
        pdf.cell(200, 16, f"Item number {index} of the order", border=1)
        pdf.cell(60, 16, str(index + 1), border=1)
        pdf.cell(100, 16, f"${index},000.00", border=1)
        pdf.ln()
        pdf.set_x(72)


def test_table_rows_stay_whole_lines() -> None:
    doc = parse(make_pdf(table_rows), "table.pdf")
    texts = [line.text for line in doc.pages[0].lines]
    assert texts[0].split() == ["Description", "Qty", "Amount"]
    assert texts[1].split() == ["Blue", "widget", "2", "$1,200.00"]
    assert len(texts) == 8


def test_pages_and_max_pages() -> None:
    data = make_pdf(invoice_header, pages=4)
    assert [p.number for p in parse(data, "x.pdf").pages] == [1, 2, 3, 4]
    assert [p.number for p in parse(data, "x.pdf", pages={2, 4}).pages] == [2, 4]
    assert [p.number for p in parse(data, "x.pdf", max_pages=2).pages] == [1, 2]
    assert [p.number for p in parse(data, "x.pdf", pages={3, 4}, max_pages=1).pages] == [3]
    assert "Page 3 footer" in parse(data, "x.pdf", pages={3}).text
    with pytest.raises(DocumentError, match="has 4 pages"):
        parse(data, "x.pdf", pages={9})


def rotate(data: bytes, degrees: int) -> bytes:
    pdf = pdfium.PdfDocument(data)
    pdf[0].set_rotation(degrees)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    return buffer.getvalue()


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotated_pages_use_displayed_coordinates(degrees: int) -> None:
    doc = parse(rotate(make_pdf(invoice_header), degrees), "rotated.pdf")
    page = doc.pages[0]
    if degrees == 180:
        assert (round(page.width), round(page.height)) == (612, 792)
    else:
        assert (round(page.width), round(page.height)) == (792, 612)
    line = find_line(doc, "ACME Widgets Ltd")  # still one line, words in reading order
    assert [word.text for word in line.words] == ["ACME", "Widgets", "Ltd"]
    for word in (w for ln in page.lines for w in ln.words):
        assert word.box is not None
        assert word.box.x >= -0.5 and word.box.x1 <= page.width + 0.5
        assert word.box.y >= -0.5 and word.box.y1 <= page.height + 0.5
    # the displayed position of the title, rotated with the page
    assert line.box is not None
    title_x, title_y = line.box.x + line.box.w / 2, line.box.y + line.box.h / 2
    expected = {90: (792 - 78, 150), 180: (612 - 150, 792 - 78), 270: (78, 612 - 150)}[degrees]
    assert abs(title_x - expected[0]) < 30 and abs(title_y - expected[1]) < 80


def handmade_pdf(content: bytes, to_unicode: bytes) -> bytes:
    """A one-page PDF in Helvetica (standard encoding) with a ToUnicode map, by hand."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /StandardEncoding"
        b" /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(to_unicode), to_unicode),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_soft_hyphens_go_and_ligatures_are_letters() -> None:
    # code \255 is shown as a hyphen but maps to U+00AD (a soft hyphen); \256 is the "fi"
    # ligature glyph of the standard encoding
    to_unicode = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Soft def"
        b" 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <AD> <00AD>"
        b" endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    content = b"BT /F1 12 Tf 72 700 Td (confi\\255dential and \\256nal of\\256ce) Tj ET"
    doc = parse(handmade_pdf(content, to_unicode), "soft.pdf")
    assert doc.text == "confidential and final office"
    first = doc.pages[0].lines[0].words[0]
    assert first.box is not None and 72 <= first.box.x < 73
    assert 78 < first.box.y < 92 < first.box.y1  # the baseline (y = 792 - 700) is inside


def test_a_word_whose_characters_jump_lines_is_cut_there() -> None:
    from llamaextract_nb.local.engine.parsers.pdf import _split_word

    # "exam" at the end of one line, "ple" at the start of the next (user space, y up)
    boxes = [(500.0 + 6 * i, 700.0, 506.0 + 6 * i, 712.0) for i in range(4)]
    boxes += [(72.0 + 6 * i, 686.0, 78.0 + 6 * i, 698.0) for i in range(3)]
    pieces = _split_word("example", range(7), lambda index: boxes[index])
    assert pieces == [(500.0, 700.0, 524.0, 712.0, "exam"), (72.0, 686.0, 90.0, 698.0, "ple")]


def test_word_hyphenated_across_lines_stays_as_printed() -> None:
    def draw(pdf: FPDF, number: int) -> None:
        pdf.set_xy(72, 72)
        pdf.cell(300, 14, "the information is strictly confiden-")
        pdf.set_xy(72, 86)
        pdf.cell(300, 14, "tial and must not be shared")

    doc = parse(make_pdf(draw), "hyphen.pdf")
    first, second = doc.pages[0].lines
    assert first.text == "the information is strictly confiden-"
    assert second.text == "tial and must not be shared"
    assert first.box is not None and second.box is not None and second.box.y > first.box.y1 - 1


def test_letters_split_by_pdfium_but_printed_together_are_one_word() -> None:
    from llamaextract_nb.local.engine.document import Box, Word
    from llamaextract_nb.local.engine.parsers.layout import build_lines

    def item(text: str, x: float, w: float) -> tuple[float, float, float, float, Word]:
        return (x, 100.0, x + w, 111.0, Word(text, Box(x, 100.0, w, 11.0)))

    letters = [item(char, 72.0 + 7 * i, 7.0) for i, char in enumerate("ACME,")]
    (line,) = build_lines([*letters, item("INC.", 110.0, 24.0), item("Ltd", 137.0, 16.0)])
    assert [word.text for word in line.words] == ["ACME,", "INC.", "Ltd"]
    assert line.text == "ACME, INC. Ltd"
    assert line.words[0].box == Box(72.0, 100.0, 35.0, 11.0)


def test_a_large_heading_does_not_swallow_the_small_lines_beside_it() -> None:
    def draw(pdf: FPDF, number: int) -> None:
        pdf.set_font("helvetica", "B", 28)
        pdf.set_xy(380, 40)
        pdf.cell(180, 34, "INVOICE", align="R")
        pdf.set_font("helvetica", "", 9)
        for index, text in enumerate(["ACME Widgets Ltd", "1 Main Street", "Phone: 555-0100"]):
            pdf.set_xy(50, 40 + 11 * index)
            pdf.cell(200, 11, text)
        pdf.set_font("helvetica", "", 10)
        pdf.set_xy(50, 100)
        pdf.cell(128, 12, "Text with a footnote")
        pdf.set_font("helvetica", "", 6)
        pdf.set_xy(pdf.get_x() - 2, 98)
        pdf.cell(6, 8, "1")
        pdf.set_font("helvetica", "", 10)
        pdf.cell(100, 12, "and more words")

    texts = [line.text for line in parse(make_pdf(draw), "heading.pdf").pages[0].lines]
    assert texts == [
        "ACME Widgets Ltd",
        "1 Main Street  INVOICE",  # the heading is centred on the middle line
        "Phone: 555-0100",
        "Text with a footnote  1 and more words",  # a superscript stays on its line
    ]
