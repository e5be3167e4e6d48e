"""The HTML view: content, escaping, threshold, page images with boxes, size and speed limits."""

from __future__ import annotations

import base64
import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from PIL import Image
from wire_examples import example

from llamaextract_nb.results import BatchResult, DisplayOptions, ExtractResult

IMAGE = re.compile(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"')


def payload(name: str) -> dict[str, Any]:
    return example(name)  # type: ignore[no-any-return]


def invoice_pdf(job: dict[str, Any]) -> bytes:
    """A two-page A4 PDF with each cited text printed inside its cited box."""
    pdf = FPDF(unit="pt", format=(595, 842))
    pdf.set_font("Helvetica", size=10)
    meta = job["extract_metadata"]["field_metadata"]["document_metadata"]
    entries = [meta[k] for k in ("vendor_name", "invoice_number", "invoice_date", "total_amount")]
    entries += [entry for item in meta["line_items"] for entry in item.values()]
    for page in (1, 2):
        pdf.add_page()
        for entry in entries:
            citation = entry["citation"][0]
            if citation["page"] == page:
                box = citation["bounding_boxes"][0]
                pdf.text(box["x"], box["y"] + box["h"] - 2, citation["matching_text"])
    return bytes(pdf.output())


def test_the_field_table_shows_values_confidence_reasoning_and_highlighted_citations() -> None:
    html = ExtractResult(payload("04"), name="acme.pdf")._repr_html_()
    assert html.count('<tr class="lx-row">') == 10
    assert "acme.pdf" in html and "COMPLETED" in html
    assert "<code>line_items[1].amount</code>" in html
    assert "Total due EUR <mark>1,785.00</mark>" in html
    assert "Date: <mark>02.04.2026</mark>" in html
    assert "INFERRED FROM TEXT" in html
    assert 'style="width:99%"' in html  # vendor_name 0.994
    assert "<script" not in html.lower() and "http" not in html  # nothing external, no scripts
    assert "10 of 10 values found" in html


def test_the_threshold_decides_which_bars_are_red() -> None:
    result = ExtractResult(payload("04"))
    assert result._repr_html_().count('class="lx-bar lx-under"') == 0
    result.threshold = 0.985
    html = result._repr_html_()
    # below 0.985: 0.962, 0.983, 0.979, 0.981, 0.955, 0.984
    assert html.count('class="lx-bar lx-under"') == 6
    assert html.count('<tr class="lx-low">') == 6
    assert "6 below 0.985" in html


def test_a_mismatching_citation_is_flagged() -> None:
    job = payload("04")
    job["extract_result"]["total_amount"] = 1875.0
    html = ExtractResult(job)._repr_html_()
    assert html.count("value not found in the cited text") == 1
    assert ExtractResult(job).fields.set_index("path").loc["total_amount", "citation_mismatch"]


def test_every_text_is_escaped() -> None:
    evil = '<b id="x">&"\'</b>'
    job = {
        "id": 'ext-<i>"',
        "status": "COMPLETED",
        "file_input": "<u>file</u>",
        "error_message": "<em>oops</em>",
        "extract_result": {evil: evil, "n": 1},
        "extract_metadata": {
            "field_metadata": {
                "document_metadata": {
                    evil: {"citation": [{"page": 1, "matching_text": f"x {evil} y"}],
                           "reasoning": evil, "confidence": 0.5},
                    "error": evil,
                }
            }
        },
    }  # fmt: skip
    html = ExtractResult(job)._repr_html_()
    for raw in ("<b ", "<i>", "<u>", "<em>", "</b>"):
        assert raw not in html
    assert "&lt;b id=&quot;x&quot;&gt;&amp;&quot;&#x27;&lt;/b&gt;" in html
    assert "<mark>&lt;b id=&quot;x&quot;&gt;&amp;&quot;&#x27;&lt;/b&gt;</mark>" in html


def test_cited_pdf_pages_are_rendered_with_boxes() -> None:
    job = payload("04")
    result = ExtractResult(job, source=invoice_pdf(job), name="acme.pdf")
    html = result._repr_html_()
    assert html.count('<details class="lx-pagebox">') == 2
    assert "Page 1 — 9 cited value(s)" in html and "Page 2 — 1 cited value(s): #4" in html
    images = [Image.open(io.BytesIO(base64.b64decode(data))) for data in IMAGE.findall(html)]
    assert [image.size for image in images] == [(640, 906), (640, 906)]
    scale = 640 / 595
    box = job["extract_metadata"]["field_metadata"]["document_metadata"]["vendor_name"]
    box = box["citation"][0]["bounding_boxes"][0]
    red, green, blue = (
        images[0]
        .convert("RGB")
        .getpixel((round((box["x"] - 2) * scale), round((box["y"] + box["h"] / 2) * scale)))
    )
    assert green > red + 40 and green > blue + 40  # the green outline of a confident value
    assert len(html) < 400_000


def test_page_images_respect_the_budget_and_need_a_pdf(tmp_path: Path) -> None:
    job = payload("04")
    options = DisplayOptions(max_page_images=1)
    html = ExtractResult(job, source=invoice_pdf(job), options=options)._repr_html_()
    assert len(IMAGE.findall(html)) == 1 and "1 more cited page(s) not rendered" in html
    docx = tmp_path / "invoice.docx"
    docx.write_bytes(b"PK\x03\x04 not a pdf")
    html = ExtractResult(job, source=docx)._repr_html_()
    assert not IMAGE.findall(html)
    assert "pass <code>source=</code>" in ExtractResult(job)._repr_html_()


def big_table_job(rows: int) -> dict[str, Any]:
    def entry(text: str, page: int) -> dict[str, Any]:
        box = {"x": 50.0, "y": 100.0, "w": 80.0, "h": 10.0}
        citation = {"page": page, "matching_text": text, "bounding_boxes": [box]}
        scores = {"confidence": 0.91, "extraction_confidence": 0.93, "parsing_confidence": 0.98}
        return {"citation": [citation], **scores}

    result, meta = [], []
    for index in range(rows):
        page = index // 40 + 1
        row = {"sku": f"SKU-{index:05d}", "name": f"Part number {index}", "price": index + 0.5,
               "in_stock": index % 3 == 0}  # fmt: skip
        result.append(row)
        meta.append(
            {k: entry(f"{v:,.2f}" if k == "price" else str(v), page) for k, v in row.items()}
        )
    return {
        "id": "ext-big",
        "status": "COMPLETED",
        "configuration": {
            "extraction_target": "per_table_row",
            "data_schema": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "name": {"type": "string"},
                    "price": {"type": "number"},
                    "in_stock": {"type": "boolean"},
                },
            },
        },
        "extract_result": result,
        "extract_metadata": {"field_metadata": {"row_metadata": meta}},
    }


def test_a_5000_row_result_renders_in_under_a_second_and_a_megabyte() -> None:
    job = big_table_job(5000)
    started = time.process_time()  # CPU time: other processes on the machine do not count
    result = ExtractResult(job)
    html = result._repr_html_()
    elapsed = time.process_time() - started
    assert elapsed < 1.0, f"rendering took {elapsed:.2f} s of CPU"
    assert len(html.encode()) < 1_000_000
    assert "Showing the first 200 of 20,000 values" in html
    assert "Showing the first 30 of 5,000 rows" in html
    assert html.count('<td class="lx-cell"') == 30 * 4
    assert '<td class="lx-cell" title="confidence 0.910\np. 1: SKU-00029">SKU-00029</td>' in html
    assert "<code>.df</code>" in html and "(one row per row)" in html
    assert html.count('<tr class="lx-row">') == 200
    assert "<code>price</code></td><td>5,000 / 5,000</td>" in html  # per-field summary
    assert len(result.df) == 5000


def test_the_batch_view_summarises_and_drills_down() -> None:
    good = ExtractResult(payload("04"), name="a.pdf")
    rows = ExtractResult(payload("05"), name="b.pdf")
    failed = ExtractResult(
        {"id": "ext-f", "status": "FAILED", "error_message": "unreadable <scan>"}, name="c.pdf"
    )
    batch = BatchResult([good, rows, failed])
    batch.threshold = 0.99
    html = batch._repr_html_()
    assert "3 document(s)" in html and "2 completed · 1 not completed" in html
    assert html.count('<details class="lx-doc">') == 3
    assert "unreadable &lt;scan&gt;" in html
    assert "<code>line_items[].amount</code></td><td>2 / 2</td>" in html
    assert "below 0.99" in html
    assert len(html) < 200_000
    many = BatchResult([good] * 5, options=DisplayOptions(max_documents=2))
    assert many._repr_html_().count('<details class="lx-doc">') == 2
    assert "3 more documents not shown" in many._repr_html_()


@pytest.mark.slow
def test_the_view_survives_nbconvert_html_export() -> None:
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    job = payload("04")
    html = ExtractResult(job, source=invoice_pdf(job))._repr_html_()
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("result")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "result"})
    ]
    notebook.cells = [cell]
    exported, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    before = BeautifulSoup(html, "html.parser").select_one("div.lxnb")
    after = BeautifulSoup(exported, "html.parser").select_one("div.lxnb")
    assert before is not None and after is not None
    assert after.get_text() == before.get_text()
    for selector in ("style", "table.lx-fields tbody tr", "mark", "span.lx-bar", "details img"):
        assert len(after.select(selector)) == len(before.select(selector)) > 0
    assert [img["src"] for img in after.select("img")] == [
        img["src"] for img in before.select("img")
    ]
    assert after.style is not None and before.style is not None
    assert after.style.get_text() == before.style.get_text()


def test_per_page_results_show_the_page_of_each_value() -> None:
    entry = {"citation": [{"page": 3, "matching_text": "Total: 12.50"}], "confidence": 0.7}
    job = {
        "id": "ext-pages",
        "status": "COMPLETED",
        "configuration": {"data_schema": {}, "extraction_target": "per_page"},
        "extract_result": [{"total": 10.0}, {"total": 12.5}],
        "extract_metadata": {"field_metadata": {"page_metadata": [{}, {"total": entry}]}},
    }
    result = ExtractResult(job)
    assert result.df["page"].tolist() == [1, 3]  # the second page's values cite page 3
    html = result._repr_html_()
    assert "<th>Page</th>" in html
    assert '<td>3</td><td class="lx-key"><code>total</code></td><td>12.5</td>' in html
    assert "Total: <mark>12.50</mark>" in html
    assert html.count('<tr class="lx-low">') == 1  # 0.7 < 0.8
    assert html.count('<td class="lx-cell-low"') == 1
    assert "<th>Page</th><th>total</th>" in html  # the grid of pages
