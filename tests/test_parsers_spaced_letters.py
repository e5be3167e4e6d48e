"""Letter-spaced words ("R E C I T A L S", "I N V O I C E") are joined in the text layer.

Real documents made here: PDFs written with fpdf2 (typed spaces, and letters placed one by
one so the gaps are known), TXT and HTML bytes; then ``parse()`` and ``extract()``.
"""

from __future__ import annotations

from fpdf import FPDF

from llamaextract_nb.local.engine import extract
from llamaextract_nb.local.engine.document import Document, Line
from llamaextract_nb.local.engine.parsers import parse
from llamaextract_nb.local.engine.parsers.spaced_letters import SPACE, WIDE, spaced_words
from llamaextract_nb.results.matching import locate


def pdf_lines(*rows: tuple[float, list[tuple[str, float]]]) -> bytes:
    """A one-page PDF; each row is (y, [(text, gap after in points), ...]) drawn piece by
    piece, so the gaps between pieces are exactly known."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    for y, pieces in rows:
        x = 72.0
        for text, gap in pieces:
            pdf.text(x, y, text)
            x += pdf.get_string_width(text) + gap
    return bytes(pdf.output())


def letters(word: str, gap: float, then: float) -> list[tuple[str, float]]:
    """The letters of ``word`` placed ``gap`` points apart, ``then`` points before what follows."""
    return [(char, gap) for char in word[:-1]] + [(word[-1], then)]


def texts(doc: Document) -> list[str]:
    return [line.text for page in doc.pages for line in page.lines]


def line_with(doc: Document, needle: str) -> Line:
    return next(line for page in doc.pages for line in page.lines if needle in line.text)


# --- the rule ---------------------------------------------------------------------------


def test_rule_joins_whole_segments_of_capitals_and_leaves_names_apart() -> None:
    def run(line: str) -> list[tuple[int, int]]:
        words = line.split()
        return spaced_words(words, [SPACE] * (len(words) - 1))

    assert run("R E C I T A L S:") == [(0, 8)]
    assert run("W I T N E S S E T H :") == [(0, 11)]
    assert run("A B C Corp agrees") == []  # a name of initials, not a spaced word
    assert run("A B C") == []  # too short to tell
    assert run("a b c d") == []  # not capitals
    assert run("Schedule A B C D") == []  # not a whole segment


def test_rule_accepts_geometry_that_proves_letter_spacing() -> None:
    # letters 0.2 line heights apart, "Corp" 0.7 away: the spacing sets ABC apart
    assert spaced_words(["A", "B", "C", "Corp"], [0.2, 0.2, 0.7]) == [(0, 3)]
    # the same gap before "Corp" as between the letters: no proof
    assert spaced_words(["A", "B", "C", "Corp"], [0.2, 0.2, 0.2]) == []
    # two spaced words, the second short: joined beside the first
    assert spaced_words(["B", "I", "L", "L", "T", "O"], [0.2, 0.2, 0.2, 0.7, 0.2]) == [
        (0, 4),
        (4, 6),
    ]
    # a column gap splits segments: "T O" alone is not enough
    assert spaced_words(["Total", "T", "O"], [WIDE, SPACE]) == []


# --- PDF --------------------------------------------------------------------------------


def test_pdf_typed_spaced_heading_is_one_word_boxed_over_its_letters() -> None:
    data = pdf_lines(
        (80, [("R E C I T A L S:", 0)]),
        (110, [("A B C Corp agrees to the terms.", 0)]),
        (140, [("B I L L   T O", 0)]),
    )
    doc = parse(data, "spaced.pdf")
    assert texts(doc) == ["RECITALS:", "A B C Corp agrees to the terms.", "BILL TO"]
    heading = line_with(doc, "RECITALS")
    (word,) = heading.words
    assert word.text == "RECITALS:" and word.box is not None and heading.box is not None
    assert word.box == heading.box and word.box.w > 60  # from R to the colon
    assert "RECITALS:" in doc.pages[0].text


def test_pdf_letters_placed_closer_than_the_words_around_them_are_joined() -> None:
    data = pdf_lines(
        (80, letters("INVOICE", 2.0, 0)),  # PDFium reads "I N V O I C E"
        (110, [*letters("ABC", 3.0, 9.0), ("Corp agrees", 0)]),
        (140, [*letters("ABC", 3.0, 3.07), ("Corp agrees", 0)]),  # no wider gap: no proof
    )
    assert texts(parse(data, "placed.pdf")) == [
        "INVOICE",
        "ABC Corp agrees",
        "A B C Corp agrees",
    ]


# --- text formats -----------------------------------------------------------------------


def test_txt_joins_spaced_words_and_keeps_initials() -> None:
    data = (
        b"I N V O I C E\n"
        b"I N V O I C E   N O :   NW-2291\n"
        b"A B C Corp agrees\n"
        b"A B C  Corp\n"
        b"B I L L   T O\n"
        b"T O T A L :\t1,785.00\n"
        b"Options: a b c d\n"
    )
    assert texts(parse(data, "spaced.txt")) == [
        "INVOICE",
        "INVOICE NO:  NW-2291",
        "A B C Corp agrees",
        "A B C  Corp",
        "BILL TO",
        "TOTAL:  1,785.00",
        "Options: a b c d",
    ]


def test_html_and_markdown_headings_are_joined() -> None:
    html = b"<html><body><h1>I N V O I C E</h1><p>A B C Corp</p></body></html>"
    assert texts(parse(html, "spaced.html")) == ["INVOICE", "A B C Corp"]
    assert texts(parse(b"# R E C I T A L S\n\nText.\n", "spaced.md")) == ["RECITALS", "Text."]


# --- extraction ---------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "vendor_name": {"type": "string"},
        "invoice_number": {"type": "string"},
        "total": {"type": "number"},
    },
}
TXT = b"""Northwind Tools Ltd
12 Harbour Road, Leeds

I N V O I C E

I N V O I C E   N O :   NW-2291
Widgets                    100.00
T O T A L :   1,785.00
"""


def invoice_pdf() -> bytes:
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 18)
    pdf.set_xy(72, 60)
    pdf.cell(300, 20, "I N V O I C E")
    pdf.set_font("helvetica", size=11)
    for y, label, value in (
        (100, "Northwind Tools Ltd", ""),
        (130, "I N V O I C E  N O :", "NW-2291"),
        (160, "Widgets", "100.00"),
        (190, "T O T A L :", "1,785.00"),
    ):
        pdf.set_xy(72, y)
        pdf.cell(120, 14, label)
        pdf.cell(100, 14, value, align="R")
    return bytes(pdf.output())


def test_spaced_labels_are_found_and_cited_in_txt_and_pdf() -> None:
    configuration = {"data_schema": SCHEMA, "cite_sources": True, "confidence_scores": True}
    for name, data in (("spaced.txt", TXT), ("spaced.pdf", invoice_pdf())):
        output = extract(data, name, configuration)
        assert output.result == {
            "vendor_name": "Northwind Tools Ltd",
            "invoice_number": "NW-2291",
            "total": 1785.0,
        }, name
        doc = parse(data, name)
        fields = output.metadata["field_metadata"]["document_metadata"]
        for key in ("invoice_number", "total"):
            (citation,) = fields[key]["citation"]
            page = doc.pages[citation["page"] - 1]
            assert citation["matching_text"] in page.text, (name, key)
            assert locate(output.result[key], citation["matching_text"]) is not None
            for box in citation.get("bounding_boxes", []):
                assert box["x"] >= 0 and box["x"] + box["w"] <= page.width
                assert box["y"] >= 0 and box["y"] + box["h"] <= page.height
