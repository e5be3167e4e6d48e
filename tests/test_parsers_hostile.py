"""Hostile documents end in a DocumentError naming the limit, before they inflate (issue 12,
item 3). The documents are built here, small on disk."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from hostile_documents import csv_of_fields, docx_bomb, docx_with_lying_directory, xlsx_with_cells

from llamaextract_nb.local.engine.document import DocumentError
from llamaextract_nb.local.engine.parsers import parse
from llamaextract_nb.local.engine.parsers.archive import MAX_MEMBERS
from llamaextract_nb.local.engine.parsers.sheets import MAX_CELLS
from llamaextract_nb.local.engine.parsers.text import MAX_PIECES


def refused(data: bytes, name: str) -> str:
    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        parse(data, name)
    assert time.perf_counter() - started < 10
    return str(caught.value)


def test_a_docx_bomb_is_refused_from_its_zip_directory() -> None:
    data = docx_bomb(inflated_mb=150)
    assert len(data) < 2 * 1024 * 1024
    message = refused(data, "bomb.docx")
    assert "looks like a zip bomb" in message and "'word/document.xml'" in message
    assert "more than the limit of 100 times" in message


def test_a_zip_directory_that_lies_is_caught_while_inflating() -> None:
    data = docx_with_lying_directory(inflated_mb=150)
    declared = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size
    assert declared == 2048
    message = refused(data, "forged.docx")
    assert "forged zip package" in message and "past the 2,048 bytes" in message


def test_a_package_inflating_past_the_total_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<w:document/>")
        for index in range(210):  # each under the ratio check's floor, 210 MB together
            package.writestr(f"word/media/part{index}.bin", bytes(1000 * 1024))
    message = refused(out.getvalue(), "heavy.docx")
    assert "inflates to 205.1 MB, more than the local engine's limit of 200.0 MB" in message


def test_a_package_of_too_many_parts_is_refused_before_its_directory_is_read() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("xl/workbook.xml", b"")
        for index in range(MAX_MEMBERS):
            package.writestr(f"x{index}", b"")
    assert f"more than {MAX_MEMBERS:,} packaged parts" in refused(out.getvalue(), "many.xlsx")


@pytest.mark.parametrize("one_row", [True, False])
def test_a_sheet_of_too_many_cells_is_refused_before_openpyxl_reads_it(one_row: bool) -> None:
    data = xlsx_with_cells(MAX_CELLS + 10_000, one_row=one_row)
    assert len(data) < 3 * 1024 * 1024
    message = refused(data, "wide.xlsx")
    assert f"has more than {MAX_CELLS:,} cells" in message
    assert "'xl/worksheets/sheet1.xml'" in message


def test_a_sheet_under_the_cell_limit_is_read() -> None:
    document = parse(xlsx_with_cells(2_000, one_row=False), "fine.xlsx")
    assert document.pages[0].tables[0].rows[0][0].text.startswith("1")


def test_a_csv_of_millions_of_fields_is_refused_before_it_is_split() -> None:
    message = refused(csv_of_fields(3_000_000), "fields.csv")
    assert f"the local engine reads at most {MAX_CELLS:,} cells" in message


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"a " * 3_000_000, "words.txt"), (b"a|" * 1_500_000 + b"\n" + b"b|" * 1_500_000, "t.md")],
)
def test_a_text_of_millions_of_words_or_cells_is_refused(data: bytes, name: str) -> None:
    assert f"the local engine reads at most {MAX_PIECES:,}" in refused(data, name)
