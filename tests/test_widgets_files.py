"""File picker, headless: uploads in the ipywidgets 8 format, the size limit, paths and globs,
PDF page counts, shipped samples."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from fpdf import FPDF

from llamaextract_nb import samples
from llamaextract_nb.widgets import FilePicker
from llamaextract_nb.widgets.files import UPLOAD_LIMIT


def pdf_bytes(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"Page {n + 1}")
    return bytes(pdf.output())


def upload_value(name: str, content: bytes, kind: str) -> dict[str, object]:
    """One entry of ``FileUpload.value`` as ipywidgets 8 delivers it."""
    return {
        "name": name,
        "type": kind,
        "size": len(content),
        "content": memoryview(content),
        "last_modified": dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc),
    }


def test_uploads_are_listed_with_type_size_and_pages() -> None:
    picker = FilePicker()
    picker.upload.value = (
        upload_value("report.pdf", pdf_bytes(3), "application/pdf"),
        upload_value("notes.txt", b"Total: 12.50\n", "text/plain"),
    )
    report, notes = picker.files
    assert (report.name, report.kind, report.pages) == ("report.pdf", "PDF", 3)
    assert report.content is not None and report.source == report.content
    assert (notes.kind, notes.size, notes.pages) == ("TXT", 13, None)
    assert picker.upload.value == ()  # ready for the next upload
    assert "report.pdf" in picker.table.value and "13 B" in picker.table.value


def test_uploads_over_the_limit_are_refused_with_a_way_out() -> None:
    picker = FilePicker()
    big = b"x" * (UPLOAD_LIMIT + 1)
    picker.upload.value = (
        upload_value("huge.csv", big, "text/csv"),
        upload_value("small.csv", b"a,b\n1,2\n", "text/csv"),
    )
    assert [f.name for f in picker.files] == ["small.csv"]
    text = html.unescape(picker.message.value)
    assert "Not uploaded, over 10.0 MB: huge.csv (10.0 MB)" in text
    assert "path field" in text


def test_paths_and_globs_from_the_kernels_disk(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf_bytes(2))
    (tmp_path / "b.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    picker = FilePicker()
    picker.path.value = str(tmp_path / "*")
    picker.add_path_button.click()
    assert [(f.name, f.pages) for f in picker.files] == [("a.pdf", 2), ("b.txt", None)]
    assert picker.files[0].path == (tmp_path / "a.pdf").resolve()
    picker.add_path(str(tmp_path / "*.docx"))
    assert "No file matches" in html.unescape(picker.message.value)
    picker.add_path("  ")
    assert "Type a path or a glob" in picker.message.value
    assert len(picker.files) == 2
    picker.clear_button.click()
    assert picker.files == [] and "No documents chosen yet" in picker.table.value


def test_names_are_escaped_in_the_table() -> None:
    picker = FilePicker()
    picker.add_uploads([upload_value("<img src=x onerror=alert(1)>.txt", b"x", "text/plain")])
    assert "<img" not in picker.table.value and "&lt;img" in picker.table.value


def test_shipped_samples_can_be_picked() -> None:
    shipped = samples.list()
    picker = FilePicker()
    assert len(picker.sample_choice.options) == len(shipped) > 0
    picker.sample_choice.value = 1
    picker.add_sample_button.click()
    chosen = picker.files[0]
    assert chosen.sample == shipped[1] and picker.picked_sample == shipped[1]
    assert chosen.path == Path(shipped[1].path) and chosen.size > 0
    picker.add_sample(shipped[0].name)
    assert picker.files[1].sample == shipped[0]
    picker.add_sample("no-such-sample")
    assert "No single sample named 'no-such-sample'" in html.unescape(picker.message.value)


def test_pdf_samples_have_page_counts() -> None:
    picker = FilePicker()
    pdfs = [s for s in samples.list() if Path(s.path).suffix.lower() == ".pdf"]
    assert pdfs, "the package ships no PDF sample"
    picker.add_sample(pdfs[0].name)
    assert picker.files[0].kind == "PDF" and (picker.files[0].pages or 0) >= 1
