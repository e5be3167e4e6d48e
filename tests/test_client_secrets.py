# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""The API key never shows: not in any repr, str, HTML, log line or exception."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import httpx
import pytest
from client_fakes import (  # noqa: F401  (clock, make_runner are fixtures)
    API_KEY,
    JOB_ID,
    FakeClock,
    ScriptedAPI,
    clock,
    job_json,
    make_runner,
)

from llamaextract_nb.api.models import ExtractJob
from llamaextract_nb.client import (
    APIConnectionError,
    AsyncClient,
    AuthenticationError,
    Client,
    JobFailedError,
    LlamaExtractError,
    Settings,
    WaitTimeout,
)

JOB_PATH = f"/api/v2/extract/{JOB_ID}"


def renderings(obj: object) -> list[str]:
    texts = [repr(obj), str(obj)]
    html = getattr(obj, "_repr_html_", None)
    if html is not None:
        texts.append(html())
    return texts


def test_key_is_absent_from_client_and_settings_displays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", API_KEY)
    sync = Client(base_url="https://example.test")
    async_ = sync.to_async()
    assert async_.settings.api_key == API_KEY  # carried over, just never shown
    shown = [
        *renderings(sync),
        *renderings(async_),
        *renderings(sync.settings),
        *renderings(sync._layer),
        *renderings(AsyncClient(api_key=API_KEY)),
    ]
    assert all(API_KEY not in text for text in shown)
    assert "set (hidden)" in sync._repr_html_()
    assert repr(sync) == "Client(base_url='https://example.test', project_id=None)"


def test_key_is_absent_from_logs_and_exceptions(
    make_runner: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    api = (
        ScriptedAPI()
        .on("GET", JOB_PATH, httpx.Response(503), httpx.Response(401, json={"detail": "Invalid"}))
        .on("GET", "/api/v2/extract", httpx.ConnectError("refused"))
    )
    run = make_runner(api, max_retries=1)
    errors: list[LlamaExtractError] = []
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(AuthenticationError) as auth:
            run("jobs.get", JOB_ID)
        errors.append(auth.value)
        with pytest.raises(APIConnectionError) as down:
            run("jobs.list")
        errors.append(down.value)
    failed = job_json("FAILED", error_message="bad")
    errors.append(JobFailedError(ExtractJob.model_validate(failed)))
    errors.append(WaitTimeout(JOB_ID, "RUNNING", 5))

    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith(f"retrying GET {JOB_PATH}") for m in messages)
    assert any(m.startswith("HTTP Request: GET") for m in messages)  # httpx's own log
    assert API_KEY not in caplog.text
    for error in errors:
        rendered = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        assert API_KEY not in rendered
        assert all(API_KEY not in text for text in renderings(error))
        assert all(API_KEY not in repr(arg) for arg in error.args)
    assert "Invalid" in str(auth.value) and "check the API key" in str(auth.value)


def test_missing_key_and_bad_settings_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LLAMA_CLOUD_API_KEY", "LLAMA_PARSE_API_KEY", "LLAMA_CLOUD_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match=r"no API key: pass api_key=\.\.\. or set LLAMA_CLOUD"):
        Client()
    with pytest.raises(ValueError, match="base_url must start with http"):
        Client(api_key="k", base_url="api.cloud.llamaindex.ai")
    with pytest.raises(ValueError, match="max_retries must be 0 or more"):
        Client(api_key="k", max_retries=-1)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", API_KEY)
    monkeypatch.setenv("LLAMA_CLOUD_BASE_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("LLAMA_CLOUD_PROJECT_ID", "proj-1")
    with Client() as client:
        assert (client.base_url, client.project_id) == ("http://127.0.0.1:9999", "proj-1")
        assert client.settings.timeout == 60.0 and client.settings.max_retries == 5
    assert Client(project_id="proj-2").project_id == "proj-2"
    monkeypatch.delenv("LLAMA_CLOUD_BASE_URL")
    assert Settings.resolve().base_url == "https://api.cloud.llamaindex.ai"
