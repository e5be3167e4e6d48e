# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""wait() and extract(), sync and async: status walk, failures, timeout, the one-call flow."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from client_fakes import (  # noqa: F401  (clock, make_runner are fixtures)
    FILE_ID,
    JOB_ID,
    FakeClock,
    ScriptedAPI,
    clock,
    example,
    job_json,
    make_runner,
)

from llamaextract_nb.api.models import ExtractJob
from llamaextract_nb.client import JobFailedError, WaitTimeout, build_configuration
from llamaextract_nb.client.configuration import OPTION_NAMES
from llamaextract_nb.results import ExtractResult

JOB_PATH = f"/api/v2/extract/{JOB_ID}"


def replies(*statuses: str, **fields: Any) -> list[httpx.Response]:
    return [httpx.Response(200, json=job_json(s, **fields)) for s in statuses]


def test_wait_walks_pending_throttled_running_completed(make_runner: Any, clock: FakeClock) -> None:
    statuses = ["PENDING", "PENDING", "THROTTLED", "RUNNING", "RUNNING", "COMPLETED"]
    api = ScriptedAPI().on("GET", JOB_PATH, *replies(*statuses))
    seen: list[str] = []
    job = make_runner(api)("wait", JOB_ID, on_status=lambda j: seen.append(j.status))
    assert isinstance(job, ExtractJob) and job.status == "COMPLETED"
    assert seen == ["PENDING", "THROTTLED", "RUNNING", "COMPLETED"]
    assert len(api.requests) == 6
    assert clock.sleeps[0] == 0.25
    assert clock.sleeps == sorted(clock.sleeps) and clock.sleeps[-1] > clock.sleeps[0]


def test_wait_accepts_a_job_object_and_does_not_refetch_a_finished_one(make_runner: Any) -> None:
    api = ScriptedAPI()
    done = ExtractJob.model_validate(job_json("COMPLETED"))
    assert make_runner(api)("wait", done) is done
    assert api.requests == []


def test_wait_keeps_polling_unknown_statuses(make_runner: Any, clock: FakeClock) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, *replies("WARMING_UP", "COMPLETED"))
    pending = ExtractJob.model_validate(job_json("PENDING"))
    assert make_runner(api)("wait", pending).status == "COMPLETED"
    assert len(api.requests) == 2 and len(clock.sleeps) == 2


def test_wait_interval_is_capped(make_runner: Any, clock: FakeClock) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, *replies(*["RUNNING"] * 12, "COMPLETED"))
    make_runner(api)("wait", JOB_ID, max_interval=1.0)
    assert max(clock.sleeps) == 1.0 and clock.sleeps.count(1.0) >= 5


def test_wait_into_failed_surfaces_error_message(make_runner: Any, clock: FakeClock) -> None:
    failed = (
        replies("RUNNING")[0],
        httpx.Response(
            200, json=job_json("FAILED", error_message="Document has no extractable text")
        ),
    )
    api = ScriptedAPI().on("GET", JOB_PATH, *failed)
    run = make_runner(api)
    with pytest.raises(JobFailedError) as info:
        run("wait", JOB_ID)
    assert str(info.value) == (
        f"extraction job {JOB_ID} ended FAILED: Document has no extractable text"
    )
    assert info.value.job.status == "FAILED"

    api.on("GET", JOB_PATH, *replies("FAILED", error_message="boom"))
    job = run("wait", JOB_ID, raise_on_failure=False)
    assert job.status == "FAILED" and job.error_message == "boom"


def test_wait_on_cancelled_job_says_so(make_runner: Any) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, *replies("CANCELLED"))
    with pytest.raises(JobFailedError, match=f"{JOB_ID} was cancelled"):
        make_runner(api)("wait", JOB_ID)


def test_wait_timeout_names_job_and_last_status(make_runner: Any, clock: FakeClock) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, *replies("PENDING", "THROTTLED"))
    with pytest.raises(WaitTimeout) as info:
        make_runner(api)("wait", JOB_ID, timeout=3.0)
    error = info.value
    assert (error.job_id, error.last_status, error.timeout) == (JOB_ID, "THROTTLED", 3.0)
    assert f"extraction job {JOB_ID} is still THROTTLED after waiting 3 s" in str(error)
    assert isinstance(error, TimeoutError)
    assert sum(clock.sleeps) == pytest.approx(3.0)


def test_wait_rejects_nonsense_intervals(make_runner: Any) -> None:
    with pytest.raises(ValueError, match="poll_interval > 0"):
        make_runner(ScriptedAPI())("wait", JOB_ID, poll_interval=0)


def test_async_wait_awaits_coroutine_callbacks(make_runner: Any, clock: FakeClock) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, *replies("RUNNING", "COMPLETED"))
    run = make_runner(api)
    seen: list[str] = []

    async def record(job: ExtractJob) -> None:
        seen.append(job.status)

    def plain(job: ExtractJob) -> None:
        seen.append(job.status)

    run("wait", JOB_ID, on_status=record if run.mode == "async" else plain)
    assert seen == ["RUNNING", "COMPLETED"]


def extract_api() -> ScriptedAPI:
    completed = httpx.Response(200, json=example("04_job_completed_per_doc_expanded"))

    def finished(request: httpx.Request) -> httpx.Response:
        if request.url.params.get_list("expand"):
            return completed
        return httpx.Response(200, json=job_json("COMPLETED"))

    return (
        ScriptedAPI()
        .on("POST", "/api/v1/beta/files", httpx.Response(201, json=example("01_file_uploaded")))
        .on("POST", "/api/v2/extract", httpx.Response(200, json=job_json("PENDING")))
        .on("GET", JOB_PATH, httpx.Response(200, json=job_json("RUNNING")), finished)
    )


def test_extract_uploads_creates_waits_and_fetches_everything(
    make_runner: Any, clock: FakeClock, tmp_path: Any
) -> None:
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4 tiny")
    api = extract_api()
    schema = example("02_job_created")["configuration"]["data_schema"]
    result = make_runner(api)(
        "extract", pdf, schema, tier="agentic", cite_sources=True, confidence_scores=True
    )
    assert isinstance(result, ExtractResult)
    assert result.job.status == "COMPLETED" and result.job.usage is not None
    assert [(r.method, r.url.path) for r in api.requests] == [
        ("POST", "/api/v1/beta/files"),
        ("POST", "/api/v2/extract"),
        ("GET", JOB_PATH),
        ("GET", JOB_PATH),
        ("GET", JOB_PATH),
    ]
    create = json.loads(api.requests[1].read())
    assert create == {
        "file_input": FILE_ID,
        "configuration": {
            "data_schema": schema,
            "tier": "agentic",
            "cite_sources": True,
            "confidence_scores": True,
        },
    }
    assert api.requests[-1].url.params.get_list("expand") == [
        "configuration",
        "extract_metadata",
        "usage",
        "metadata",
    ]


def test_extract_on_an_uploaded_file_id_skips_the_upload(
    make_runner: Any, clock: FakeClock
) -> None:
    api = extract_api().on(
        "GET", "/api/v2/extract", httpx.Response(200, json={"items": [], "next_page_token": None})
    )
    result = make_runner(api)("extract", FILE_ID, {"type": "object", "properties": {}})
    assert result.job.id == JOB_ID
    assert api.calls("POST", "/api/v1/beta/files") == []
    # The jobs already on the file are listed before the create, so none is taken for ours.
    assert [(r.method, r.url.path) for r in api.requests[:2]] == [
        ("GET", "/api/v2/extract"),
        ("POST", "/api/v2/extract"),
    ]
    assert api.requests[0].url.params["file_input"] == FILE_ID


def test_extract_rejects_unknown_options_before_uploading(make_runner: Any) -> None:
    api = extract_api()
    with pytest.raises(TypeError) as info:
        make_runner(api)("extract", b"%PDF-1.4", {"type": "object"}, extraction_mode="FAST")
    assert "unexpected keyword argument 'extraction_mode'" in str(info.value)
    assert api.requests == []
    with pytest.raises(TypeError, match="valid options are: tier, version, extraction_target"):
        build_configuration({"type": "object"}, extraction_mode="FAST")  # type: ignore[call-arg]


def test_build_configuration_converts_pydantic_models_and_keeps_only_given_options() -> None:
    from pydantic import BaseModel

    class Item(BaseModel):
        name: str

    class Order(BaseModel):
        items: list[Item]

    config = build_configuration(Order, target_pages="1-2", max_pages=3)
    assert "$defs" not in json.dumps(config.data_schema)
    assert config.data_schema["properties"]["items"]["items"]["properties"]["name"]
    assert config.model_dump(exclude_unset=True).keys() == {
        "data_schema",
        "target_pages",
        "max_pages",
    }
    assert "data_schema" not in OPTION_NAMES and "spreadsheet_mode" in OPTION_NAMES
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        build_configuration(Order, max_pages=0)
