"""BatchResult's frames built at once equal every document's own frame stacked."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
from pandas.testing import assert_frame_equal
from test_results_frames import ITEMS, SCHEMA, payload, per_page_job

from llamaextract_nb.results import BatchResult, ExtractResult
from llamaextract_nb.results.frames import stack_frames


def job(job_id: str, result: Any, target: str = "per_doc", **fields: Any) -> dict[str, Any]:
    configuration = {"data_schema": SCHEMA, "extraction_target": target}
    return {
        "id": job_id,
        "status": "COMPLETED",
        "configuration": configuration,
        "extract_result": result,
        **fields,
    }


def varied_batch() -> list[ExtractResult]:
    """Targets mixed and interleaved, nested objects and arrays, failures, nulls, values that
    do not fit the schema in one document only, aware and naive dates, another schema."""
    one, two = copy.deepcopy(ITEMS)
    # a, c, d, n share one column layout, so their rows are typed together: a column's values
    # fit in one document and not in the next (count "three", due "soon"), aware and naive
    # dates, a fraction in an integer column, a document with no value at all
    odd = {**copy.deepcopy(one), "count": "three", "due": "soon"}
    aware = {**copy.deepcopy(one), "due": "2026-03-01T08:00:00+02:00", "count": 2.5}
    nulls = {key: None for key in one} | {"parts": [], "tags": []}
    weird = {**copy.deepcopy(one), "status": {"not": "enum"}}
    other_schema = copy.deepcopy(payload("04"))
    other_schema["id"] = "ext-04b"
    results = [
        ExtractResult(job("a", one), name="a.pdf"),
        ExtractResult(job("c", odd), name="c.pdf"),
        ExtractResult(job("d", aware), name="d.pdf"),
        ExtractResult(job("n", nulls), name="n.pdf"),
        ExtractResult(job("b", two), name="b.pdf"),
        ExtractResult(job("w", weird), name="w.pdf"),
        ExtractResult(per_page_job([one, two]), name="pages.pdf"),
        ExtractResult(job("a2", one), name="a2.pdf"),
        ExtractResult({"id": "f1", "status": "FAILED", "error_message": "x"}, name="f1.pdf"),
        ExtractResult({"id": "f2", "status": "CANCELLED"}, name="f2.pdf"),
        ExtractResult(job("rows", [one, odd, aware, nulls], "per_table_row"), name="rows.csv"),
        ExtractResult(job("e", None), name="empty.pdf"),
        ExtractResult(job("a3", one), name="a3.pdf"),
        ExtractResult(payload("04"), name="inv.pdf"),
        ExtractResult(other_schema, name="inv2.pdf"),
        ExtractResult(per_page_job([]) | {"id": "f3", "status": "FAILED"}, name="f3.pdf"),
        ExtractResult({"id": "plain", "status": "COMPLETED", "extract_result": {"x": 1}}),
    ]
    return results


def stacked_df(results: list[ExtractResult]) -> pd.DataFrame:
    """Each document's own ``df`` with its status, stacked: the reference."""
    frames = []
    for result in results:
        frame = result.df
        if frame.empty and result.target == "per_doc" and result.status != "COMPLETED":
            frame = pd.DataFrame([{"file": result.name, "job_id": result.job.id}])
        frame.insert(2, "job_status", result.status)
        frames.append(frame)
    return stack_frames(frames, ["file", "job_id", "job_status"])


def test_batch_df_equals_every_documents_df_stacked() -> None:
    results = varied_batch()
    df = BatchResult(results).df
    assert_frame_equal(df, stacked_df(results))
    assert len(df) == 19 and {"address.city", "row", "page", "x"} <= set(df.columns)
    for size in (1, 2, 3, 4, 5, 9, 13):  # every prefix cut keeps the equivalence
        assert_frame_equal(BatchResult(results[:size]).df, stacked_df(results[:size]))


def test_batch_tables_and_fields_equal_every_documents_stacked() -> None:
    results = varied_batch()
    batch = BatchResult(results)
    names: dict[str, list[pd.DataFrame]] = {}
    for result in results:
        for name, frame in result.tables.items():
            names.setdefault(name, []).append(frame)
    tables = batch.tables
    assert sorted(tables) == sorted(names) and "parts.taxes" in tables
    for name, frames in names.items():
        assert_frame_equal(tables[name], stack_frames(frames, []))
    assert_frame_equal(batch.fields, stack_frames([r.fields for r in results], []))


def test_empty_batches_keep_their_shape() -> None:
    assert BatchResult([]).df.columns.tolist() == ["file", "job_id", "job_status"]
    assert BatchResult([]).fields.empty and BatchResult([]).tables == {}
    failed = ExtractResult(per_page_job([]) | {"status": "FAILED"})
    assert_frame_equal(BatchResult([failed]).df, stacked_df([failed]))


def test_integer_column_with_a_fraction_in_one_document_keeps_the_fraction() -> None:
    whole = ExtractResult(job("a", {"count": 3}), name="a.pdf")
    half = ExtractResult(job("b", {"count": 2.5}), name="b.pdf")
    failed = ExtractResult({"id": "f", "status": "FAILED"}, name="f.pdf")
    assert BatchResult([whole, half, failed]).df["count"].tolist()[:2] == [3, 2.5]
