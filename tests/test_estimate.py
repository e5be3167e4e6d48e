"""Cost before a run: pages counted locally on documents whose page counts are known, the rate
table (defaults, overrides, unknown tiers), and the Studio's estimate beside Run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fpdf import FPDF

import llamaextract_nb as lx
from llamaextract_nb.api.pages import PageSpecError, billed_pages
from llamaextract_nb.client import pricing
from llamaextract_nb.client.estimate import CreditLimitError, check_credit_limit, estimate


@pytest.fixture(autouse=True)
def _default_rates() -> Any:
    pricing.reset_rates()
    yield
    pricing.reset_rates()


def make_pdf(path: Path, pages: int) -> Path:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Helvetica", size=12)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(200, 20, f"Page {number} of {path.stem}")
    pdf.output(str(path))
    return path


def make_workbook(path: Path, sheets: list[str]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheets[0]
    for name in sheets[1:]:
        workbook.create_sheet(name)
    for sheet in workbook.worksheets:
        sheet["A1"] = f"total on {sheet.title}"
        sheet["B1"] = 12.5
    workbook.save(path)
    return path


@pytest.fixture
def documents(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "note.txt"
    text.write_text("Invoice Number: 7\nTotal: 12.50\n", encoding="utf-8")
    return {
        "five": make_pdf(tmp_path / "five.pdf", 5),
        "two": make_pdf(tmp_path / "two.pdf", 2),
        "book": make_workbook(tmp_path / "book.xlsx", ["Jan", "Feb", "Mar"]),
        "text": text,
    }


def test_pages_are_counted_per_format(documents: dict[str, Path]) -> None:
    expected = estimate(list(documents.values()), tier="cost_effective")
    names = expected.documents["file"].map(lambda f: Path(f).name)
    pages = dict(zip(names, expected.documents["pages"], strict=True))
    assert pages == {"five.pdf": 5, "two.pdf": 2, "book.xlsx": 3, "note.txt": 1}
    assert expected.pages == 11
    # cost_effective: 5 extract + 3 parse (the parse tier it implies) per page
    assert expected.credits == 11 * 8
    assert list(expected.documents["extract_credits"]) == [25.0, 10.0, 15.0, 5.0]
    assert str(expected).startswith("4 documents, 11 pages, about 88 credits (~$0.11")


def test_target_pages_and_max_pages_are_honoured(documents: dict[str, Path]) -> None:
    five = documents["five"]
    assert estimate(five, target_pages="2-4").pages == 3
    assert estimate(five, target_pages="4,9-12").pages == 1  # pages past the end are not read
    assert estimate(five, max_pages=2).pages == 2
    assert estimate(five, target_pages="1-4", max_pages=3).pages == 3
    assert estimate(documents["book"], target_pages="3").pages == 1
    assert estimate(documents["book"], sheet_names=["Feb", "Nope"]).pages == 1
    with pytest.raises(PageSpecError, match="1-based page numbers"):
        estimate(five, target_pages="first")


def test_the_one_page_rule() -> None:
    assert billed_pages(10, " ") == 10
    assert billed_pages(10, "2-3,8") == 3
    assert billed_pages(10, None, 4) == 4
    with pytest.raises(PageSpecError, match="low to high"):
        billed_pages(10, "5-2")


def test_rates_per_tier_and_their_parse_tier(documents: dict[str, Path]) -> None:
    two = documents["two"]
    assert estimate(two, tier="agentic").credits == 2 * (15 + 10)
    assert estimate(two, tier="agentic", parse_tier="fast").credits == 2 * (15 + 1)
    assert estimate(two, tier="agentic_plus").credits == 2 * (50 + 45)
    assert estimate(two, tier="turbo").credits == 2 * 35  # turbo has no separate parse
    assert lx.estimate(pages=14, tier="agentic").credits == 350


def test_rates_can_be_overridden_and_reset(documents: dict[str, Path]) -> None:
    lx.pricing.set_rates(extract={"agentic": 12, "custom": 2}, dollars_per_credit=0.01)
    expected = estimate(documents["two"], tier="agentic")
    assert expected.credits == 2 * (12 + 10)
    assert expected.dollars == pytest.approx(0.44)
    assert lx.estimate(pages=3, tier="custom", parse_tier="fast").credits == 9
    lx.pricing.reset_rates()
    assert estimate(documents["two"], tier="agentic").credits == 50
    with pytest.raises(ValueError, match="must be a number >= 0"):
        lx.pricing.set_rates(parse={"fast": -1})


def test_unknown_tier_says_how_to_add_its_rate(documents: dict[str, Path]) -> None:
    with pytest.raises(pricing.UnknownRateError, match=r"set_rates\(extract=\{'premium'"):
        estimate(documents["two"], tier="premium")
    with pytest.raises(TypeError, match="unknown extraction option"):
        estimate(documents["two"], tierr="agentic")


def test_a_damaged_pdf_counts_as_one_page_with_a_note(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    expected = estimate(broken)
    assert expected.pages == 1
    assert "pages not counted" in expected.documents["note"][0]
    assert "1 not counted" in str(expected)


def test_uploads_are_counted_from_their_bytes(documents: dict[str, Path]) -> None:
    upload = {"name": "scan.pdf", "content": documents["five"].read_bytes()}
    assert estimate([upload], max_pages=4).pages == 4


def test_credit_limit(documents: dict[str, Path]) -> None:
    expected = estimate(documents["five"], tier="agentic")  # 125 credits
    check_credit_limit(expected, 125)
    check_credit_limit(expected, None)
    with pytest.raises(CreditLimitError, match=r"125 credits .* above max_credits=100"):
        check_credit_limit(expected, 100)


def test_studio_shows_the_estimate_beside_run(documents: dict[str, Path]) -> None:
    from llamaextract_nb.widgets.studio import Studio

    class Offline:
        base_url = "http://offline"

    studio = Studio(Offline())  # type: ignore[arg-type]
    try:
        assert studio.run_panel.estimate.value == ""
        studio.add_files(str(documents["five"]))
        studio.add_files(str(documents["book"]))
        assert "2 documents, 8 pages, about 64 credits" in studio.run_panel.estimate.value
        studio.options = {"tier": "agentic", "max_pages": 2}
        assert "2 documents, 4 pages, about 100 credits" in studio.run_panel.estimate.value
        studio.options_panel.target_pages.value = "x"
        assert "no estimate" in studio.run_panel.estimate.value
    finally:
        studio.close()


SCHEMA = {"type": "object", "properties": {"total": {"type": "number", "description": "Total"}}}


@pytest.mark.slow
def test_extract_many_refuses_above_max_credits(client: Any, tmp_path: Path, capsys: Any) -> None:
    paths = [make_pdf(tmp_path / "refused.pdf", 4)]
    before = sum(1 for _ in client.jobs.list())
    with pytest.raises(CreditLimitError, match="not started: the estimate is 100 credits"):
        client.extract_many(
            paths, SCHEMA, ledger=tmp_path / "l.sqlite", tier="agentic", max_credits=99
        )
    assert sum(1 for _ in client.jobs.list()) == before  # nothing was created


@pytest.mark.slow
def test_usage_after_a_run_beside_the_estimate(client: Any, tmp_path: Path, capsys: Any) -> None:
    pdf = make_pdf(tmp_path / "usage-five.pdf", 5)
    book = make_workbook(tmp_path / "usage-book.xlsx", ["One", "Two"])
    results = client.extract_many(
        [pdf, book], SCHEMA, ledger=tmp_path / "l.sqlite", max_pages=2, max_credits=1000
    )
    assert "Estimate: 2 documents, 4 pages, about 32 credits" in capsys.readouterr().out
    usage = results.usage.set_index(results.usage["file"].map(lambda f: Path(f).name))
    assert list(usage["status"]) == ["COMPLETED", "COMPLETED"]
    # the local server reports pages as the cloud counts them: PDF pages read, sheets
    assert usage.loc["usage-five.pdf", "pages_billed"] == 2
    assert usage.loc["usage-book.xlsx", "pages_billed"] == 2
    assert list(usage["pages_billed"]) == list(usage["estimated_pages"])
    assert usage.loc["usage-five.pdf", "estimated_credits"] == 16
    single = client.extract(pdf, SCHEMA, max_pages=1)
    assert single.usage["pages_billed"] == 1
    assert single.usage["credits"] == 0.0  # the local server bills nothing


@pytest.mark.slow
async def test_studio_shows_reported_usage_beside_the_estimate_after_a_run(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from llamaextract_nb.widgets.studio import Studio

    monkeypatch.chdir(tmp_path)  # the Studio's ledger
    studio = Studio(client)
    try:
        studio.add_files(str(make_pdf(tmp_path / "studio-usage.pdf", 3)))
        studio.schema = SCHEMA
        studio.options = {"max_pages": 2}
        assert "1 document, 2 pages, about 16 credits" in studio.run_panel.estimate.value
        await asyncio.wait_for(studio.run(), 120)
        label = studio.run_panel.estimate.value
        assert "estimated 1 document, 2 pages, about 16 credits" in label
        assert "reported: 2 pages billed" in label
        studio.options = {"max_pages": 1}  # a change of options shows the new estimate
        assert "reported" not in studio.run_panel.estimate.value
    finally:
        studio.close()
