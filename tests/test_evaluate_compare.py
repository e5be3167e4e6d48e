"""lx.compare: changes between runs under the matching rules, accuracy per run with truth,
the view (improvements green, regressions red); results renamed to the truth's names."""

from __future__ import annotations

from typing import Any

import pytest

import llamaextract_nb as lx
from llamaextract_nb.results import BatchResult, ExtractResult

SCHEMA = {
    "type": "object",
    "properties": {"vendor": {"type": "string"}, "total": {"type": "number"},
                   "date": {"type": "string", "format": "date"}},
}  # fmt: skip


def run(name: str, data: dict[str, Any], confidence: float = 0.9) -> ExtractResult:
    meta = {
        "document_metadata": {
            key: {
                "confidence": confidence,
                "citation": [{"page": 1, "matching_text": f"{key}: {value}"}],
            }
            for key, value in data.items()
            if value is not None
        }
    }
    job = {
        "id": f"job-{name}-{confidence}",
        "status": "COMPLETED",
        "extract_result": data,
        "extract_metadata": {"field_metadata": meta},
        "configuration": {"extraction_target": "per_doc", "data_schema": SCHEMA},
    }
    return ExtractResult(job, name=name)


BEFORE = BatchResult(
    [
        run("a.pdf", {"vendor": "ACME", "total": 10.0, "date": None}, 0.6),
        run("b.pdf", {"vendor": "Globex", "total": 20.0, "date": "2024-01-02"}, 0.6),
    ]
)
AFTER = BatchResult(
    [
        run("a.pdf", {"vendor": "acme", "total": 12.0, "date": "2024-01-01"}),
        run("b.docx", {"vendor": "Globex", "total": "20.00", "date": None}),
    ]
)
TRUTH = {"a": {"vendor": "ACME", "total": 12, "date": "2024-01-01"},
         "b": {"vendor": "Globex", "total": 20, "date": "2024-01-02"}}  # fmt: skip


def test_changes_follow_the_matching_rules() -> None:
    comparison = lx.compare(BEFORE, AFTER)
    summary = comparison.summary.set_index("field")
    # "ACME" -> "acme" and 20.0 -> "20.00" are the same values; documents match by stem
    assert summary.loc["vendor", ["documents", "changed", "gained", "lost"]].tolist() == [
        2,
        0,
        0,
        0,
    ]
    assert summary.loc["total", ["changed", "gained", "lost"]].tolist() == [1, 0, 0]
    assert summary.loc["date", ["changed", "gained", "lost"]].tolist() == [0, 1, 1]
    changes = comparison.changes
    assert list(zip(changes["file"], changes["path"], changes["change"], strict=True)) == [
        ("a.pdf", "total", "changed"),
        ("a.pdf", "date", "gained"),
        ("b.docx", "date", "lost"),
    ]
    total = changes.iloc[0]
    assert (total.value_A, total.value_B, total.confidence_A, total.confidence_B) == (
        10.0,
        12.0,
        0.6,
        0.9,
    )
    assert (total.matching_text_A, total.matching_text_B) == ("total: 10.0", "total: 12.0")
    assert comparison.documents == 2
    with pytest.raises(ValueError, match="accuracy needs truth"):
        comparison.accuracy  # noqa: B018


def test_with_truth_accuracy_per_run_and_the_delta() -> None:
    comparison = lx.compare(BEFORE, AFTER, truth=TRUTH, names=["v1", "v2"])
    summary = comparison.summary.set_index("field")
    assert summary.loc["total", ["accuracy_v1", "accuracy_v2", "delta"]].tolist() == [0.5, 1.0, 0.5]
    assert summary.loc["date", ["accuracy_v1", "accuracy_v2", "delta"]].tolist() == [0.5, 0.5, 0.0]
    assert summary.loc[
        "total", ["correct_v1", "graded_v1", "correct_v2", "graded_v2"]
    ].tolist() == [
        1,
        2,
        2,
        2,
    ]
    assert list(comparison.summary["field"])[-1] == "total"  # regressions first, gains last
    assert comparison.accuracy == {"v1": pytest.approx(4 / 6), "v2": pytest.approx(5 / 6)}
    changes = comparison.changes.set_index(["file", "path"])
    assert changes.loc[("a.pdf", "total"), ["expected", "outcome_v1", "outcome_v2"]].tolist() == [
        12,
        "wrong",
        "correct",
    ]


def test_view_shows_improvements_green_and_regressions_red() -> None:
    regressed = BatchResult([run("a.pdf", {"vendor": "Initech", "total": 12.0, "date": None})])
    comparison = lx.compare(BEFORE, AFTER, regressed, truth=TRUTH, names=["v1", "v2", "v3<"])
    summary = comparison.summary.set_index("field")
    assert {"accuracy_v1", "accuracy_v2", "accuracy_v3<"} <= set(summary.columns)
    html = comparison.html()
    assert 'class="lx-improved"' in html and "▲ +50%" in html  # total: 1/2 -> 1/1
    assert 'class="lx-regressed"' in html and "▼ -100%" in html  # vendor: 2/2 -> 0/1
    assert "v3&lt;" in html and "v3<" not in html
    assert "<script" not in html and comparison._repr_html_() == html
    assert repr(comparison) == "Comparison(v1 -> v2 -> v3<, documents=1, changes=2)"


def test_compare_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="at least two runs"):
        lx.compare(BEFORE)
    with pytest.raises(TypeError, match="run 2 is a str"):
        lx.compare(BEFORE, "after")
    with pytest.raises(ValueError, match="one distinct name per run"):
        lx.compare(BEFORE, AFTER, names=["x", "x"])
    single = lx.compare(BEFORE[0], [AFTER[0]])
    assert single.documents == 1


def test_documents_pair_by_name_before_stem() -> None:
    formats = [run("x.pdf", {"total": 1.0}), run("x.docx", {"total": 2.0})]
    again = [run("x.docx", {"total": 2.0}), run("x.pdf", {"total": 1.0})]
    assert lx.compare(formats, again).changes.empty  # x.pdf with x.pdf, x.docx with x.docx
    assert lx.compare([formats[0]], [run("x.txt", {"total": 3.0})]).documents == 1
    changed = [run("x.docx", {"total": 1.0}), run("x.pdf", {"total": 5.0})]
    with_truth = lx.compare(formats, changed, truth={"x": {"total": 1}}).changes
    assert with_truth[["file", "value_A", "value_B", "outcome_A", "outcome_B"]].values.tolist() == [
        ["x.pdf", 1.0, 5.0, "correct", "wrong"],
        ["x.docx", 2.0, 1.0, "wrong", "correct"],
    ]


def test_rename_maps_a_runs_fields_onto_the_truths_names() -> None:
    draft = run("a.pdf", {"name": "ACME", "amount": 12.0})
    renamed = draft.rename({"name": "vendor", "amount": "total"})
    assert renamed.data == {"vendor": "ACME", "total": 12.0}
    assert list(renamed.fields["path"]) == ["vendor", "total"]
    assert renamed.fields["confidence"].tolist() == [0.9, 0.9]
    draft_schema = {
        "type": "object",
        "properties": {"name": {}, "amount": {}},
        "required": ["name"],
    }
    with_schema = ExtractResult(draft.raw, name="a.pdf", schema=draft_schema).rename(
        {"name": "vendor"}
    )
    assert with_schema.schema == {
        "type": "object",
        "properties": {"vendor": {}, "amount": {}},
        "required": ["vendor"],
    }
    assert (
        renamed.raw["configuration"]["data_schema"]["properties"].keys()
        == SCHEMA["properties"].keys()
    )
    assert draft.data == {"name": "ACME", "amount": 12.0}  # the original is unchanged
    evaluation = BatchResult([draft]).rename({"name": "vendor"}).evaluate({"a": {"vendor": "acme"}})
    assert list(evaluation.details["outcome"]) == ["correct"]
    with pytest.raises(ValueError, match="clashes"):
        draft.rename({"name": "amount"})
    with pytest.raises(ValueError, match="two fields one name"):
        draft.rename({"name": "x", "amount": "x"})
