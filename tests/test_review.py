"""Review: the queue's selection and order, typed corrections, durable and atomic decisions in
the gold folder, resume, accept_rest, evidence, and the Review widget (headless)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF

import llamaextract_nb as lx
from llamaextract_nb.evaluate.corrections import CorrectionError
from llamaextract_nb.evaluate.review import Review
from llamaextract_nb.results import BatchResult, ExtractResult

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["vendor", "total", "invoice_number"],
    "properties": {
        "vendor": {"type": "string"},
        "invoice_number": {"type": "string"},
        "total": {"type": "number"},
        "date": {"type": "string", "format": "date"},
        "currency": {"type": "string", "enum": ["USD", "EUR"]},
        "quantity": {"type": "integer"},
        "note": {"type": "string"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"amount": {"type": "number"}}},
        },
    },
}


def entry(confidence: float | None, text: str | None = None, box: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if confidence is not None:
        meta["confidence"] = confidence
    if text is not None:
        citation: dict[str, Any] = {"page": 1, "matching_text": text}
        if box:
            citation["bounding_boxes"] = [{"x": 72, "y": 300, "w": 160, "h": 14}]
            citation["page_dimensions"] = {"width": 595.28, "height": 841.89}
        meta["citation"] = [citation]
    return meta


def make_job(job_id: str = "ext-1", **changes: Any) -> dict[str, Any]:
    data = {
        "vendor": "ACME Ltd",  # fine
        "invoice_number": None,  # required, empty
        # "total" absent altogether: required, missing
        "date": "2024-01-02",  # citation does not contain it
        "currency": "USD",  # low confidence and a citation mismatch
        "quantity": 12,  # lowest confidence
        "note": "see terms",  # low confidence
        "items": [{"amount": 3.5}, {"amount": 4}],
    }
    data.update(changes)
    metadata = {
        "vendor": entry(0.97, "Vendor: ACME Ltd", box=True),
        "invoice_number": entry(None),
        "date": entry(0.95, "Date: 3 Jan 2024"),
        "currency": entry(0.6, "Amounts in euro"),
        "quantity": entry(0.3, "Qty 12"),
        "note": entry(0.7, "Note: see terms"),
        "items": [{"amount": entry(0.99, "3.50")}, {"amount": entry(0.75, "4.00")}],
    }
    return {
        "id": job_id,
        "status": "COMPLETED",
        "configuration": {"data_schema": SCHEMA, "extraction_target": "per_doc"},
        "extract_result": data,
        "extract_metadata": {"field_metadata": {"document_metadata": metadata}},
    }


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    document.set_font("Helvetica", size=12)
    for line, text in enumerate(["INVOICE", "Vendor: ACME Ltd", "Date: 3 Jan 2024", "Qty 12"]):
        document.set_xy(72, 280 + 20 * line)
        document.cell(300, 14, text)
    path = tmp_path / "invoice.pdf"
    document.output(str(path))
    return path


@pytest.fixture
def result(pdf: Path) -> ExtractResult:
    return ExtractResult(make_job(), source=pdf)


def test_queue_selection_and_worst_first_order(result: ExtractResult, tmp_path: Path) -> None:
    review = Review(result, threshold=0.8, gold=tmp_path / "gold")
    items = review.items
    assert list(zip(items["path"], items["reasons"], strict=True)) == [
        ("invoice_number", "required_empty"),
        ("total", "required_empty"),
        ("currency", "citation_mismatch, low_confidence"),  # two reasons before one
        ("date", "citation_mismatch"),
        ("quantity", "low_confidence"),  # lowest confidence first
        ("note", "low_confidence"),
        ("items[1].amount", "low_confidence"),
    ]
    assert list(items["position"]) == list(range(1, 8))
    assert review.progress == "0 of 7 checked"
    assert review.current is not None and review.current.path == "invoice_number"
    assert "vendor" not in set(items["path"])  # confident, cited, present: not queued
    assert len(Review(result, threshold=0.5, gold=tmp_path / "g2").items) == 5


def test_two_runs_queue_what_they_disagree_on(result: ExtractResult, tmp_path: Path) -> None:
    other = ExtractResult(
        make_job("ext-2", vendor="ACME Limited", note="SEE  Terms", quantity=12.0), name=result.name
    )
    review = Review(result, threshold=0.0, gold=tmp_path / "gold", compare_with=[other])
    items = review.items.set_index("path")
    assert items.loc["vendor", "reasons"] == "disagreement"
    assert items.loc["vendor", "other_value"] == "ACME Limited"
    assert "note" not in items.index  # same text ignoring case and spacing
    assert "quantity" not in items.index  # 12 == 12.0
    assert items.index[0] in ("invoice_number", "total")  # required_empty still first


def test_typed_corrections_and_bad_input_writes_nothing(
    result: ExtractResult, tmp_path: Path
) -> None:
    gold = tmp_path / "gold"
    review = Review(result, gold=gold, reviewer="ana")
    assert review.correct("invoice.pdf", "total", "1,234.50").decided_value == 1234.5
    before = (gold / "invoice.json").read_text()
    log_before = (gold / "_review_log.jsonl").read_text()
    bad = [
        ("total", "twelve", "'twelve' is not a number"),
        ("quantity", "12.5", "not a whole number"),
        ("date", "12/03/2024", "YYYY-MM-DD"),
        ("currency", "JPY", "one of: USD, EUR"),
        ("note", "  ", "choose Missing"),
    ]
    for path, typed, said in bad:
        with pytest.raises(CorrectionError, match=said):
            review.correct("invoice.pdf", path, typed)
    assert (gold / "invoice.json").read_text() == before
    assert (gold / "_review_log.jsonl").read_text() == log_before
    review.correct("invoice.pdf", "currency", "eur")
    review.correct("invoice.pdf", "quantity", "13")
    review.correct("invoice.pdf", "date", "2024-01-03")
    assert json.loads((gold / "invoice.json").read_text()) == {
        "total": 1234.5,
        "currency": "EUR",
        "quantity": 13,
        "date": "2024-01-03",
    }


def test_decisions_resume_and_feed_truth(result: ExtractResult, tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    first = Review(result, gold=gold, reviewer="ana")
    first.missing()  # invoice_number: the document has none
    first.skip()  # total: later
    first.accept("invoice.pdf", "currency")
    first.correct("invoice.pdf", "items[1].amount", "4.25")
    assert first.progress == "3 of 7 checked"

    resumed = Review(result, gold=gold, reviewer="ben")  # a new kernel, the same folder
    statuses = dict(zip(resumed.items["path"], resumed.items["status"], strict=True))
    assert statuses == {
        "invoice_number": "missing",
        "total": "skipped",
        "currency": "accepted",
        "date": "pending",
        "quantity": "pending",
        "note": "pending",
        "items[1].amount": "corrected",
    }
    assert resumed.progress == "3 of 7 checked"
    assert resumed.current is not None and resumed.current.path == "date"
    truth = lx.Truth.from_folder(gold)  # the log beside it is ignored
    assert truth["invoice.pdf"] == {
        "invoice_number": None,
        "currency": "USD",
        "items": [{}, {"amount": 4.25}],
    }
    log = [json.loads(line) for line in (gold / "_review_log.jsonl").read_text().splitlines()]
    assert [(e["who"], e["path"], e["decision"]) for e in log] == [
        ("ana", "invoice_number", "missing"),
        ("ana", "total", "skip"),
        ("ana", "currency", "accept"),
        ("ana", "items[1].amount", "correct"),
    ]
    for name in ("date", "quantity", "note"):
        resumed.accept("invoice.pdf", name)
    assert resumed.current is not None and resumed.current.path == "total"  # skipped come last
    corrected = resumed.corrected.set_index("path")
    assert corrected.loc["items[1].amount", "value"] == 4.25
    assert corrected.loc["items[1].amount", "extracted"] == 4
    assert bool(corrected.loc["items[1].amount", "reviewed"])
    assert not bool(corrected.loc["vendor", "reviewed"])
    assert corrected.loc["vendor", "value"] == "ACME Ltd"


def test_only_decided_values_are_truth_unless_accept_rest(
    result: ExtractResult, tmp_path: Path
) -> None:
    gold = tmp_path / "gold"
    review = Review(result, gold=gold)
    review.correct("invoice.pdf", "note", "see terms overleaf")
    assert set(lx.Truth.from_folder(gold)["invoice"]) == {"note"}
    written = review.accept_rest()
    truth = lx.Truth.from_folder(gold)["invoice"]
    assert written == 8  # every other value: 7 extracted, and the absent total as null
    assert truth["note"] == "see terms overleaf"  # a decision is never overwritten
    assert truth["vendor"] == "ACME Ltd"
    assert truth["items"] == [{"amount": 3.5}, {"amount": 4}]
    assert truth["total"] is None
    assert review.progress == "7 of 7 checked"
    assert review.current is None


def test_a_hand_edit_of_the_gold_file_counts(result: ExtractResult, tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "invoice.json").write_text(json.dumps({"date": "2024-01-03"}))
    review = Review(result, gold=gold)
    item = next(i for i in review.queue if i.path == "date")
    assert item.status == "corrected" and item.decided_value == "2024-01-03"


def test_a_failed_replace_leaves_the_previous_gold_file(
    result: ExtractResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "gold"
    review = Review(result, gold=gold)
    review.accept("invoice.pdf", "currency")
    before = (gold / "invoice.json").read_text()

    def broken_replace(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        review.correct("invoice.pdf", "total", "99")
    monkeypatch.undo()
    assert (gold / "invoice.json").read_text() == before
    assert sorted(p.name for p in gold.iterdir()) == ["_review_log.jsonl", "invoice.json"]


CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from llamaextract_nb.evaluate.review import Review
    from llamaextract_nb.results import ExtractResult
    import json
    job = json.loads(sys.argv[1])
    review = Review(ExtractResult(job, name="invoice.pdf"), gold=sys.argv[2])
    real_fsync = os.fsync
    def die(fd):  # the new content is written to the temporary file: die before the rename
        real_fsync(fd)
        os.kill(os.getpid(), signal.SIGKILL)
    os.fsync = die
    review.correct("invoice.pdf", "total", "555")
    """
)


def test_a_process_killed_mid_write_leaves_the_previous_gold_file(
    result: ExtractResult, tmp_path: Path
) -> None:
    gold = tmp_path / "gold"
    Review(result, gold=gold).correct("invoice.pdf", "total", "100")
    before = (gold / "invoice.json").read_text()
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, json.dumps(make_job()), str(gold)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crashed.returncode == -9, crashed.stderr
    assert (gold / "invoice.json").read_text() == before
    resumed = Review(result, gold=gold)
    total = next(i for i in resumed.queue if i.path == "total")
    assert total.decided_value == 100
    assert lx.Truth.from_folder(gold)["invoice"] == {"total": 100}


def test_per_page_truth_is_listed_by_page(tmp_path: Path) -> None:
    job = {
        "id": "ext-pp",
        "status": "COMPLETED",
        "configuration": {
            "data_schema": {"type": "object", "properties": {"total": {"type": "number"}}},
            "extraction_target": "per_page",
            "target_pages": "2-3",
        },
        "extract_result": [{"total": 5}, {"total": 7}],
        "extract_metadata": {
            "field_metadata": {
                "page_metadata": [{"total": entry(0.9, "5")}, {"total": entry(0.2, "7")}]
            }
        },
    }
    review = Review(ExtractResult(job, name="pages.pdf"), gold=tmp_path / "gold")
    assert list(review.items["path"]) == ["[2].total"]  # page 3
    review.correct("pages.pdf", "[2].total", "7.5")
    assert lx.Truth.from_folder(tmp_path / "gold")["pages"] == [{}, {}, {"total": 7.5}]


def test_documents_sharing_a_stem_are_refused(result: ExtractResult, tmp_path: Path) -> None:
    twin = ExtractResult(make_job("ext-9"), name="invoice.txt")
    with pytest.raises(ValueError, match=r"share the gold file invoice\.json"):
        Review(BatchResult([result, twin]), gold=tmp_path / "gold")
    with pytest.raises(TypeError, match="Review needs extraction results"):
        Review("results.json", gold=tmp_path / "gold")


def test_evidence_is_the_cropped_page_region_for_a_pdf(
    result: ExtractResult, tmp_path: Path
) -> None:
    review = Review(result, threshold=0.99, gold=tmp_path / "gold")
    vendor = next(i for i in review.queue if i.path == "vendor")
    html = review.evidence(vendor, width=400)
    assert 'src="data:image/jpeg;base64,' in html and "Page 1" in html
    from base64 import b64decode
    from io import BytesIO

    from PIL import Image

    encoded = html.split("base64,")[1].split('"')[0]
    image = Image.open(BytesIO(b64decode(encoded)))
    assert image.width == 400
    assert image.height < 400 * 841.89 / 595.28 / 2  # a crop, not the whole page


def test_evidence_for_text_is_the_cited_line_in_its_neighbours(tmp_path: Path) -> None:
    text = tmp_path / "memo.txt"
    text.write_text(
        "Header\nMEMO\nFrom: <script>alert(1)</script>\nVendor: ACME Ltd\n"
        "Total due: 1,785.00\nBank: 1\nThanks\n"
    )
    job = make_job("ext-t")
    job["extract_metadata"]["field_metadata"]["document_metadata"]["vendor"] = entry(
        0.4, "Vendor: ACME Ltd"
    )
    review = Review(ExtractResult(job, source=text), gold=tmp_path / "gold")
    vendor = next(i for i in review.queue if i.path == "vendor")
    html = review.evidence(vendor)
    assert "<mark>ACME Ltd</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "Total due: 1,785.00" in html and "MEMO" in html  # two lines each side
    assert "Thanks" not in html and "Header" not in html


def test_the_widget_shows_the_value_and_sends_decisions(
    result: ExtractResult, tmp_path: Path
) -> None:
    from llamaextract_nb.widgets.review_view import ReviewView

    gold = tmp_path / "gold"
    view = ReviewView(Review(result, gold=gold))
    assert "0 of 7 checked" in view.progress.value
    assert "invoice_number" in view.item_html.value
    view.missing_button.click()
    assert "1 of 7 checked" in view.progress.value and "total" in view.item_html.value
    view.value_text.value = "lots"
    view.correct_button.click()
    assert "is not a number" in view.message.value and "nothing was saved" in view.message.value
    assert "total" not in json.loads((gold / "invoice.json").read_text())
    view.value_text.value = "1,785.00"
    view.correct_button.click()
    assert view.message.value == ""
    assert json.loads((gold / "invoice.json").read_text())["total"] == 1785.0
    assert "currency" in view.item_html.value
    assert view.value_box.children == (view.value_choice,)  # an enum is a choice
    view.value_choice.value = "EUR"
    view.correct_button.click()
    view.shortcut_keys.value = "s"  # shortcut: skip the date
    assert view.shortcut_keys.value == ""
    assert "quantity" in view.item_html.value
    view.shortcut_keys.value = "a"
    assert "4 of 7 checked" in view.progress.value
    # Enter in the value box (the frontend's submit message): unchanged accepts...
    assert "note" in view.item_html.value
    view.value_text._handle_custom_msg({"event": "submit"}, [])
    assert "5 of 7 checked" in view.progress.value
    assert json.loads((gold / "invoice.json").read_text())["note"] == "see terms"
    # ... and edited saves the correction
    view.value_text.value = "4.5"
    view.value_text._handle_custom_msg({"event": "submit"}, [])
    assert json.loads((gold / "invoice.json").read_text())["items"][1] == {"amount": 4.5}
    assert "Last decisions" in view.recent.value and "EUR" in view.recent.value


def test_the_studio_has_a_review_tab(result: ExtractResult, tmp_path: Path) -> None:
    from llamaextract_nb.widgets.studio import Studio

    class Offline:
        base_url = "http://offline"

    studio = Studio(Offline())  # type: ignore[arg-type]
    try:
        assert "Review" in studio.outputs.titles
        studio.review_tab.start_button.click()
        assert "run an extraction first" in studio.review_tab.message.value
        studio.review_tab.gold.value = str(tmp_path / "gold")
        review = studio.review_tab.start(BatchResult([result]))
        assert review.gold == str(tmp_path / "gold")
        assert "0 of 7 checked" in studio.review_tab.body.children[0].progress.value
    finally:
        studio.close()


def test_evidence_for_an_image_is_its_cropped_region(tmp_path: Path) -> None:
    from PIL import Image

    scan = tmp_path / "scan.png"
    Image.new("RGB", (800, 1000), "white").save(scan)
    job = make_job("ext-img")
    vendor = entry(0.4, "Vendor: ACME Ltd")
    vendor["citation"][0]["bounding_boxes"] = [{"x": 100, "y": 500, "w": 200, "h": 30}]
    vendor["citation"][0]["page_dimensions"] = {"width": 800, "height": 1000}
    job["extract_metadata"]["field_metadata"]["document_metadata"]["vendor"] = vendor
    review = Review(ExtractResult(job, source=scan), gold=tmp_path / "gold")
    html = review.evidence(next(i for i in review.queue if i.path == "vendor"), width=400)
    assert 'src="data:image/jpeg;base64,' in html
    from base64 import b64decode
    from io import BytesIO

    image = Image.open(BytesIO(b64decode(html.split("base64,")[1].split('"')[0])))
    assert image.width == 400 and image.height < 200  # the band around the box, scaled
