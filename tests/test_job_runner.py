# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""The job runner against a scripted service shaped like LlamaCloud: list pages that leave out
a COMPLETED job's result, final statuses the client does not know, and the one rule that says
which statuses are final, shared by wait(), the runner and so the batch and the Studio."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_fakes import (  # noqa: F401  (clock, make_runner are fixtures)
    API_KEY,
    BASE_URL,
    JOB_ID,
    FakeClock,
    ScriptedAPI,
    clock,
    example,
    job_json,
    make_runner,
)

from llamaextract_nb.api.models import ExtractConfiguration
from llamaextract_nb.client import AsyncClient, JobFailedError
from llamaextract_nb.client.batch_sources import collect_files
from llamaextract_nb.client.job_runner import JobRunner, RunEvent
from llamaextract_nb.client.ledger import Ledger
from llamaextract_nb.client.polling import JobStatus

LIST = "/api/v2/extract"
ONE = f"/api/v2/extract/{JOB_ID}"
COMPLETED = example("04_job_completed_per_doc_expanded")


def listed(**job: Any) -> httpx.Response:
    return httpx.Response(200, json={"items": [job], "next_page_token": None})


def bare_completed() -> dict[str, Any]:
    """A COMPLETED list item without extract_result and extract_metadata."""
    return {k: v for k, v in COMPLETED.items() if k not in {"extract_result", "extract_metadata"}}


async def run_one(
    api: ScriptedAPI, tmp_path: Path, events: list[RunEvent] | None = None
) -> dict[str, Any]:
    api.on("POST", "/api/v1/beta/files", httpx.Response(201, json=example("01_file_uploaded")))
    api.on("POST", LIST, httpx.Response(200, json=job_json("PENDING")))
    document = tmp_path / "invoice.txt"
    document.write_text("Invoice number: INV-1\n", encoding="utf-8")
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    async with AsyncClient(base_url=BASE_URL, api_key=API_KEY, http_client=http) as client:
        with Ledger(tmp_path / "ledger.sqlite") as ledger:
            runner = JobRunner(
                client,
                ledger,
                ExtractConfiguration(data_schema={"type": "object", "properties": {}}),
                collect_files(document),
                on_event=(events.append if events is not None else None),
            )
            outcomes = await asyncio.wait_for(runner.run(), 30)
    return {"job": next(iter(outcomes.values())), "requests": api.requests}


# --- which statuses are final ----------------------------------------------------------


def test_known_statuses_and_unknown_ones_before_and_after_running() -> None:
    assert not JobStatus("j", "PENDING").final and not JobStatus("j", "THROTTLED").final
    assert all(JobStatus("j", s).final for s in ("COMPLETED", "FAILED", "CANCELLED"))
    status = JobStatus("j", "PENDING")
    status.observe("WARMING_UP")  # new before RUNNING: a new kind of waiting
    assert not status.final
    status.observe("RUNNING")
    status.observe("PARTIAL_SUCCESS")  # new after RUNNING: the job ended
    assert status.final


def test_wait_ends_on_an_unknown_status_after_running_with_a_warning(
    make_runner: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    walk = [job_json(s) for s in ("RUNNING", "PARTIAL_SUCCESS", "COMPLETED")]
    api = ScriptedAPI().on("GET", ONE, *[httpx.Response(200, json=j) for j in walk])
    with caplog.at_level(logging.WARNING), pytest.raises(JobFailedError) as failed:
        make_runner(api)("wait", JOB_ID)
    assert failed.value.job.status == "PARTIAL_SUCCESS"
    assert len(api.requests) == 2, "polled on after the job ended"
    assert "'PARTIAL_SUCCESS', which this client does not know" in caplog.text


async def test_the_runner_ends_on_an_unknown_status_after_running(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api = ScriptedAPI().on(
        "GET",
        LIST,
        listed(**job_json("RUNNING")),
        listed(**job_json("PARTIAL_SUCCESS", error_message="3 of 4 pages")),
        listed(**job_json("COMPLETED")),
    )
    events: list[RunEvent] = []
    with caplog.at_level(logging.WARNING):
        outcome = await run_one(api, tmp_path, events)
    assert outcome["job"].status == "PARTIAL_SUCCESS"
    assert len(api.calls("GET", LIST)) == 2
    assert [e.kind for e in events][-1] == "failed" and events[-1].message == "3 of 4 pages"
    assert "does not know" in caplog.text
    with Ledger(tmp_path / "ledger.sqlite") as ledger:  # recorded as the final outcome
        (record,) = ledger.jobs()
    assert record.status == "PARTIAL_SUCCESS" and record.job_json is not None


async def test_the_runner_keeps_polling_an_unknown_status_before_running(tmp_path: Path) -> None:
    api = ScriptedAPI().on("GET", LIST, listed(**job_json("WARMING_UP")), listed(**COMPLETED))
    outcome = await run_one(api, tmp_path)
    assert outcome["job"].status == "COMPLETED"
    assert len(api.calls("GET", LIST)) == 2


# --- a list page that leaves out the result ---------------------------------------------


async def test_a_completed_job_listed_without_its_result_is_read_before_it_is_reported(
    tmp_path: Path,
) -> None:
    api = ScriptedAPI().on("GET", LIST, listed(**bare_completed()))
    api.on("GET", ONE, httpx.Response(200, json=COMPLETED))
    events: list[RunEvent] = []
    outcome = await run_one(api, tmp_path, events)
    job = outcome["job"]
    assert job.extract_result == COMPLETED["extract_result"]
    assert job.extract_metadata is not None
    (read,) = api.calls("GET", ONE)
    assert read.url.params.get_list("expand") == ["extract_metadata"]
    assert events[-1].kind == "finished" and events[-1].job is job
    with Ledger(tmp_path / "ledger.sqlite") as ledger:  # the cache holds the whole result
        (record,) = ledger.jobs()
    assert record.job_json is not None
    assert record.job_json["extract_result"] == COMPLETED["extract_result"]


async def test_a_completed_job_listed_with_its_result_is_not_read_again(tmp_path: Path) -> None:
    api = ScriptedAPI().on("GET", LIST, listed(**COMPLETED))
    outcome = await run_one(api, tmp_path)
    assert outcome["job"].extract_result == COMPLETED["extract_result"]
    assert api.calls("GET", ONE) == []
