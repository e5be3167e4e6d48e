"""The client and the result views over responses shaped like the real service's: every
Optional field null or absent, metadata in its documented variants, a result whose shape is not
the configured target, an echo the service rewrote, an unknown final status (the payloads are in
tests/data/service_shaped/, made by its make.py from the spec's examples)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
import pytest
from client_fakes import JOB_ID, ScriptedAPI
from llama_cloud.types import ExtractV2Job
from wire_examples import SERVICE_SHAPED

from llamaextract_nb.api.models import ExtractJob
from llamaextract_nb.results import BatchResult, ExtractResult
from llamaextract_nb.results.metadata import TargetMismatchWarning

JOBS = sorted(p.stem for p in SERVICE_SHAPED.glob("*.json") if not p.stem.startswith("list_"))


def shaped(name: str) -> Any:
    return json.loads((SERVICE_SHAPED / f"{name}.json").read_text())


def result_of(name: str) -> ExtractResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TargetMismatchWarning)
        return ExtractResult(shaped(name))


def test_the_payloads_are_current() -> None:
    """make.py writes exactly the files kept beside it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", SERVICE_SHAPED / "make.py")
    assert spec and spec.loader
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    kept = {p.stem: json.loads(p.read_text()) for p in SERVICE_SHAPED.glob("*.json")}
    assert kept == make.variants()


@pytest.mark.parametrize("name", JOBS)
def test_each_payload_is_a_job_the_official_sdk_accepts(name: str) -> None:
    ExtractV2Job.model_validate(shaped(name))  # the SDK's own type: the shape is the service's


@pytest.mark.parametrize("name", JOBS)
def test_every_view_renders_every_payload(name: str) -> None:
    result = result_of(name)
    assert result.status == shaped(name)["status"]
    frame, fields, html = result.df, result.fields, result._repr_html_()
    assert len(frame) >= 1 or result.status == "FAILED"
    assert set(fields.columns) >= {"path", "value", "confidence", "page", "matching_text"}
    assert result.job.id in html
    batch = BatchResult([result])
    assert len(batch.df) == len(frame) or result.status == "FAILED"
    assert batch._repr_html_()


def test_a_per_page_job_answered_with_one_object_keeps_its_citations_and_warns() -> None:
    with pytest.warns(TargetMismatchWarning, match="configured per_page .* shaped per_doc"):
        result = ExtractResult(shaped("per_page_configured_object_returned"))
    assert result.target == "per_doc"
    fields = result.fields.set_index("path")
    assert fields.loc["vendor_name", "confidence"] == pytest.approx(0.994)
    assert fields.loc["vendor_name", "page"] == 1
    assert fields["confidence"].notna().sum() >= 8
    assert len(result.df) == 1


def test_a_per_doc_job_answered_with_rows_is_read_as_rows_and_warns() -> None:
    with pytest.warns(TargetMismatchWarning, match="configured per_doc .* shaped per_table_row"):
        result = ExtractResult(shaped("per_doc_configured_rows_returned"))
    assert result.target == "per_table_row"
    assert len(result.df) == 3
    assert result.fields["confidence"].notna().all()


def test_matching_shapes_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", TargetMismatchWarning)
        for name in JOBS:
            if "configured" not in name:
                ExtractResult(shaped(name))


def test_nulls_and_absent_metadata_give_values_without_confidence() -> None:
    for name in ("completed_all_optional_null", "completed_optional_absent"):
        result = result_of(name)
        assert result.target == "per_doc"
        assert result.df.loc[0, "vendor_name"] == "Acme Industrial Supplies GmbH"
        assert result.fields["confidence"].isna().all()
    empty = result_of("completed_all_optional_null").df
    assert empty["invoice_date"].isna().all()


def test_field_entries_directly_under_field_metadata_are_read() -> None:
    fields = result_of("field_entries_directly_under_field_metadata").fields.set_index("path")
    assert fields.loc["invoice_number", "confidence"] == pytest.approx(
        shaped("completed_echo_rewritten")["extract_metadata"]["field_metadata"][
            "document_metadata"
        ]["invoice_number"]["confidence"]
    )


def test_a_failed_job_shows_its_message() -> None:
    html = result_of("failed")._repr_html_()
    assert "Document could not be parsed" in html


@pytest.mark.parametrize("name", JOBS)
def test_the_client_reads_every_payload(make_runner: Any, name: str) -> None:
    payload = {**shaped(name), "id": JOB_ID}
    api = ScriptedAPI().on("GET", f"/api/v2/extract/{JOB_ID}", httpx.Response(200, json=payload))
    job = make_runner(api)("jobs.get", JOB_ID)
    assert isinstance(job, ExtractJob)
    assert job.status == payload["status"]
    assert job.raw == payload  # nothing the service sent is dropped


def test_the_client_reads_a_list_page_whose_item_lacks_its_result(make_runner: Any) -> None:
    page = shaped("list_page_item_without_result")
    api = ScriptedAPI().on("GET", "/api/v2/extract", httpx.Response(200, json=page))
    jobs = make_runner(api)("jobs.list_page")
    assert [job.status for job in jobs.items] == ["COMPLETED"]
    assert jobs.items[0].extract_result is None
