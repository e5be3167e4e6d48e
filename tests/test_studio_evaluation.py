"""The Studio grades its runs: truth attached in the Documents tab (or brought by samples),
the Evaluation tab with the change since the previous run of the same documents, and two runs
of the history compared. The delta rule is tested on hand-made evaluations; the whole loop on
the real local server with a shipped sample set."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import llamaextract_nb as lx
from llamaextract_nb.client import Client
from llamaextract_nb.evaluate import evaluate
from llamaextract_nb.evaluate.delta import field_delta, field_delta_html
from llamaextract_nb.results import ExtractResult


def _result(name: str, data: dict[str, Any]) -> ExtractResult:
    return ExtractResult({"id": f"ext-{name}", "status": "COMPLETED", "extract_result": data},
                         name=name)  # fmt: skip


TRUTH = lx.Truth.from_dict(
    {f"d{n}.pdf": {"total": 10.0 * n, "vendor": f"Vendor {n}"} for n in range(1, 11)}
)


def test_field_delta_counts_correct_of_graded_per_field() -> None:
    # run 1: totals right on 7 of 10 documents, vendors on 10; run 2: totals on 9, vendors on 8
    before = [
        _result(f"d{n}.pdf", {"total": 10.0 * n if n <= 7 else -1.0, "vendor": f"Vendor {n}"})
        for n in range(1, 11)
    ]
    after = [
        _result(
            f"d{n}.pdf",
            {"total": 10.0 * n if n <= 9 else -1.0, "vendor": f"Vendor {n}" if n <= 8 else "X"},
        )
        for n in range(1, 11)
    ]
    delta = field_delta(evaluate(before, TRUTH), evaluate(after, TRUTH))
    rows = delta.set_index("field")
    assert rows.loc["total", ["correct_before", "graded_before"]].tolist() == [7, 10]
    assert rows.loc["total", ["correct_after", "graded_after"]].tolist() == [9, 10]
    assert rows.loc["total", "trend"] == "improved"
    assert rows.loc["vendor", "trend"] == "regressed"
    assert delta["field"].tolist() == ["vendor", "total"]  # regressions first
    html = field_delta_html(delta, "#1", "#2")
    assert "7/10" in html and "9/10 ▲" in html and "8/10 ▼" in html
    assert "1 field(s) improved, 1 regressed" in html


def test_a_field_graded_in_one_run_only_counts_as_zero_in_the_other() -> None:
    before = [_result("d1.pdf", {"total": 10.0})]
    after = [_result("d1.pdf", {"total": 10.0, "vendor": "Vendor 1"})]
    truth_total = lx.Truth.from_dict({"d1.pdf": {"total": 10.0}})
    delta = field_delta(evaluate(before, truth_total), evaluate(after, TRUTH))
    rows = delta.set_index("field")
    assert rows.loc["vendor", ["graded_before", "correct_after", "trend"]].tolist() == [
        0,
        1,
        "improved",
    ]


def test_field_names_in_the_delta_are_escaped() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    truth = lx.Truth.from_dict({"a.pdf": {hostile: "v"}})
    evaluation = evaluate([_result("a.pdf", {hostile: "v"})], truth)
    html = field_delta_html(field_delta(evaluation, evaluation), "#1", "#2")
    assert hostile not in html and "&lt;img" in html


@pytest.fixture
def offline_studio() -> lx.Studio:
    return lx.Studio(Client(base_url="http://127.0.0.1:9", api_key="llx-unused"))


def test_truth_is_attached_by_path_and_bad_paths_are_explained(
    offline_studio: lx.Studio, tmp_path: Path
) -> None:
    studio = offline_studio
    assert studio.truth is None and studio.evaluation is None
    gold = tmp_path / "gold"
    TRUTH.to_folder(gold)
    studio.truth_picker.path.value = str(gold)
    studio.truth_picker.attach_button.click()
    assert studio.truth is not None and len(studio.truth) == 10
    assert "Truth attached for 10 document(s)" in studio.truth_picker.status.value
    studio.truth_picker.path.value = str(tmp_path / "missing")
    studio.truth_picker.attach_button.click()  # shown, not raised
    assert "Truth not attached" in studio.truth_picker.status.value
    with pytest.raises(ValueError, match="truth not attached"):
        studio.truth = str(tmp_path / "missing.jsonl")
    studio.truth = None
    assert studio.truth is None


def test_samples_bring_their_truth_and_attached_truth_wins(
    offline_studio: lx.Studio, tmp_path: Path
) -> None:
    studio = offline_studio
    studio.add_sample_set("receipts")
    receipts = lx.samples.folder("receipts")
    assert len(studio.file_picker.files) == len(receipts.files)
    assert studio.truth == receipts.truth
    assert studio.schema == lx.Schema.from_dict(receipts.schema)
    first = receipts.files[0].stem
    studio.truth = {first: {"total_amount": 1.0}}
    truth = studio.truth
    assert truth is not None and truth[first] == {"total_amount": 1.0}
    assert len(truth) == len(receipts.files)


VAGUE = {
    "type": "object",
    "properties": {
        "number": {"type": "string", "description": "number"},
        "date": {"type": "string", "description": "a date"},
        "amount": {"type": "number", "description": "an amount"},
    },
}


@pytest.mark.slow
async def test_runs_are_graded_with_the_change_since_the_last_run(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the run ledger stays in the test
    studio = lx.Studio(client)
    studio.add_sample_set("invoices")
    reference = studio.schema
    assert "Evaluation" not in [studio.outputs.get_title(i) for i in range(3)]
    # v1: vague names (graded under the truth's names through the schema's own fields)
    studio.schema = {
        "type": "object",
        "properties": {
            "invoice_number": {"type": "string", "description": "number"},
            "total_amount": {"type": "string", "description": "amount"},
        },
    }
    await asyncio.wait_for(studio.run(), 180)
    first = studio.evaluation
    assert first is not None and first.documents
    titles = [studio.outputs.get_title(i) for i in range(len(studio.outputs.children))]
    assert titles[-1] == "Evaluation"
    assert "the first graded run of these documents" in studio.evaluation_tab.delta.value
    # v2: the reference schema
    studio.schema = reference
    await asyncio.wait_for(studio.run(), 180)
    second = studio.evaluation
    assert second is not None and second is not first
    delta = studio.evaluation_tab.delta.value
    assert "Against run #1" in delta and "total_amount" in delta
    assert second.accuracy > first.accuracy
    # the history compares the two runs against the same truth
    comparison = studio.history.compare(1, 2)
    assert set(comparison.accuracy) == {"#1", "#2"}
    assert comparison.accuracy["#2"] > comparison.accuracy["#1"]
    assert (studio.history.choice.value, studio.history.other.value) == (2, 1)  # the newest two
    studio.history.compare_button.click()
    assert "#2" in studio.history.comparison.value
    studio.history.other.value = 2
    studio.history.compare_button.click()
    assert "choose two different runs" in studio.history.comparison.value
    # bringing back run #1 shows its evaluation again
    studio.history.restore(1)
    assert studio.evaluation is first
    json.dumps(first.summary.to_dict())  # plain data, usable from code
