"""Plain text and Markdown parsing, and format detection by content."""

from __future__ import annotations

import pytest

from llamaextract_nb.local.engine.document import DocumentError
from llamaextract_nb.local.engine.parsers import detect_kind, parse

MARKDOWN = b"""# Invoice INV-001

**Vendor:** ACME Widgets Ltd
- Due date: 2024-04-11

| Description | Qty | Amount |
|---|---:|---:|
| Blue widget | 2 | $1,200.00 |
| Red \\| green widget | 1 | $80.00 |

Thank you.
"""


def test_markdown_pipe_table_becomes_a_table_and_row_lines() -> None:
    doc = parse(MARKDOWN, "invoice.md")
    assert doc.kind == "md" and not doc.has_geometry and len(doc.pages) == 1
    (table,) = doc.tables
    assert [cell.text for cell in table.header] == ["Description", "Qty", "Amount"]
    assert [[cell.text for cell in row] for row in table.rows] == [
        ["Blue widget", "2", "$1,200.00"],
        ["Red | green widget", "1", "$80.00"],
    ]
    texts = [line.text for line in doc.pages[0].lines]
    assert texts == [
        "Invoice INV-001",
        "Vendor: ACME Widgets Ltd",
        "Due date: 2024-04-11",
        "Description | Qty | Amount",
        "Blue widget | 2 | $1,200.00",
        "Red | green widget | 1 | $80.00",
        "Thank you.",
    ]
    assert [word.text for word in doc.pages[0].lines[1].words] == [
        "Vendor:",
        "ACME",
        "Widgets",
        "Ltd",
    ]
    assert all(word.box is None for line in doc.pages[0].lines for word in line.words)


def test_text_keeps_lines_and_splits_pages_on_form_feeds() -> None:
    data = b"Page one\r\nTotal:   $12.00\n\fPage two\n\fPage three"
    doc = parse(data, "notes.txt")
    assert doc.kind == "txt"
    assert [page.number for page in doc.pages] == [1, 2, 3]
    assert [line.text for line in doc.pages[0].lines] == ["Page one", "Total:  $12.00"]
    assert [p.number for p in parse(data, "notes.txt", pages={2}).pages] == [2]
    assert [p.number for p in parse(data, "notes.txt", max_pages=2).pages] == [1, 2]


def test_text_encodings() -> None:
    assert parse("Café total: 5 €".encode("cp1252"), "a.txt").text == "Café total: 5 €"
    assert parse("\ufeffCafé".encode(), "a.txt").text == "Café"
    assert parse("Café".encode("utf-16"), "a.txt").text == "Café"


@pytest.mark.parametrize(
    ("data", "filename", "kind"),
    [
        (b"%PDF-1.7\n...", "scan.bin", "pdf"),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "page.txt", "html"),
        (b"<html><p>hello</p></html>", "noext", "html"),
        (b"a,b,c\n1,2,3\n4,5,6\n", "data", "csv"),
        (b"a;b\n1;2\n3;4\n", "data.txt", "csv"),
        (b"just words, with a comma\nand more words\n", "notes", "txt"),
        (b"# Title\n", "readme.md", "md"),
        (b"plain", "file.txt", "txt"),
    ],
)
def test_detect_kind_by_content(data: bytes, filename: str, kind: str) -> None:
    assert detect_kind(data, filename) == kind


def test_text_named_pdf_is_refused_clearly() -> None:
    with pytest.raises(DocumentError, match=r"named \.pdf but is not a PDF"):
        parse(b"hello world", "report.pdf")


def test_whitespace_only_text_is_empty() -> None:
    with pytest.raises(DocumentError, match="empty"):
        parse(b" \n\t\n", "blank.txt")
