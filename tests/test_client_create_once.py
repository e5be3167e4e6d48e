# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""extract() never uploads or creates twice: failures that may have reached the server are
resolved by looking the file / job up before sending again (scripted API, sync and async);
creates on one file in one process never end up with the same job."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from client_fakes import (  # noqa: F401  (clock, make_runner are fixtures)
    BASE_URL,
    FILE_ID,
    JOB_ID,
    FakeClock,
    ScriptedAPI,
    clock,
    example,
    job_json,
    make_runner,
)

from llamaextract_nb.api.models import ExtractConfiguration, ExtractJob
from llamaextract_nb.client import (
    APIConnectionError,
    AsyncClient,
    BadRequestError,
    InternalServerError,
)
from llamaextract_nb.client.create_once import EXTERNAL_ID_PREFIX, JobMatcher, find_job
from llamaextract_nb.client.create_registry import CREATES

FILES = "/api/v1/beta/files"
EXTRACT = "/api/v2/extract"
JOB_PATH = f"{EXTRACT}/{JOB_ID}"
SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}}
OTHER_JOB = "ext-11111111-2222-4333-8444-555555555555"


def page(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"items": list(items), "next_page_token": None})


def sent_external_id(request: httpx.Request) -> str:
    """The ``external_file_id`` field of an upload request."""
    body = request.read()
    return body.split(b'name="external_file_id"\r\n\r\n', 1)[1].split(b"\r\n", 1)[0].decode()


def uploaded(request: httpx.Request) -> httpx.Response:
    """The uploaded file, echoing the ``external_file_id`` it was sent with."""
    file = {**example("01_file_uploaded"), "external_file_id": sent_external_id(request)}
    return httpx.Response(201, json=file)


def api_after_upload() -> ScriptedAPI:
    """Create, poll and the final expanded read answer at once."""
    completed = httpx.Response(200, json=example("04_job_completed_per_doc_expanded"))
    return (
        ScriptedAPI()
        .on("POST", EXTRACT, httpx.Response(200, json=job_json("PENDING")))
        .on("GET", JOB_PATH, completed)
    )


def lost(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("connection reset by peer", request=request)


def test_a_lost_upload_answer_is_found_by_its_external_id(
    make_runner: Any, clock: FakeClock
) -> None:
    api = api_after_upload()
    file_list: list[httpx.Request] = []

    def list_files(request: httpx.Request) -> httpx.Response:
        file_list.append(request)
        upload = api.calls("POST", FILES)[0]
        return page({**example("01_file_uploaded"), "external_file_id": sent_external_id(upload)})

    api.on("POST", FILES, lost).on("GET", FILES, list_files)
    result = make_runner(api)("extract", b"%PDF-1.4 tiny", SCHEMA)
    assert result.job.id == JOB_ID
    assert len(api.calls("POST", FILES)) == 1, "the upload was sent again"
    external = sent_external_id(api.calls("POST", FILES)[0])
    assert external.startswith(EXTERNAL_ID_PREFIX) and len(external) == len(EXTERNAL_ID_PREFIX) + 36
    assert file_list[0].url.params["external_file_id"] == external
    assert json.loads(api.calls("POST", EXTRACT)[0].read())["file_input"] == FILE_ID


def test_an_upload_that_did_not_land_is_sent_again_once(make_runner: Any, clock: FakeClock) -> None:
    api = api_after_upload().on("POST", FILES, lost, uploaded).on("GET", FILES, page())
    make_runner(api)("extract", b"%PDF-1.4 tiny", SCHEMA)
    first, second = api.calls("POST", FILES)
    assert sent_external_id(first) == sent_external_id(second)
    assert [r.method for r in api.requests[:3]] == ["POST", "GET", "POST"]


def test_a_create_answered_503_is_looked_up_on_our_own_file(
    make_runner: Any, clock: FakeClock
) -> None:
    api = api_after_upload()
    api.on("POST", FILES, uploaded)
    api.on("POST", EXTRACT, httpx.Response(503, headers={"Retry-After": "2"}))
    # The server echoes the configuration normalised: on a file of ours any job is ours.
    api.on("GET", EXTRACT, page(job_json("PENDING", configuration=None)))
    result = make_runner(api)("extract", b"%PDF-1.4 tiny", SCHEMA)
    assert result.job.id == JOB_ID
    assert len(api.calls("POST", EXTRACT)) == 1, "the job was created twice"
    look = api.calls("GET", EXTRACT)[0].url.params
    assert look["file_input"] == FILE_ID and look["expand"] == "configuration"
    assert look["created_at_on_or_after"].endswith("+00:00")
    assert clock.sleeps[0] == 2.0  # the server's Retry-After, before the look-up


def test_a_create_that_did_not_land_is_sent_again(make_runner: Any, clock: FakeClock) -> None:
    api = api_after_upload().on("POST", FILES, uploaded).on("GET", EXTRACT, page())
    api.on("POST", EXTRACT, lost, httpx.Response(200, json=job_json("PENDING")))
    assert make_runner(api)("extract", b"%PDF-1.4 tiny", SCHEMA).job.id == JOB_ID
    assert [(r.method, r.url.path) for r in api.requests[:4]] == [
        ("POST", FILES),
        ("POST", EXTRACT),
        ("GET", EXTRACT),
        ("POST", EXTRACT),
    ]


def test_on_an_existing_file_only_a_new_job_with_our_configuration_is_ours(
    make_runner: Any, clock: FakeClock
) -> None:
    ours = {"data_schema": SCHEMA, "cite_sources": True}
    before = job_json("COMPLETED", id=OTHER_JOB, configuration=ours)
    other_options = job_json(
        "PENDING",
        id="ext-22222222-2222-4333-8444-555555555555",
        configuration={"data_schema": SCHEMA, "tier": "agentic"},
    )
    mine = job_json("PENDING", configuration=ours)
    api = api_after_upload()
    api.on("GET", EXTRACT, page(before), page(before, other_options, mine))
    api.on("POST", EXTRACT, lost)
    result = make_runner(api)("extract", FILE_ID, SCHEMA, cite_sources=True)
    assert result.job.id == JOB_ID
    assert len(api.calls("POST", EXTRACT)) == 1
    assert api.calls("POST", FILES) == []


def test_on_an_existing_file_a_job_that_was_there_before_is_not_taken(
    make_runner: Any, clock: FakeClock
) -> None:
    before = job_json("COMPLETED", id=OTHER_JOB, configuration={"data_schema": SCHEMA})
    api = api_after_upload()
    api.on("GET", EXTRACT, page(before))
    api.on("POST", EXTRACT, lost, httpx.Response(200, json=job_json("PENDING")))
    assert make_runner(api)("extract", FILE_ID, SCHEMA).job.id == JOB_ID
    assert len(api.calls("POST", EXTRACT)) == 2


def test_a_refused_create_is_not_retried(make_runner: Any, clock: FakeClock) -> None:
    api = api_after_upload().on("POST", FILES, uploaded)
    api.on("POST", EXTRACT, httpx.Response(400, json={"detail": "bad schema"}))
    with pytest.raises(BadRequestError):
        make_runner(api)("extract", b"%PDF-1.4 tiny", SCHEMA)
    assert len(api.calls("POST", EXTRACT)) == 1 and api.calls("GET", EXTRACT) == []


def test_attempts_follow_max_retries(make_runner: Any, clock: FakeClock) -> None:
    api = api_after_upload().on("POST", FILES, uploaded).on("GET", EXTRACT, page())
    api.on("POST", EXTRACT, httpx.Response(500, json={"detail": "down"}))
    with pytest.raises(InternalServerError):
        make_runner(api, max_retries=2)("extract", b"%PDF-1.4 tiny", SCHEMA)
    assert len(api.calls("POST", EXTRACT)) == 3 and len(api.calls("GET", EXTRACT)) == 2

    api.on("POST", FILES, lost)
    with pytest.raises(APIConnectionError):
        make_runner(api, max_retries=0)("extract", b"%PDF-1.4 tiny", SCHEMA)


def test_jobs_create_itself_is_still_retried_like_the_sdk(
    make_runner: Any, clock: FakeClock
) -> None:
    api = ScriptedAPI().on(
        "POST",
        EXTRACT,
        httpx.Response(503),
        httpx.Response(200, json=job_json("PENDING")),
    )
    job = make_runner(api)("jobs.create", FILE_ID, {"data_schema": SCHEMA})
    assert job.id == JOB_ID and len(api.calls("POST", EXTRACT)) == 2


def test_matcher_prefers_our_configuration_and_the_earliest_job() -> None:
    configuration = ExtractConfiguration(data_schema=SCHEMA, tier="agentic")

    def job(job_id: str, created: str, **options: Any) -> ExtractJob:
        config = {"data_schema": SCHEMA, **options}
        return ExtractJob.model_validate(
            job_json("PENDING", id=job_id, created_at=created, configuration=config)
        )

    late = job("ext-3", "2026-04-12T10:00:02Z", tier="agentic", version="2026-01-01")
    early = job("ext-2", "2026-04-12T10:00:01Z", tier="agentic")
    other = job("ext-1", "2026-04-12T10:00:00Z", tier="fast")
    shared = JobMatcher("dfl-1", configuration, 0.0, excluded={"ext-2"})
    assert shared.pick([late, early, other]) is late  # version is resolved by the server
    assert shared.pick([other]) is None
    assert JobMatcher("dfl-1", configuration, 0.0, sole_create=True).pick([other]) is other


EARLY_JOB = "ext-00000000-2222-4333-8444-555555555555"


def two_jobs_on_the_file() -> ScriptedAPI:
    """The file holds two jobs of our configuration: EARLY_JOB, then JOB_ID."""
    config = {"data_schema": SCHEMA}
    early = job_json(
        "PENDING", id=EARLY_JOB, created_at="2026-04-12T10:00:00Z", configuration=config
    )
    late = job_json("PENDING", created_at="2026-04-12T10:00:01Z", configuration=config)
    return ScriptedAPI().on("GET", EXTRACT, page(late, early))


def matcher() -> JobMatcher:
    return JobMatcher(FILE_ID, ExtractConfiguration(data_schema=SCHEMA), 0.0)


async def test_a_look_up_waits_for_a_sibling_create_in_flight_and_leaves_it_its_job() -> None:
    """Another create on the file is waiting for its answer (its job is EARLY_JOB)."""
    api = two_jobs_on_the_file()
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    async with AsyncClient(base_url=BASE_URL, api_key="k", http_client=http) as client:
        with (
            CREATES.creating(BASE_URL, FILE_ID) as sibling,
            CREATES.creating(BASE_URL, FILE_ID) as ours,
        ):
            with sibling.sending():
                looking = asyncio.ensure_future(find_job(client, matcher(), ours))
                await asyncio.sleep(0.1)
                assert not looking.done() and api.requests == []  # not even listed yet
                sibling.claim(ExtractJob.model_validate(job_json("PENDING", id=EARLY_JOB)))
            job = await asyncio.wait_for(looking, 5)
    assert job is not None and job.id == JOB_ID  # the earliest match, but not the sibling's
    assert len(api.calls("GET", EXTRACT)) == 1
    assert len(CREATES) == 0, "the registry forgets a file once its creates end"


async def test_two_look_ups_never_take_the_same_job() -> None:
    api = two_jobs_on_the_file()
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    async with AsyncClient(base_url=BASE_URL, api_key="k", http_client=http) as client:
        with CREATES.creating(BASE_URL, FILE_ID) as one, CREATES.creating(BASE_URL, FILE_ID) as two:
            jobs = await asyncio.gather(*(find_job(client, matcher(), s) for s in (one, two)))
            third = await find_job(client, matcher(), one)
    assert sorted(job.id for job in jobs if job) == sorted([EARLY_JOB, JOB_ID])
    assert third is None
    again = ExtractJob.model_validate(job_json("PENDING", configuration={"data_schema": SCHEMA}))
    with CREATES.creating(BASE_URL, FILE_ID) as later:  # a new create: the claims are forgotten
        assert later.take(matcher(), [again], wait=True) == (True, again)


async def test_a_look_up_stops_waiting_for_a_sibling_after_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("llamaextract_nb.client.create_once.SIBLING_WAIT", 0.2)
    api = two_jobs_on_the_file()
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    async with AsyncClient(base_url=BASE_URL, api_key="k", http_client=http) as client:
        with (
            CREATES.creating(BASE_URL, FILE_ID) as sibling,
            CREATES.creating(BASE_URL, FILE_ID) as ours,
            sibling.sending(),
        ):
            job = await asyncio.wait_for(find_job(client, matcher(), ours), 5)
    assert job is not None and job.id == EARLY_JOB
