"""The HTML view in headless Chromium: hostile document text stays text, and real results show
the cited page with boxes (screenshots are saved to ``artifacts/`` for people to look at)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llamaextract_nb.results import BatchResult, ExtractResult

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
TITLE = "results view"

HOSTILE = [
    '<script>window.__pwned = 1; document.title = "pwned"</script>',
    "<img src=x onerror=\"window.__pwned = 2; document.title = 'pwned'\">",
    "</td></tr></table></div><script>window.__pwned = 3</script><table><tr><td>",
    '<a href="javascript:window.__pwned = 4">click me</a>',
    '"\'><svg onload="window.__pwned = 5"></svg>',
    '<iframe srcdoc="<script>parent.__pwned = 6</script>"></iframe>',
    "<style>.lxnb{display:none}</style>",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def hostile_job(index: int) -> dict[str, Any]:
    """Hostile text in keys, values, citations, reasoning, ids and the error message."""
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
    return {
        "id": f"ext-{index}-{HOSTILE[4]}",
        "status": "COMPLETED",
        "file_input": HOSTILE[2],
        "extract_result": data,
        "extract_metadata": {"field_metadata": {"document_metadata": meta}},
    }


def render(browser: Any, html: str) -> Any:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(f"<!doctype html><title>{TITLE}</title><body>{html}</body>")
    for summary in page.locator("summary").all():
        summary.click()  # open every drill-down: nothing inside may run either
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


def test_hostile_text_is_shown_literally_and_never_runs(browser: Any) -> None:
    result = ExtractResult(hostile_job(1), name=HOSTILE[5])
    page = render(browser, result._repr_html_())
    try:
        assert_nothing_ran(page)
        rows = page.locator("div.lxnb > table.lx-fields > tbody > tr")
        assert rows.count() == len(HOSTILE) + 1
        assert page.locator("div.lxnb > table").count() == 1  # the markup stayed in one piece
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
