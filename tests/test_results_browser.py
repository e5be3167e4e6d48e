"""The HTML view in headless Chromium: hostile document text stays text, and real results show
the cited page with boxes (screenshots are saved to ``artifacts/`` for people to look at)."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from wire_examples import example

from llamaextract_nb.results import BatchResult, ExtractResult

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TITLE = "results view"
IMAGE = re.compile(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"')

HOSTILE = [
    '<script>window.__pwned = 1; document.title = "pwned"</script>',
    "<img src=x onerror=\"window.__pwned = 2; document.title = 'pwned'\">",
    "</td></tr></table></div><script>window.__pwned = 3</script><table><tr><td>",
    '<a href="javascript:window.__pwned = 4">click me</a>',
    '"\'><svg onload="window.__pwned = 5"></svg>',
    '<iframe srcdoc="<script>parent.__pwned = 6</script>"></iframe>',
    "<style>.lxnb{display:none}</style>",
]


def hostile_job(index: int, *, rows: bool = False) -> dict[str, Any]:
    """Hostile text in keys, values, citations, reasoning, ids and the error message;
    with ``rows`` a per_table_row job of two such rows (the grid view, tooltips)."""
    data: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for number, text in enumerate(HOSTILE):
        key = f"f{number} {text}"
        data[key] = text
        meta[key] = {
            "citation": [{"page": 1, "matching_text": f"before {text} after"}],
            "confidence": 0.5 + number / 20,
            "reasoning": text,
        }
    data["items"] = [{"note": HOSTILE[3]}]
    meta["items"] = [{"note": {"citation": [{"page": 1, "matching_text": HOSTILE[0]}]}}]
    meta["error"] = HOSTILE[1]
    job = {
        "id": f"ext-{index}-{HOSTILE[4]}",
        "status": "COMPLETED",
        "file_input": HOSTILE[2],
        "extract_result": data,
        "extract_metadata": {"field_metadata": {"document_metadata": meta}},
    }
    if rows:
        job["extract_result"] = [data, data]
        job["extract_metadata"] = {"field_metadata": {"row_metadata": [meta, meta]}}
    return job


def render(browser: Any, html: str) -> Any:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(f"<!doctype html><title>{TITLE}</title><body>{html}</body>")
    closed = page.locator("details:not([open]) > summary")
    while closed.count():
        closed.first.click()  # open every drill-down: nothing inside may run either
    page.wait_for_timeout(200)
    page.dialogs = dialogs
    return page


def assert_nothing_ran(page: Any) -> None:
    assert page.evaluate("() => window.__pwned") is None
    assert page.title() == TITLE
    assert page.dialogs == []
    assert (
        page.evaluate("() => document.querySelectorAll('script, iframe, svg, a, img').length") == 0
    )


@pytest.mark.parametrize("rows", [False, True], ids=["per_doc", "per_table_row"])
def test_hostile_text_is_shown_literally_and_never_runs(browser: Any, rows: bool) -> None:
    result = ExtractResult(hostile_job(1, rows=rows), name=HOSTILE[5])
    page = render(browser, result._repr_html_())
    try:
        assert_nothing_ran(page)
        copies = 2 if rows else 1
        values = page.locator("div.lxnb table.lx-fields > tbody > tr")
        assert values.count() == copies * (len(HOSTILE) + 1)
        tables = page.locator("div.lxnb table").count()
        assert tables == (3 if rows else 1)  # the markup stayed in one piece
        if rows:
            grid = page.locator("div.lxnb > table.lx-grid")
            assert grid.locator(":scope > tbody > tr").count() == 2
            assert grid.locator(":scope > thead th").count() == len(HOSTILE) + 1
            tips = grid.locator("td[title]").evaluate_all("cells => cells.map(c => c.title)")
            assert f"p. 1: before {HOSTILE[0]} after" in "\n".join(tips)
        text = page.locator("div.lxnb").inner_text()
        for hostile in HOSTILE:
            assert hostile in text
        assert page.locator("mark").first.inner_text() == HOSTILE[0]
        assert page.locator("div.lxnb").is_visible()
    finally:
        page.close()


def test_hostile_text_in_the_batch_view_never_runs(browser: Any) -> None:
    failed = {"id": "ext-x", "status": "FAILED", "error_message": HOSTILE[1]}
    batch = BatchResult(
        [ExtractResult(hostile_job(1)), ExtractResult(hostile_job(2)), ExtractResult(failed)]
    )
    page = render(browser, batch._repr_html_())
    try:
        assert_nothing_ran(page)
        assert page.locator("details.lx-doc").count() == 3
        assert page.locator("table.lx-fields").count() == 2
        for table in page.locator("table.lx-fields").all():
            assert table.locator(":scope > tbody > tr").count() == len(HOSTILE) + 1
        summary_rows = page.locator("div.lxnb > table.lx-summary > tbody > tr")
        assert summary_rows.count() == len(HOSTILE) + 1
        text = page.locator("div.lxnb").inner_text()
        for hostile in HOSTILE:
            assert hostile in text
    finally:
        page.close()


CONTRAST = """(element) => {
  const parse = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
  const chain = [];
  for (let e = element; e; e = e.parentElement) chain.unshift(getComputedStyle(e).backgroundColor);
  let background = [255, 255, 255];
  for (const colour of chain) background = over(parse(colour), background);
  const text = over(parse(getComputedStyle(element).color), background);
  const luminance = (c) => {
    const v = c.map((x) => {
      x /= 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  };
  const [a, b] = [luminance(text), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""

# minimum contrast per element: body text 4.5 (WCAG AA), secondary text and badges 3
READABLE = {
    "table.lx-fields td:nth-child(3)": 4.5,
    "table.lx-fields th": 4.5,
    "code": 4.5,
    "mark": 4.5,
    ".lx-muted": 3.0,
    ".lx-num": 3.0,
    ".lx-warn": 3.0,
    ".lx-page": 3.0,
    ".lx-status": 3.0,
}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_view_is_readable_in_jupyterlab_light_and_dark_themes(browser: Any, theme: str) -> None:
    import jupyterlab

    themes = Path(jupyterlab.__file__).parent / "themes" / "@jupyterlab"
    variables = (themes / f"theme-{theme}-extension" / "index.css").read_text()
    job = example("04_job_completed_per_doc_expanded")
    job["extract_result"]["total_amount"] = 1875.0  # one flagged citation
    result = ExtractResult(job, name="acme.pdf")
    result.threshold = 0.97  # some red bars
    body = "background:var(--jp-layout-color0);color:var(--jp-content-font-color1)"
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    try:
        page.set_content(
            f"<!doctype html><style>{variables}</style>"
            f'<body style="{body}">{result._repr_html_()}</body>'
        )
        for selector, minimum in READABLE.items():
            elements = page.locator(f"div.lxnb {selector}").all()
            assert elements, selector
            worst = min(element.evaluate(CONTRAST) for element in elements)
            assert worst >= minimum, f"{selector} contrast {worst:.2f} in the {theme} theme"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"results_view_{theme}.png"), full_page=True)
    finally:
        page.close()


def test_a_sample_invoice_from_the_local_server_shows_its_page_with_boxes(
    client: Any, browser: Any
) -> None:
    import pypdfium2 as pdfium

    from llamaextract_nb import samples

    sample = samples.get("invoice.pdf")
    result = client.extract(sample.path, sample.schema, cite_sources=True, confidence_scores=True)
    assert result.status == "COMPLETED", result.job.error_message
    assert result.df.loc[0, "invoice_number"] == sample.expected["invoice_number"]

    html = result._repr_html_()
    images = IMAGE.findall(html)
    assert len(images) == 1  # one page, cited many times
    image = Image.open(io.BytesIO(base64.b64decode(images[0]))).convert("L")
    pdf = pdfium.PdfDocument(str(sample.path))
    width, height = pdf[0].get_size()
    pdf.close()
    assert image.size[0] == 640
    assert abs(image.size[1] - 640 * height / width) <= 1  # pdfium rounds the height up

    scale = 640 / width
    boxes = [box for boxes in result.fields["bounding_boxes"] for box in boxes]
    assert len(boxes) >= len(result.fields)  # every value has at least one box
    for box in boxes:
        inside = image.crop(
            (
                round(box["x"] * scale) + 1,
                round(box["y"] * scale) + 1,
                round((box["x"] + box["w"]) * scale) - 1,
                round((box["y"] + box["h"]) * scale) - 1,
            )
        )
        ink = sum(inside.histogram()[:100])  # dark pixels
        assert ink >= 3, f"no printed text inside the box {box}"

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.set_content(f"<!doctype html><title>{TITLE}</title><body>{html}</body>")
        page.locator("details.lx-pagebox > summary").first.click()
        shown = page.locator("details.lx-pagebox img").first.bounding_box()
        assert shown is not None and shown["width"] == 642  # 640 px and a 1 px border
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / "results_sample_invoice.png"
        page.screenshot(path=str(target), full_page=True)
        assert Image.open(target).size[1] > 900
    finally:
        page.close()
