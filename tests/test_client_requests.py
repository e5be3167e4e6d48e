# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""The shared request layer, driven through the sync and the async client alike: URLs, auth,
query encoding, pagination, retries with Retry-After, and the error family."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from typing import Any

import httpx
import pytest
from client_fakes import (  # noqa: F401  (clock, make_runner are fixtures)
    API_KEY,
    FILE_ID,
    JOB_ID,
    PROJECT_ID,
    FakeClock,
    ScriptedAPI,
    clock,
    example,
    job_json,
    make_runner,
    query,
)

from llamaextract_nb.api.models import ExtractJob, File, Page, PresignedURL
from llamaextract_nb.client import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    LlamaExtractError,
    NotFoundError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    RequestValidationError,
)
from llamaextract_nb.client.retry import backoff, parse_retry_after

JOB_PATH = f"/api/v2/extract/{JOB_ID}"


def ok_job(status: str = "RUNNING") -> httpx.Response:
    return httpx.Response(200, json=job_json(status))


# --- request building ---------------------------------------------------------------


def test_bearer_auth_project_scope_and_repeated_expand_keys(make_runner: Any) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, ok_job())
    run = make_runner(api, project_id=PROJECT_ID, organization_id="org-1")
    job = run("jobs.get", JOB_ID, expand=["configuration", "extract_metadata", "usage"])
    assert isinstance(job, ExtractJob) and job.status == "RUNNING"
    request = api.requests[0]
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["accept"] == "application/json"
    assert query(request) == [
        ("expand", "configuration"),
        ("expand", "extract_metadata"),
        ("expand", "usage"),
        ("project_id", PROJECT_ID),
        ("organization_id", "org-1"),
    ]


def test_list_filters_encode_lists_bools_and_datetimes(make_runner: Any) -> None:
    api = ScriptedAPI().on("GET", "/api/v2/extract", httpx.Response(200, json={"items": []}))
    api.on("DELETE", JOB_PATH, httpx.Response(200, json={}))
    run = make_runner(api)
    after = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.timezone.utc)
    page = run(
        "jobs.list_page",
        job_ids=["ext-a", "ext-b"],
        status="RUNNING",
        created_at_on_or_after=after,
        page_size=50,
    )
    assert isinstance(page, Page) and page.items == []
    assert query(api.requests[0]) == [
        ("job_ids", "ext-a"),
        ("job_ids", "ext-b"),
        ("status", "RUNNING"),
        ("created_at_on_or_after", "2026-04-01T12:00:00+00:00"),
        ("page_size", "50"),
    ]
    assert run("jobs.delete", JOB_ID, force=True) is None
    assert query(api.requests[1]) == [("force", "true")]


def test_unknown_list_filter_is_a_clear_type_error(make_runner: Any) -> None:
    run = make_runner(ScriptedAPI())
    with pytest.raises(TypeError, match=r"unknown filter 'state'.*valid filters are: status"):
        run("jobs.list", state="RUNNING")


def test_schema_validation_takes_no_project_and_converts_schema(make_runner: Any) -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string"}}}
    api = ScriptedAPI().on(
        "POST",
        "/api/v2/extract/schema/validation",
        httpx.Response(200, json={"data_schema": schema}),
    )
    run = make_runner(api, project_id=PROJECT_ID)
    assert (
        run("jobs.validate_schema", '{"type": "object", "properties": {"x": {"type": "string"}}}')
        == schema
    )
    request = api.requests[0]
    assert query(request) == []
    assert (
        request.read() == b'{"data_schema":{"type":"object","properties":{"x":{"type":"string"}}}}'
    )


def test_files_routes(make_runner: Any) -> None:
    file_path = f"/api/v1/beta/files/{FILE_ID}"
    url = {"url": "https://blob.test/x", "expires_at": "2026-04-12T10:00:00Z"}
    api = (
        ScriptedAPI()
        .on("GET", file_path, httpx.Response(200, json=example("01_file_uploaded")))
        .on("DELETE", file_path, httpx.Response(204))
        .on("GET", f"{file_path}/content", httpx.Response(200, json=url))
    )
    run = make_runner(api)
    assert run("files.get", FILE_ID).id == FILE_ID
    assert run("files.delete", FILE_ID) is None
    presigned = run("files.content_url", FILE_ID, expires_at_seconds=300)
    assert isinstance(presigned, PresignedURL) and presigned.url == url["url"]
    assert query(api.requests[2]) == [("expires_at_seconds", "300")]


def test_ids_cannot_escape_their_path_segment(make_runner: Any) -> None:
    api = ScriptedAPI()
    run = make_runner(api)
    with pytest.raises(NotFoundError):
        run("jobs.get", "../files/x")
    assert api.requests[0].url.raw_path == b"/api/v2/extract/..%2Ffiles%2Fx"


def test_create_sends_only_the_options_given(make_runner: Any) -> None:
    api = ScriptedAPI().on("POST", "/api/v2/extract", httpx.Response(200, json=job_json("PENDING")))
    run = make_runner(api)
    config = {"data_schema": {"type": "object"}, "tier": "agentic", "cite_sources": True}
    run("jobs.create", FILE_ID, config)
    run("jobs.create", "pjb-7d20c4e9", configuration_id="cfg-1")

    assert json.loads(api.requests[0].read()) == {"file_input": FILE_ID, "configuration": config}
    assert json.loads(api.requests[1].read()) == {
        "file_input": "pjb-7d20c4e9",
        "configuration_id": "cfg-1",
    }
    with pytest.raises(TypeError, match="exactly one of configuration"):
        run("jobs.create", FILE_ID)
    with pytest.raises(TypeError, match="exactly one of configuration"):
        run("jobs.create", FILE_ID, config, configuration_id="cfg-1")


# --- pagination ---------------------------------------------------------------------


def test_list_iterates_across_three_pages(make_runner: Any) -> None:
    pages = {
        None: {
            "items": [job_json("COMPLETED", id="ext-1"), job_json("FAILED", id="ext-2")],
            "next_page_token": "t2",
        },
        "t2": {"items": [job_json("RUNNING", id="ext-3")], "next_page_token": "t3"},
        "t3": {"items": [job_json("PENDING", id="ext-4")], "next_page_token": None},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("page_token")])

    api = ScriptedAPI().on("GET", "/api/v2/extract", answer)
    run = make_runner(api)
    jobs = run("jobs.list", status="COMPLETED", page_size=2)
    assert [j.id for j in jobs] == ["ext-1", "ext-2", "ext-3", "ext-4"]
    assert all(isinstance(j, ExtractJob) for j in jobs)
    assert [r.url.params.get("page_token") for r in api.requests] == [None, "t2", "t3"]
    assert all(r.url.params["status"] == "COMPLETED" for r in api.requests)


def test_files_list_iterates_pages_and_stops_on_empty_token(make_runner: Any) -> None:
    file = example("01_file_uploaded")
    api = ScriptedAPI().on(
        "GET",
        "/api/v1/beta/files",
        httpx.Response(200, json={"items": [file], "next_page_token": "p2"}),
        httpx.Response(200, json={"items": [file], "next_page_token": ""}),
    )
    files = make_runner(api)("files.list", file_name="a.pdf")
    assert len(files) == 2 and all(isinstance(f, File) for f in files)
    assert query(api.requests[1]) == [("file_name", "a.pdf"), ("page_token", "p2")]


def test_a_repeating_page_token_stops_with_an_error(make_runner: Any) -> None:
    api = ScriptedAPI().on(
        "GET", "/api/v2/extract", httpx.Response(200, json={"items": [], "next_page_token": "same"})
    )
    with pytest.raises(LlamaExtractError, match="same next_page_token twice"):
        make_runner(api)("jobs.list")


# --- retries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "600"}, 60.0),
    ],
)
def test_retry_after_is_honoured(
    make_runner: Any, clock: FakeClock, headers: dict[str, str], expected: float
) -> None:
    api = ScriptedAPI().on(
        "GET",
        JOB_PATH,
        httpx.Response(429, headers=headers, json={"detail": "slow down"}),
        ok_job(),
    )
    assert make_runner(api)("jobs.get", JOB_ID).status == "RUNNING"
    assert clock.sleeps == [expected]
    assert len(api.requests) == 2


def test_retry_after_http_date_is_honoured(make_runner: Any, clock: FakeClock) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    api = ScriptedAPI().on(
        "GET", JOB_PATH, httpx.Response(503, headers={"Retry-After": when}), ok_job()
    )
    make_runner(api)("jobs.get", JOB_ID)
    assert len(clock.sleeps) == 1 and 27.0 <= clock.sleeps[0] <= 30.0


def test_parse_retry_after_ignores_garbage() -> None:
    assert parse_retry_after({"retry-after": "soon"}, time.time) is None
    assert parse_retry_after({"retry-after": "-4"}, time.time) is None
    assert parse_retry_after({}, time.time) is None
    past = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert parse_retry_after({"retry-after": past}, time.time) == 0.0


def test_backoff_is_jittered_exponential_and_capped() -> None:
    assert backoff(0, lambda: 0.0) == 0.5 and backoff(0, lambda: 1.0) == 0.375
    assert backoff(3, lambda: 0.0) == 4.0
    assert backoff(10, lambda: 0.0) == 8.0


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_retry_with_backoff_until_max(
    make_runner: Any, clock: FakeClock, status: int
) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, httpx.Response(status, json={"detail": "busy"}))
    run = make_runner(api, max_retries=3)
    with pytest.raises(APIStatusError) as info:
        run("jobs.get", JOB_ID)
    assert info.value.status_code == status
    assert len(api.requests) == 4
    assert len(clock.sleeps) == 3
    for index, delay in enumerate(clock.sleeps):
        assert 0.75 * 0.5 * 2**index <= delay <= 0.5 * 2**index


def test_transient_server_errors_are_retried_then_succeed(
    make_runner: Any, clock: FakeClock
) -> None:
    api = ScriptedAPI().on(
        "GET", JOB_PATH, httpx.Response(502), httpx.Response(500, json={"detail": "x"}), ok_job()
    )
    assert make_runner(api)("jobs.get", JOB_ID).status == "RUNNING"
    assert len(api.requests) == 3 and len(clock.sleeps) == 2


def test_connection_errors_are_retried_then_reported(make_runner: Any, clock: FakeClock) -> None:
    refused = httpx.ConnectError("connection refused")
    api = ScriptedAPI().on("GET", JOB_PATH, refused, ok_job())
    assert make_runner(api)("jobs.get", JOB_ID).status == "RUNNING"
    assert len(clock.sleeps) == 1

    down = ScriptedAPI().on("GET", JOB_PATH, httpx.ReadTimeout("timed out"))
    with pytest.raises(APIConnectionError) as info:
        make_runner(down, max_retries=2)("jobs.get", JOB_ID)
    assert info.value.attempts == 3 and len(down.requests) == 3
    assert f"GET {JOB_PATH}" in str(info.value) and "ReadTimeout: timed out" in str(info.value)

    misconfigured = ScriptedAPI().on("GET", JOB_PATH, httpx.UnsupportedProtocol("ftp://"))
    with pytest.raises(APIConnectionError) as info:
        make_runner(misconfigured)("jobs.get", JOB_ID)
    assert info.value.attempts == 1 and len(misconfigured.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, PayloadTooLargeError),
        (422, RequestValidationError),
    ],
)
def test_client_errors_are_never_retried(
    make_runner: Any, clock: FakeClock, status: int, error_class: type[APIStatusError]
) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, httpx.Response(status, json={"detail": "no"}))
    with pytest.raises(error_class) as info:
        make_runner(api)("jobs.get", JOB_ID)
    assert len(api.requests) == 1 and clock.sleeps == []
    assert info.value.status_code == status and info.value.detail == "no"
    assert (info.value.method, info.value.path) == ("GET", JOB_PATH)


def test_max_retries_zero_sends_once(make_runner: Any, clock: FakeClock) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, httpx.Response(503))
    with pytest.raises(InternalServerError):
        make_runner(api, max_retries=0)("jobs.get", JOB_ID)
    assert len(api.requests) == 1


def test_an_unretried_error_carries_the_servers_retry_after(make_runner: Any) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, httpx.Response(429, headers={"Retry-After": "7"}))
    with pytest.raises(APIStatusError) as info:
        make_runner(api, max_retries=0)("jobs.get", JOB_ID)
    assert info.value.retry_after == 7.0


# --- errors -------------------------------------------------------------------------


def test_422_example_raises_validation_error_with_readable_paths(make_runner: Any) -> None:
    api = ScriptedAPI().on(
        "POST", "/api/v2/extract", httpx.Response(422, json=example("06_error_422_validation"))
    )
    run = make_runner(api)
    with pytest.raises(RequestValidationError) as info:
        run("jobs.create", FILE_ID, {"data_schema": {"type": "object"}, "tier": "premium"})
    error = info.value
    assert error.field_paths == ["file_input", "configuration.tier"]
    message = str(error)
    assert message.startswith("422 from POST /api/v2/extract:")
    assert "  file_input: Field required" in message
    assert "  configuration.tier: Input should be 'cost_effective'" in message
    assert "body." not in message


def test_nested_422_locations_render_as_dotted_paths(make_runner: Any) -> None:
    detail = [
        {"loc": ["body", "configuration", "data_schema", "properties", "x"], "msg": "bad type"},
        {"loc": ["body", "items", 2, "amount"], "msg": "not a number"},
        {"loc": ["query", "page_size"], "msg": "must be <= 1000"},
    ]
    api = ScriptedAPI().on("GET", "/api/v2/extract", httpx.Response(422, json={"detail": detail}))
    with pytest.raises(RequestValidationError) as info:
        make_runner(api)("jobs.list")
    message = str(info.value)
    assert "configuration.data_schema.properties.x: bad type" in message
    assert "items[2].amount: not a number" in message
    assert "query.page_size: must be <= 1000" in message


@pytest.mark.parametrize(
    ("status", "needle"),
    [
        (401, "check the API key"),
        (402, "out of credits"),
        (403, f"project {PROJECT_ID}"),
        (404, f"extraction job '{JOB_ID}' was not found"),
        (409, "force=True"),
        (413, "100 MB"),
        (429, "rate limited"),
    ],
)
def test_error_hints(make_runner: Any, clock: FakeClock, status: int, needle: str) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, httpx.Response(status, json={"detail": "nope"}))
    with pytest.raises(APIStatusError) as info:
        make_runner(api, project_id=PROJECT_ID, max_retries=1)("jobs.get", JOB_ID)
    assert info.value.hint is not None and needle in info.value.hint
    assert f"{status} from GET {JOB_PATH}: nope\nHint: " in str(info.value)


def test_404_hint_names_the_file(make_runner: Any) -> None:
    api = ScriptedAPI()
    with pytest.raises(NotFoundError, match="file 'dfl-missing' was not found"):
        make_runner(api)("files.get", "dfl-missing")


def test_non_json_errors_and_answers_are_explained(make_runner: Any) -> None:
    api = ScriptedAPI().on("GET", JOB_PATH, httpx.Response(400, text="<html>bad gateway</html>"))
    api.on("GET", "/api/v2/extract", httpx.Response(200, text="<html>login</html>"))
    run = make_runner(api)
    with pytest.raises(BadRequestError, match="<html>bad gateway</html>"):
        run("jobs.get", JOB_ID)
    with pytest.raises(LlamaExtractError, match=r"non-JSON content.*base_url"):
        run("jobs.list")
