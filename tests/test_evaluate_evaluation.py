"""Evaluation against truth: outcomes, array alignment, per_page / per_table_row truth,
partial truth, per-field rules, summary figures, calibration, the threshold picker, the view."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

import llamaextract_nb as lx
from llamaextract_nb.evaluate import Evaluation
from llamaextract_nb.evaluate.evaluation import details_frame
from llamaextract_nb.results import BatchResult, ExtractResult

SCHEMA = {
    "type": "object",
    "properties": {
        "vendor_name": {"type": "string"},
        "total": {"type": "number"},
        "date": {"type": "string", "format": "date"},
        "currency": {"type": "string", "enum": ["USD", "EUR"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"description": {"type": "string"}, "amount": {"type": "number"}},
            },
        },
    },
}


def result(
    data: Any,
    *,
    name: str = "invoice.pdf",
    target: str = "per_doc",
    metadata: dict[str, Any] | None = None,
    status: str = "COMPLETED",
    schema: dict[str, Any] | None = SCHEMA,
) -> ExtractResult:
    job: dict[str, Any] = {
        "id": f"job-{name}",
        "status": status,
        "extract_result": data if status == "COMPLETED" else None,
        "configuration": {"extraction_target": target, "data_schema": schema or {}},
    }
    if metadata is not None:
        job["extract_metadata"] = {"field_metadata": metadata}
    return ExtractResult(job, name=name)


def outcomes(evaluation: Evaluation) -> dict[str, str]:
    return dict(zip(evaluation.details["path"], evaluation.details["outcome"], strict=True))


def test_each_outcome_and_the_details_row() -> None:
    extracted = {"vendor_name": "ACME, Inc.", "total": "1,785.00", "date": "2024-03-13"}
    meta = {
        "document_metadata": {
            "vendor_name": {
                "confidence": 0.9,
                "citation": [{"page": 2, "matching_text": "Seller: ACME Inc."}],
            },
            "date": {"confidence": 0.7},
        }
    }
    truth = {"invoice.pdf": {"vendor_name": "acme inc", "total": 1785, "date": "12.03.2024",
                             "currency": "USD", "tags": None}}  # fmt: skip
    evaluation = result(extracted, metadata=meta).evaluate(truth)
    assert outcomes(evaluation) == {
        "vendor_name": "correct",
        "total": "correct",  # the number however printed
        "date": "wrong",  # 13 March vs 12 March
        "currency": "missed",
        "tags": "correct",  # null expected, nothing extracted
    }
    row = evaluation.details.set_index("path").loc["vendor_name"]
    assert (row.file, row.expected, row.extracted, row.score) == (
        "invoice.pdf",
        "acme inc",
        "ACME, Inc.",
        1.0,
    )
    assert (row.confidence, row.page, row.matching_text, row.rule) == (
        0.9,
        2,
        "Seller: ACME Inc.",
        "text",
    )
    assert evaluation.details.set_index("path").loc["currency", "rule"] == "exact"
    assert evaluation.counts == {"correct": 3, "wrong": 1, "missed": 1, "spurious": 0}


def test_explicit_null_makes_a_value_spurious_and_absent_fields_are_not_graded() -> None:
    extracted = {"vendor_name": "ACME", "total": 10, "currency": "USD", "tags": ["x"]}
    evaluation = result(extracted).evaluate({"invoice": {"total": None, "tags": []}})
    assert outcomes(evaluation) == {"total": "spurious", "tags": "spurious"}
    assert set(evaluation.summary["field"]) == {"total", "tags"}  # vendor_name not graded


def test_array_rows_are_paired_by_similarity_not_by_index() -> None:
    truth = {
        "invoice": {
            "line_items": [
                {"description": "Bolt M6", "amount": 2.0},
                {"description": "Nut M6", "amount": 1.0},
                {"description": "Washer", "amount": 0.5},
            ]
        }
    }
    # the extraction lists the rows in another order, one amount printed differently,
    # misses the washer and invents a row
    extracted = {
        "line_items": [
            {"description": "Nut M6", "amount": "1.00"},
            {"description": "Gasket", "amount": 9.0},
            {"description": "bolt m6", "amount": 2},
        ]
    }
    evaluation = result(extracted).evaluate(truth)
    details = evaluation.details
    spurious = details[details["outcome"] == "spurious"]
    assert list(spurious["path"]) == ["line_items[1].description", "line_items[1].amount"]
    assert list(spurious["extracted"]) == ["Gasket", 9.0]
    graded = details[details["outcome"] != "spurious"]
    assert list(graded["path"]) == [f"line_items[{i}].{c}" for i in range(3)
                                    for c in ("description", "amount")]  # fmt: skip
    assert list(graded["outcome"]) == ["correct"] * 4 + ["missed"] * 2
    assert list(graded["extracted"])[:4] == ["bolt m6", 2, "Nut M6", "1.00"]
    summary = evaluation.summary.set_index("field")
    # index order would have graded Bolt vs Nut and Nut vs Gasket: 0 of 4 right
    assert summary.loc["line_items[].amount", ["correct", "missed", "spurious"]].tolist() == [
        2,
        1,
        1,
    ]


def test_arrays_of_scalars_get_partial_credit() -> None:
    evaluation = result({"tags": ["b", "a", "z"]}).evaluate({"invoice": {"tags": ["a", "b", "c"]}})
    row = evaluation.details.iloc[0]
    assert (row.path, row.outcome, row.score, row.rule) == ("tags", "wrong", 0.5, "set")
    assert evaluation.summary.loc[0, "accuracy"] == 0.5


def test_summary_figures_by_hand() -> None:
    # 4 documents, field total: correct, correct, wrong, missed; plus one spurious
    results = [
        result({"total": 1.0}, name="a.pdf"),
        result({"total": 2.0}, name="b.pdf"),
        result({"total": 3.0}, name="c.pdf"),
        result({"total": None}, name="d.pdf"),
        result({"total": 5.0}, name="e.pdf"),
    ]
    truth = {"a": {"total": 1}, "b": {"total": 2}, "c": {"total": 4}, "d": {"total": 4},
             "e": {"total": None}}  # fmt: skip
    row = BatchResult(results).evaluate(truth).summary.iloc[0]
    assert (row.graded, row.correct, row.wrong, row.missed, row.spurious) == (5, 2, 1, 1, 1)
    assert row.accuracy == pytest.approx(2 / 5)
    assert row.precision == pytest.approx(2 / 4)  # 4 values extracted, 2 right
    assert row.recall == pytest.approx(2 / 4)  # 4 values expected, 2 found right
    assert row.f1 == pytest.approx(0.5)


def test_summary_lists_fields_worst_first() -> None:
    evaluation = result({"vendor_name": "X", "total": 2, "currency": "USD"}).evaluate(
        {"invoice": {"vendor_name": "Y", "total": 2, "currency": "USD"}}
    )
    assert list(evaluation.summary["field"]) == ["vendor_name", "currency", "total"]


def test_rules_override_per_field() -> None:
    extracted = {"vendor_name": "Brightline Componets", "total": 1009.0}
    truth = {"invoice": {"vendor_name": "Brightline Components", "total": 1000}}
    strict = result(extracted).evaluate(truth)
    assert outcomes(strict) == {"vendor_name": "wrong", "total": "wrong"}
    lenient = result(extracted).evaluate(
        truth, rules={"vendor_name": "fuzzy:90", "total": "number:0.01"}
    )
    assert outcomes(lenient) == {"vendor_name": "correct", "total": "correct"}
    assert set(lenient.details["rule"]) == {"fuzzy:90", "number:0.01"}
    # tolerance= is the default for every number
    assert outcomes(result(extracted).evaluate(truth, tolerance=0.01))["total"] == "correct"


def test_rules_on_array_cells_and_ignore() -> None:
    extracted = {"line_items": [{"description": "Bolt", "amount": 2.05}], "total": 3}
    truth = {"invoice": {"line_items": [{"description": "Bolt", "amount": 2.0}], "total": 4}}
    evaluation = result(extracted).evaluate(
        truth, rules={"line_items.amount": "number:0.05", "total": "ignore"}
    )
    assert outcomes(evaluation) == {
        "line_items[0].description": "correct",
        "line_items[0].amount": "correct",
    }


def test_a_rule_for_an_unknown_field_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"rules name fields that were not graded: vendr.*total"):
        result({"total": 1}).evaluate({"invoice": {"total": 1}}, rules={"vendr": "fuzzy"})
    with pytest.raises(ValueError, match="unknown rule"):
        result({"total": 1}).evaluate({"invoice": {"total": 1}}, rules={"total": "approx"})
    with pytest.raises(TypeError, match="rules is a dict of field path -> rule"):
        result({"total": 1}).evaluate({"invoice": {"total": 1}}, rules=["total"])  # type: ignore[arg-type]


def test_nested_objects_and_a_null_object() -> None:
    schema = {"type": "object", "properties": {"buyer": {"type": "object", "properties": {
        "name": {"type": "string"}, "address": {"type": "string"}}}}}  # fmt: skip
    extracted = {"buyer": {"name": "Harbor", "address": "1 Main St"}}
    evaluation = result(extracted, schema=schema).evaluate(
        {"invoice": {"buyer": {"name": "harbor"}}}
    )
    assert outcomes(evaluation) == {"buyer.name": "correct"}
    spurious = result(extracted, schema=schema).evaluate({"invoice": {"buyer": None}})
    assert outcomes(spurious) == {"buyer.name": "spurious", "buyer.address": "spurious"}
    nothing = result({"buyer": None}, schema=schema).evaluate({"invoice": {"buyer": None}})
    assert outcomes(nothing) == {"buyer": "correct"}


def test_per_page_truth_is_one_object_per_page() -> None:
    pages = [{"title": "Cover"}, {"title": "Terms"}, {"title": "Prices"}]
    meta = {"page_metadata": [{"title": {"confidence": 0.5 + i / 10}} for i in range(3)]}
    extracted = result(pages, name="deck.pdf", target="per_page", metadata=meta, schema=None)
    truth = {"deck.pdf": [{"title": "cover"}, None, {"title": "Price list"}, {"title": "Annex"}]}
    evaluation = extracted.evaluate(truth)
    details = evaluation.details
    assert list(zip(details["item"], details["outcome"], strict=True)) == [
        (1, "correct"),  # page 2 is null in the truth: not graded
        (3, "wrong"),
        (4, "missed"),  # the truth has a page the result lacks
    ]
    assert list(details["confidence"][:2]) == [0.5, 0.7]


def test_per_table_row_truth_rows_are_paired() -> None:
    rows = [{"sku": "B", "qty": 2}, {"sku": "A", "qty": 1}]
    extracted = result(rows, target="per_table_row", schema=None)
    evaluation = extracted.evaluate({"invoice": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}]})
    assert list(evaluation.details["outcome"]) == ["correct", "correct", "correct", "wrong"]
    assert list(evaluation.details["item"]) == [0, 0, 1, 1]


def test_truth_shape_must_match_the_target() -> None:
    with pytest.raises(ValueError, match="result is per_doc: give one JSON object"):
        result({"total": 1}).evaluate({"invoice": [{"total": 1}]})
    pages = result([{"title": "x"}], target="per_page", schema=None)
    with pytest.raises(ValueError, match="result is per_page: give a list"):
        pages.evaluate({"invoice": {"title": "x"}})


def test_partial_truth_over_a_batch() -> None:
    batch = BatchResult(
        [
            result({"total": 1.0}, name="a.pdf"),
            result({"total": 2.0}, name="b.pdf"),
            result(None, name="c.pdf", status="FAILED"),
        ]
    )
    evaluation = batch.evaluate({"a": {"total": 1}, "c.pdf": {"total": 3}, "z.pdf": {"total": 9}})
    assert evaluation.documents == ["a.pdf", "c.pdf"]
    assert evaluation.without_truth == ["b.pdf"]
    assert evaluation.not_extracted == ["z"]
    assert list(evaluation.details["outcome"]) == ["correct", "missed"]  # c failed: nothing
    html = evaluation.html()
    assert "1 result(s) without truth not graded: b.pdf" in html
    assert "1 document(s) of the truth have no result: z" in html


def test_no_result_with_truth_is_explained() -> None:
    with pytest.raises(ValueError, match=r"no result has truth: results are a\.pdf; truth has b"):
        result({"total": 1}, name="a.pdf").evaluate({"b.pdf": {"total": 1}})


def test_truth_from_a_folder_path(tmp_path: Any) -> None:
    lx.Truth.from_dict({"invoice.pdf": {"total": 2}}).to_folder(tmp_path)
    assert outcomes(result({"total": 2}).evaluate(str(tmp_path))) == {"total": "correct"}


# --- calibration and the threshold picker ------------------------------------------------

CONFIDENCES = [0.95, 0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
CORRECT = [True, True, True, False, True, False, True, False]


def constructed() -> Evaluation:
    rows = [
        ("doc.pdf", "j", 0, f"f{i}", f"f{i}", 1, 1 if ok else 2, "correct" if ok else "wrong",
         1.0 if ok else 0.0, confidence, None, None, "number")
        for i, (confidence, ok) in enumerate(zip(CONFIDENCES, CORRECT, strict=True))
    ]  # fmt: skip
    rows.append(("doc.pdf", "j", 0, "m", "m", 1, None, "missed", 0.0, None, None, None, "number"))
    return Evaluation(details_frame(rows), documents=["doc.pdf"])


def test_threshold_picker_on_a_known_answer() -> None:
    evaluation = constructed()
    # error 0: accept >= 0.9 (three values, all right); five go to review
    zero = evaluation.threshold(max_error=0)
    assert (zero.threshold, zero.accepted, zero.reviewed, zero.error) == (0.9, 3, 5, 0.0)
    assert zero.review_share == pytest.approx(5 / 8) and zero.reached
    # 25 %: >= 0.8 gives 1/4, >= 0.7 gives 1/5, >= 0.6 gives 2/6 (too many): 0.7 is lowest
    quarter = evaluation.threshold(max_error=0.25)
    assert (quarter.threshold, quarter.accepted, quarter.error) == (0.7, 5, pytest.approx(0.2))
    # 40 %: everything may be accepted (3 wrong of 8)
    assert evaluation.threshold(max_error=0.4).threshold == 0.4
    assert "threshold 0.700: 37.5% of values go to review" in str(quarter)


def test_threshold_picker_when_no_threshold_is_good_enough() -> None:
    rows = [("d", "j", 0, "f", "f", 1, 2, "wrong", 0.0, 0.99, None, None, "number")]
    choice = Evaluation(details_frame(rows)).threshold(max_error=0.0)
    assert not choice.reached and choice.accepted == 0 and choice.review_share == 1.0
    assert choice.threshold > 0.99
    assert "every value goes to review" in str(choice)
    with pytest.raises(ValueError, match="max_error must be a share between 0 and 1"):
        constructed().threshold(max_error=2)


def test_thresholds_table() -> None:
    table = constructed().thresholds.set_index("threshold")
    assert len(table) == 101
    assert table.loc[0.75].tolist() == [4, 4, 0.5, 0.25]  # >= 0.75: 0.95, 0.9, 0.9, 0.8
    assert table.loc[0.0].tolist() == [8, 0, 0.0, 3 / 8]
    assert table.loc[0.9, "accepted"] == 3 and table.loc[0.91, "accepted"] == 1
    assert math.isnan(table.loc[1.0, "error"])


def test_by_confidence_and_ece_by_hand() -> None:
    evaluation = constructed()
    bands = evaluation.by_confidence
    assert list(bands["band"]) == ["0.4–0.5", "0.5–0.6", "0.6–0.7", "0.7–0.8", "0.8–0.9",
                                   "0.9–1.0"]  # fmt: skip
    assert list(bands["values"]) == [1, 1, 1, 1, 1, 3]
    assert list(bands["accuracy"]) == [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    top = bands.iloc[-1]
    assert top.mean_confidence == pytest.approx(2.75 / 3)
    # sum of n/N * |accuracy - confidence|: 3/8*(1-2.75/3) + (.4 + .5 + .6 + .3 + .8)/8
    assert evaluation.ece == pytest.approx(
        3 / 8 * (1 - 2.75 / 3) + (0.4 + 0.5 + 0.6 + 0.3 + 0.8) / 8
    )


# --- the view ----------------------------------------------------------------------------


def test_view_escapes_document_text_and_draws_an_svg_without_scripts() -> None:
    hostile = "<script>alert(1)</script>"
    meta = {
        "document_metadata": {
            "vendor_name": {
                "confidence": 0.97,
                "citation": [{"page": 1, "matching_text": hostile}],
            },
            "total": {"confidence": 0.6},
        }
    }
    evaluation = result({"vendor_name": hostile, "total": 3}, metadata=meta).evaluate(
        {"invoice": {"vendor_name": "ACME <b>", "total": 3}}
    )
    html = evaluation.html()
    assert "<script" not in html and "&lt;script&gt;" in html and "ACME &lt;b&gt;" in html
    assert "<svg" in html and "Reliability diagram" in html
    assert 'class="lx-scoreboard"' in html and "Worst examples" in html
    assert evaluation._repr_html_() == html
    assert repr(evaluation).startswith("Evaluation(documents=1, values=2, accuracy=0.500")


def test_empty_evaluation_displays() -> None:
    evaluation = Evaluation(details_frame([]))
    assert "Nothing was graded" in evaluation.html()
    assert evaluation.summary.empty and evaluation.by_confidence.empty
    assert math.isnan(evaluation.ece) and not evaluation.threshold().reached
    assert isinstance(evaluation.thresholds, pd.DataFrame)
