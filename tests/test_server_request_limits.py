"""Hostile and unsupported requests get a 4xx with a message, never a 500 (issue 12: 4, 5, 6,
and the combinations the service documents as unsupported), over real HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from llamaextract_nb.local.server.limits import MAX_JSON_BODY_BYTES, MAX_SYSTEM_PROMPT_CHARS

pytestmark = pytest.mark.slow

SCHEMA: dict[str, Any] = {"type": "object", "properties": {"total": {"type": "number"}}}


@pytest.fixture(scope="module")
def file_id(http: httpx.Client) -> str:
    response = http.post(
        "/api/v1/beta/files",
        files={"file": ("t.txt", b"Total: 12.50\n")},
        data={"purpose": "extract"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def token(cursor: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


def messages(response: httpx.Response) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else " ".join(item["msg"] for item in detail)


@pytest.mark.parametrize(
    ("path", "page_token"),
    [
        ("/api/v2/extract", token({"kind": "jobs", "seq": 2**64})),
        ("/api/v2/extract", token({"kind": "jobs", "seq": -(2**70)})),
        ("/api/v2/extract", "W" * 6000),  # "[[[[..." once decoded: nested past the parser
        ("/api/v1/beta/files", token({"kind": "files:created_at", "key": [2**80, 2**80]})),
        ("/api/v1/beta/configurations", token({"kind": "configurations", "seq": 10**30})),
    ],
)
def test_crafted_page_tokens_are_refused(http: httpx.Client, path: str, page_token: str) -> None:
    response = http.get(path, params={"page_token": page_token})
    assert response.status_code == 400, response.text
    assert "invalid page_token" in response.json()["detail"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("created_at_on_or_after", "0001-01-01T00:00:00+14:00"),
        ("created_at_on_or_before", "9999-12-31T23:59:59-14:00"),
    ],
)
def test_times_without_a_utc_equivalent_are_refused(
    http: httpx.Client, name: str, value: str
) -> None:
    response = http.get("/api/v2/extract", params={name: value})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", name]
    assert "outside the years 1-9999" in messages(response)


def test_other_numbers_past_their_range_are_refused(http: httpx.Client, file_id: str) -> None:
    for path in ("/api/v2/extract", "/api/v1/beta/files", "/api/v1/beta/configurations"):
        response = http.get(path, params={"page_size": str(2**64)})
        assert response.status_code == 422, (path, response.text)
    link = http.get(f"/api/v1/beta/files/{file_id}/content", params={"expires_at_seconds": 2**70})
    assert link.status_code == 422
    query = http.post("/api/v1/beta/files/query", json={"page_size": 2**70})
    assert query.status_code == 200  # the service coerces large sizes to its maximum
    many = http.post("/api/v1/beta/files/query", json={"filter": {"file_ids": ["x"] * 40_000}})
    assert many.status_code == 422, many.text
    config = json.dumps({"data_schema": SCHEMA})[:-1] + ', "max_pages": ' + "9" * 5000 + "}"
    huge_max_pages = http.post(
        "/api/v2/extract",
        content=f'{{"file_input": "{file_id}", "configuration": {config}}}',
        headers={"content-type": "application/json"},
    )
    assert huge_max_pages.status_code == 400, huge_max_pages.text


@pytest.mark.parametrize(
    ("target_pages", "says"),
    [
        ("1-99999999999", "page numbers go up to 100,000"),
        ("5-2", "runs backwards; write it low to high (2-5)"),
        ("\u0661-\u0663", "is not a page selection"),
        ("0-2", "pages are numbered from 1"),
    ],
)
def test_target_pages_are_checked_at_create(
    http: httpx.Client, file_id: str, target_pages: str, says: str
) -> None:
    body = {
        "file_input": file_id,
        "configuration": {"data_schema": SCHEMA, "target_pages": target_pages},
    }
    response = http.post("/api/v2/extract", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "configuration", "target_pages"]
    assert says in messages(response)


def test_a_json_body_over_the_cap_is_refused_before_it_is_read(
    http: httpx.Client, file_id: str
) -> None:
    padding = "x" * (MAX_JSON_BODY_BYTES + 1)
    body = {"file_input": file_id, "configuration": {"data_schema": SCHEMA}, "pad": padding}
    declared = http.post("/api/v2/extract", json=body)
    assert declared.status_code == 413, declared.text
    assert "limit of 8 MB" in declared.json()["detail"]
    encoded = json.dumps(body).encode()

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(encoded), 1 << 20):
            yield encoded[start : start + (1 << 20)]

    streamed = http.post(
        "/api/v2/extract", content=chunked(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413, streamed.text
    small = http.post(
        "/api/v2/extract",
        content=iter(
            [json.dumps({"file_input": file_id, "configuration": {"data_schema": SCHEMA}}).encode()]
        ),
        headers={"content-type": "application/json"},
    )
    assert small.status_code == 200, small.text


def test_a_system_prompt_over_the_cap_is_refused(http: httpx.Client, file_id: str) -> None:
    config = {"data_schema": SCHEMA, "system_prompt": "p" * (MAX_SYSTEM_PROMPT_CHARS + 1)}
    response = http.post("/api/v2/extract", json={"file_input": file_id, "configuration": config})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "configuration", "system_prompt"]
    assert f"{MAX_SYSTEM_PROMPT_CHARS}" in messages(response)
    saved = http.post(
        "/api/v1/beta/configurations",
        json={"name": "long", "parameters": {"product_type": "extract_v2", **config}},
    )
    assert saved.status_code == 422, saved.text


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"tier": "agentic_plus", "extraction_target": "per_page"}, "'per_doc' only"),
        ({"tier": "agentic_plus", "extraction_target": "per_table_row"}, "'per_doc' only"),
        ({"spreadsheet_mode": True}, "spreadsheet_mode needs tier 'agentic_plus'"),
        ({"sheet_names": ["Q1"]}, "sheet_names applies only with spreadsheet_mode"),
        ({"tier": "turbo", "parse_tier": "fast"}, "parse_tier is not supported with tier 'turbo'"),
    ],
)
def test_combinations_the_service_refuses_are_refused(
    http: httpx.Client, file_id: str, options: dict[str, Any], says: str
) -> None:
    config = {"data_schema": SCHEMA, **options}
    response = http.post("/api/v2/extract", json={"file_input": file_id, "configuration": config})
    assert response.status_code == 422, response.text
    assert says in messages(response)
    saved = http.post(
        "/api/v1/beta/configurations",
        json={"name": f"combo-{len(says)}", "parameters": {"product_type": "extract_v2", **config}},
    )
    assert saved.status_code == 422 and says in messages(saved)


def test_spreadsheet_mode_refuses_a_document_that_is_not_a_spreadsheet(
    http: httpx.Client, file_id: str
) -> None:
    config = {"data_schema": SCHEMA, "tier": "agentic_plus", "spreadsheet_mode": True}
    response = http.post("/api/v2/extract", json={"file_input": file_id, "configuration": config})
    assert response.status_code == 400, response.text
    assert "'t.txt' is not one" in response.json()["detail"]


def test_a_suggestion_refuses_documents_too_large_to_read_in_the_server_process(
    http: httpx.Client,
) -> None:
    ids = [
        http.post(
            "/api/v1/beta/files",
            files={"file": (f"big{index}.txt", b"Total: 1.00\n" * (2 << 20))},  # 24 MB each
            data={"purpose": "extract"},
        ).json()["id"]
        for index in range(3)
    ]
    response = http.post("/api/v2/extract/schema/generate", json={"file_ids": ids})
    assert response.status_code == 400, response.text
    assert "add up to 72.0 MB; a suggestion reads at most 50 MB" in response.json()["detail"]
