"""Results as DataFrames: acceptance payloads, dtypes from the schema, tables, fields, exports."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import BaseModel
from wire_examples import example

from llamaextract_nb.results import BatchResult, ExtractResult, ResultValidationError


def payload(name: str) -> dict[str, Any]:
    return example(name)  # type: ignore[no-any-return]


def leaf_entries(meta: Any, path: str = "") -> dict[str, dict[str, Any]]:
    """Expected path -> entry, walked independently of the code under test."""
    if isinstance(meta, dict) and "citation" in meta:
        return {path: meta}
    out: dict[str, dict[str, Any]] = {}
    if isinstance(meta, dict):
        for key, value in meta.items():
            out |= leaf_entries(value, f"{path}.{key}" if path else key)
    elif isinstance(meta, list):
        for index, value in enumerate(meta):
            out |= leaf_entries(value, f"{path}[{index}]")
    return out


def test_payload_04_gives_one_typed_row_a_line_items_table_and_exact_fields() -> None:
    job = payload("04")
    result = ExtractResult(job)
    df = result.df
    assert len(df) == 1
    assert list(df.columns) == [
        "file", "job_id", "vendor_name", "invoice_number", "invoice_date", "total_amount"
    ]  # fmt: skip
    assert df["total_amount"].dtype == "float64"
    assert pd.api.types.is_datetime64_any_dtype(df["invoice_date"])
    assert df.loc[0, "invoice_date"] == pd.Timestamp("2026-04-02")
    assert df.loc[0, "vendor_name"] == "Acme Industrial Supplies GmbH"

    items = result.tables["line_items"]
    assert len(items) == 2
    assert list(items.columns) == [
        "file", "job_id", "line_items_index", "description", "quantity", "amount"
    ]  # fmt: skip
    assert items["amount"].tolist() == [450.0, 1050.0]
    merged = items.merge(df, on=result.keys)
    assert merged["vendor_name"].tolist() == ["Acme Industrial Supplies GmbH"] * 2

    expected = leaf_entries(job["extract_metadata"]["field_metadata"]["document_metadata"])
    fields = result.fields.set_index("path")
    assert sorted(fields.index) == sorted(expected)
    for path, entry in expected.items():
        assert fields.loc[path, "confidence"] == entry["confidence"]
        assert fields.loc[path, "page"] == entry["citation"][0]["page"]
        assert fields.loc[path, "matching_text"] == entry["citation"][0]["matching_text"]
        box = entry["citation"][0]["bounding_boxes"][0]
        assert fields.loc[path, "bounding_boxes"] == [{"page": entry["citation"][0]["page"], **box}]
    assert fields.loc["vendor_name", "parsing_confidence"] == 0.997
    assert pd.isna(fields.loc["line_items[0].amount", "parsing_confidence"])
    assert fields.loc["invoice_date", "reasoning"] == "INFERRED FROM TEXT"
    assert not fields["citation_mismatch"].any()  # 1785.0 is in "1,785.00", the date in 02.04.2026


def test_payload_05_gives_one_row_per_table_row() -> None:
    result = ExtractResult(payload("05"))
    assert result.target == "per_table_row"
    df = result.df
    assert df["row"].tolist() == [0, 1, 2]
    assert df["sku"].tolist() == ["HX-200", "HX-500", "FT-012"]
    assert df["in_stock"].tolist() == [True, True, False]
    fields = result.fields
    assert len(fields) == 12
    assert fields.loc[(fields["item"] == 2) & (fields["path"] == "sku"), "page"].item() == 2
    assert fields["citation_mismatch"].isna().sum() == 3  # booleans are never judged


SCHEMA = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "paid": {"type": ["boolean", "null"]},
        "status": {"enum": ["open", "closed", None]},
        "due": {"type": "string", "format": "date"},
        "shipped_at": {"type": "string", "description": "When it left the warehouse (date-time)"},
        "note": {"type": "string"},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
        },
        "parts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "taxes": {
                        "type": "array",
                        "items": {"$ref": "#/$defs/Tax"},
                    },
                },
            },
        },
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "$defs": {"Tax": {"type": "object", "properties": {"rate": {"type": "number"}}}},
}


def per_page_job(items: list[dict[str, Any]], **configuration: Any) -> dict[str, Any]:
    return {
        "id": "ext-1",
        "status": "COMPLETED",
        "file_input": "dfl-1",
        "configuration": {"data_schema": SCHEMA, "extraction_target": "per_page", **configuration},
        "extract_result": items,
    }


ITEMS = [
    {
        "count": 3, "paid": True, "status": "open", "due": "2026-01-31",
        "shipped_at": "2026-02-01T10:00:00Z", "note": "x",
        "address": {"city": "Berlin", "zip": "10115"},
        "parts": [
            {"sku": "A", "taxes": [{"rate": 0.19}, {"rate": 0.07}]}, {"sku": "B", "taxes": []}
        ],
        "tags": ["a", "b"],
    },
    {
        "count": None, "paid": None, "status": None, "due": None, "shipped_at": None,
        "note": None, "address": None, "parts": [], "tags": [], "extra": 1,
    },
]  # fmt: skip


def test_dtypes_follow_the_schema_in_schema_order() -> None:
    result = ExtractResult(per_page_job(ITEMS, target_pages="2,4"))
    df = result.df
    assert list(df.columns) == [
        "file", "job_id", "page", "count", "paid", "status", "due", "shipped_at", "note",
        "address.city", "address.zip", "tags", "extra",
    ]  # fmt: skip
    assert df["page"].tolist() == [2, 4]
    assert str(df["count"].dtype) == "Int64"
    assert str(df["paid"].dtype) == "boolean"
    assert isinstance(df["status"].dtype, pd.CategoricalDtype)
    assert list(df["status"].cat.categories) == ["open", "closed"]
    assert pd.api.types.is_datetime64_any_dtype(df["due"])
    assert pd.api.types.is_datetime64_any_dtype(df["shipped_at"])  # a date by its description
    assert df.loc[0, "tags"] == ["a", "b"]
    assert df["count"].isna().tolist() == [False, True]


def test_values_that_do_not_fit_the_schema_type_are_kept_as_they_came() -> None:
    items = [{"count": "three", "due": "31.01.2026", "paid": "yes"}]
    df = ExtractResult(per_page_job(items)).df
    assert df.loc[0, "count"] == "three"
    assert df.loc[0, "due"] == "31.01.2026"
    assert df.loc[0, "paid"] == "yes"


def test_nested_arrays_get_their_own_frames_with_parent_keys() -> None:
    result = ExtractResult(per_page_job(ITEMS))
    parts = result.tables["parts"]
    assert parts[["page", "parts_index", "sku"]].values.tolist() == [[1, 0, "A"], [1, 1, "B"]]
    taxes = result.tables["parts.taxes"]
    assert list(taxes.columns) == ["file", "job_id", "page", "parts_index", "taxes_index", "rate"]
    assert taxes["rate"].tolist() == [0.19, 0.07]
    assert taxes.merge(parts, on=[*result.keys, "parts_index"])["sku"].tolist() == ["A", "A"]


def test_results_without_a_schema_use_the_data() -> None:
    job = {
        "id": "ext-2",
        "status": "COMPLETED",
        "extract_result": {"a": {"b": 1}, "rows": [{"x": 1}]},
    }
    result = ExtractResult(job, name="doc.pdf")
    assert list(result.df.columns) == ["file", "job_id", "a.b"]
    assert result.df.loc[0, "file"] == "doc.pdf"
    assert result.tables["rows"]["x"].tolist() == [1]


def test_a_schema_given_by_the_caller_types_the_columns() -> None:
    class Row(BaseModel):
        sku: str
        unit_price: float
        in_stock: bool | None = None

    result = ExtractResult(payload("05"), schema=Row)
    assert str(result.df["in_stock"].dtype) == "boolean"


def test_to_json_and_exports(tmp_path: Path) -> None:
    result = ExtractResult(payload("04"))
    assert json.loads(result.to_json())["total_amount"] == 1785.0
    assert json.loads(result.to_json(full=True))["id"] == result.job.id
    result.to_json(tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text())["invoice_number"] == "INV-2026-0412"
    result.df.to_csv(tmp_path / "df.csv", index=False)
    result.df.to_parquet(tmp_path / "df.parquet")
    assert pd.read_parquet(tmp_path / "df.parquet")["total_amount"].tolist() == [1785.0]
    result.fields.astype({"value": "string"}).to_parquet(tmp_path / "fields.parquet")
    fields = pd.read_parquet(tmp_path / "fields.parquet")
    assert fields.loc[3, ["path", "value", "page"]].tolist() == ["total_amount", "1785.0", 2]
    with pd.ExcelWriter(tmp_path / "out.xlsx") as writer:
        result.df.to_excel(writer, sheet_name="invoice", index=False)
        result.tables["line_items"].to_excel(writer, sheet_name="line_items", index=False)
    assert pd.read_excel(tmp_path / "out.xlsx", sheet_name="line_items")["amount"].tolist() == [
        450.0,
        1050.0,
    ]


class LineItem(BaseModel):
    description: str
    quantity: int | None = None
    amount: float


class Invoice(BaseModel):
    vendor_name: str
    invoice_number: str
    total_amount: float
    line_items: list[LineItem]


def test_as_model_validates_and_reports_every_failing_path() -> None:
    invoice = ExtractResult(payload("04")).as_model(Invoice)
    assert invoice.line_items[1].amount == 1050.0

    job = payload("04")
    job["extract_result"]["line_items"][1]["amount"] = "lots"
    del job["extract_result"]["vendor_name"]
    with pytest.raises(ResultValidationError) as caught:
        ExtractResult(job).as_model(Invoice)
    paths = [path for path, _, _ in caught.value.problems]
    assert paths == ["vendor_name", "line_items[1].amount"]
    assert "line_items[1].amount" in str(caught.value) and "'lots'" in str(caught.value)

    class Row(BaseModel):
        sku: str
        unit_price: int

    with pytest.raises(ResultValidationError) as rows:
        ExtractResult(payload("05")).as_model(Row)
    assert [p for p, _, _ in rows.value.problems] == ["[1].unit_price", "[2].unit_price"]


def test_bad_input_gets_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an extraction job"):
        ExtractResult({"status": "COMPLETED"})
    with pytest.raises(FileNotFoundError, match="is not a file"):
        ExtractResult(payload("04"), source=tmp_path / "missing.pdf")
    with pytest.raises(ValueError, match="between 0 and 1"):
        ExtractResult(payload("04")).threshold = 80
    failed = ExtractResult({"id": "ext-3", "status": "FAILED", "error_message": "bad scan"})
    with pytest.raises(ValueError, match=r"FAILED.*bad scan"):
        failed.as_model(Invoice)


def test_batch_combines_documents_and_lists_failures() -> None:
    first = ExtractResult(payload("04"), name="a.pdf")
    second_job = copy.deepcopy(payload("04"))
    second_job["id"] = "ext-second"
    second_job["extract_result"]["total_amount"] = 10
    second = ExtractResult(second_job, name="b.pdf")
    failed_job = {**payload("02"), "id": "ext-failed", "status": "FAILED", "error_message": "boom"}
    failed = ExtractResult(failed_job, name="c.pdf")
    batch = BatchResult([first, second, failed])

    df = batch.df
    assert df[["file", "job_id", "job_status"]].values.tolist() == [
        ["a.pdf", first.job.id, "COMPLETED"],
        ["b.pdf", "ext-second", "COMPLETED"],
        ["c.pdf", "ext-failed", "FAILED"],
    ]
    assert df["total_amount"].tolist()[:2] == [1785.0, 10.0]
    assert pd.isna(df["total_amount"].iloc[2])
    assert len(batch.tables["line_items"]) == 4
    merged = batch.tables["line_items"].merge(df, on=["file", "job_id"])
    assert sorted(set(merged["file"])) == ["a.pdf", "b.pdf"]
    assert len(batch.fields) == 20
    assert batch.failures.to_dict("records") == [
        {"file": "c.pdf", "job_id": "ext-failed", "status": "FAILED", "error": "boom"}
    ]
    assert [m.total_amount for m in batch.as_model(Invoice)] == [1785.0, 10.0]
    assert [d["status"] for d in json.loads(batch.to_json())] == [
        "COMPLETED",
        "COMPLETED",
        "FAILED",
    ]
    assert len(batch[0:2]) == 2


def test_batch_keeps_enum_categories_across_documents() -> None:
    open_ = ExtractResult(per_page_job([{"status": "open"}]))
    closed = ExtractResult(per_page_job([{"status": "closed"}]))
    df = BatchResult([open_, closed]).df
    assert isinstance(df["status"].dtype, pd.CategoricalDtype)
    assert df["status"].tolist() == ["open", "closed"]
    assert df["job_status"].tolist() == ["COMPLETED", "COMPLETED"]


def test_data_columns_named_like_key_columns_are_renamed_not_lost() -> None:
    job = {"id": "ext-4", "status": "COMPLETED", "extract_result": [{"row": "r1", "file": "f"}]}
    result = ExtractResult(job, target="per_table_row", name="doc.txt")
    assert result.df[["file", "row", "row_", "file_"]].values.tolist() == [
        ["doc.txt", 0, "r1", "f"]
    ]


def test_frames_handed_out_are_copies() -> None:
    result = ExtractResult(payload("04"))
    df, fields, items = result.df, result.fields, result.tables["line_items"]
    df.loc[0, "total_amount"] = 0.0
    fields.loc[0, "confidence"] = 0.0
    items.loc[0, "amount"] = 0.0
    assert result.df.loc[0, "total_amount"] == 1785.0
    assert result.fields.loc[0, "confidence"] == 0.994
    assert result.tables["line_items"].loc[0, "amount"] == 450.0
