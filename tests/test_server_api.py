"""The server's HTTP contract (spec sections 1-9) over real HTTP, with the real engine."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from servers import ServerProcess, start_server

from llamaextract_nb.local.server import paging

INVOICE = b"Invoice Number: INV-7\nTotal Amount: 120.50\nInvoice Date: 2026-01-31\n"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "total_amount": {"type": "number"},
    },
}


def upload(http: httpx.Client, data: bytes = INVOICE, name: str = "inv.txt", **form: str) -> Any:
    response = http.post(
        "/api/v1/beta/files", files={"file": (name, data)}, data={"purpose": "extract", **form}
    )
    assert response.status_code == 201, response.text
    return response.json()


def create(http: httpx.Client, file_id: str, **config: Any) -> dict[str, Any]:
    body = {"file_input": file_id, "configuration": {"data_schema": SCHEMA, **config}}
    response = http.post("/api/v2/extract", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def wait(http: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = http.get(f"/api/v2/extract/{job_id}").json()
        if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"{job_id} did not finish")


@pytest.mark.slow
def test_bearer_token_is_required(local_server: ServerProcess) -> None:
    url = local_server.base_url + "/api/v2/extract"
    missing = httpx.get(url)
    assert (missing.status_code, missing.json()) == (401, {"detail": "Not authenticated"})
    wrong = httpx.get(url, headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid authentication token"})


@pytest.mark.slow
def test_file_routes(http: httpx.Client) -> None:
    marker = uuid.uuid4().hex
    first = upload(http, name=f"{marker}-b.txt", external_file_id=marker)
    second = upload(http, name=f"{marker}-a.txt")
    assert first["id"].startswith("dfl-") and first["file_type"] == "txt"
    assert first["created_at"].endswith("Z") and first["purpose"] == "extract"
    bare = first["id"].removeprefix("dfl-")
    assert http.get(f"/api/v1/beta/files/{bare}").json()["id"] == first["id"]

    by_ext = http.get("/api/v1/beta/files", params={"external_file_id": marker}).json()
    assert [f["id"] for f in by_ext["items"]] == [first["id"]]
    ids = [first["id"], second["id"]]
    page = http.get(
        "/api/v1/beta/files", params={"file_ids": ids, "order_by": "name", "page_size": 1}
    )
    assert page.json()["items"][0]["id"] == second["id"]  # name ascending
    token = page.json()["next_page_token"]
    rest = http.get(
        "/api/v1/beta/files",
        params={"file_ids": ids, "order_by": "name", "page_size": 1, "page_token": token},
    ).json()
    assert [f["id"] for f in rest["items"]] == [first["id"]] and rest["next_page_token"] is None
    newest = http.get("/api/v1/beta/files", params={"file_ids": ids}).json()["items"]
    assert [f["id"] for f in newest] == [second["id"], first["id"]]

    query = {"filter": {"file_ids": ids}, "order_by": "name", "page_size": 5}
    found = http.post("/api/v1/beta/files/query", json=query).json()
    assert [f["id"] for f in found["items"]] == [second["id"], first["id"]]
    bad_order = http.post("/api/v1/beta/files/query", json={"order_by": "size desc"})
    assert bad_order.status_code == 400 and "order_by" in bad_order.json()["detail"]
    crafted = paging.encode({"kind": "files:name"})  # right kind, no key
    assert (
        http.get(
            "/api/v1/beta/files", params={"order_by": "name", "page_token": crafted}
        ).status_code
        == 400
    )

    link = http.get(f"/api/v1/beta/files/{first['id']}/content").json()
    assert link["expires_at"].endswith("Z")
    downloaded = httpx.get(link["url"])  # no token needed: the link is signed
    assert downloaded.content == INVOICE
    assert downloaded.headers["content-disposition"].startswith("attachment")
    forged = link["url"][:-4] + "0000"
    assert httpx.get(forged).status_code == 403
    expanded = http.get(f"/api/v1/beta/files/{first['id']}", params={"expand": "download_url"})
    assert expanded.json()["download_url"]["url"].startswith("http://127.0.0.1")

    assert (
        http.delete(f"/api/v1/beta/files/{first['id']}", headers={"Accept": "*/*"}).status_code
        == 204
    )
    gone = http.get(f"/api/v1/beta/files/{first['id']}")
    assert gone.status_code == 404 and first["id"] in gone.json()["detail"]
    assert http.get(link["url"]).status_code == 404


@pytest.mark.slow
def test_upload_validation(http: httpx.Client) -> None:
    no_purpose = http.post("/api/v1/beta/files", files={"file": ("a.txt", b"x")})
    assert no_purpose.status_code == 422
    assert no_purpose.json()["detail"][0]["loc"] == ["body", "purpose"]
    bad_purpose = http.post(
        "/api/v1/beta/files", files={"file": ("a.txt", b"x")}, data={"purpose": "fun"}
    )
    assert bad_purpose.status_code == 422 and "extract" in bad_purpose.json()["detail"][0]["msg"]
    no_file = http.post("/api/v1/beta/files", data={"purpose": "extract"})
    assert no_file.status_code == 422 and no_file.json()["detail"][0]["loc"] == ["body", "file"]


@pytest.mark.slow
def test_create_validation(http: httpx.Client) -> None:
    file_id = upload(http)["id"]
    config = {"data_schema": SCHEMA}
    both = http.post(
        "/api/v2/extract",
        json={"file_input": file_id, "configuration": config, "configuration_id": "cfg-1"},
    )
    assert both.status_code == 400
    neither = http.post("/api/v2/extract", json={"file_input": file_id})
    assert neither.status_code == 400 and "exactly one" in neither.json()["detail"]
    missing = http.post("/api/v2/extract", json={"configuration": config})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "file_input"]
    tier = http.post(
        "/api/v2/extract",
        json={"file_input": file_id, "configuration": {**config, "tier": "premium"}},
    )
    assert tier.status_code == 422 and tier.json()["detail"][0]["loc"][-1] == "tier"
    unknown = f"dfl-{uuid.uuid4()}"
    not_found = http.post("/api/v2/extract", json={"file_input": unknown, "configuration": config})
    assert not_found.status_code == 404 and unknown in not_found.json()["detail"]
    pjb = http.post("/api/v2/extract", json={"file_input": "pjb-nope", "configuration": config})
    assert pjb.status_code == 404 and "parse job pjb-nope" in pjb.json()["detail"]
    saved = http.post("/api/v2/extract", json={"file_input": file_id, "configuration_id": "cfg-9"})
    assert saved.status_code == 404 and "cfg-9" in saved.json()["detail"]
    deep: dict[str, Any] = {"type": "string"}
    for i in range(9):
        deep = {"type": "object", "properties": {f"level{i}": deep}}
    too_deep = http.post(
        "/api/v2/extract", json={"file_input": file_id, "configuration": {"data_schema": deep}}
    )
    assert too_deep.status_code == 400 and "depth" in too_deep.json()["detail"]
    pages = http.post(
        "/api/v2/extract",
        json={"file_input": file_id, "configuration": {**config, "target_pages": "0-2"}},
    )
    assert pages.status_code == 422


@pytest.mark.slow
def test_job_lifecycle_expand_and_filters(http: httpx.Client) -> None:
    file_id = upload(http)["id"]
    started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 1)) + "Z"
    plain = create(http, file_id)
    assert plain["status"] == "PENDING" and plain["configuration"]["version"].startswith("local-")
    cited = http.post(
        "/api/v2/extract",
        json={
            "document_input_value": file_id,  # the legacy name of file_input
            "configuration": {"data_schema": SCHEMA, "cite_sources": True},
        },
    ).json()
    done = wait(http, plain["id"])
    assert done["status"] == "COMPLETED", done["error_message"]
    assert done["extract_result"]["invoice_number"] == "INV-7"
    assert done["extract_metadata"] is None and done["configuration"] is None
    assert done["metadata"]["usage"]["num_pages_extracted"] >= 1
    assert done["updated_at"] > done["created_at"]
    expanded = http.get(
        f"/api/v2/extract/{plain['id']}",
        params={"expand": ["configuration", "extract_metadata", "usage", "metadata", "bogus"]},
    ).json()
    assert expanded["configuration"]["data_schema"] == SCHEMA
    assert expanded["extract_metadata"]["parse_job_id"].startswith("pjb-")
    assert expanded["usage"] == {"credits": 0.0, "extract_credits": 0.0, "parse_credits": 0.0}
    auto = wait(http, cited["id"])
    assert auto["extract_metadata"]["field_metadata"]["document_metadata"]["invoice_number"]

    # a completed job's parse job id is a valid file_input
    reuse = create(http, expanded["extract_metadata"]["parse_job_id"])
    assert wait(http, reuse["id"])["extract_result"]["total_amount"] == pytest.approx(120.5)

    ids = [plain["id"], cited["id"], reuse["id"]]

    def listed(**params: Any) -> list[str]:
        body = http.get("/api/v2/extract", params={"job_ids": ids, **params}).json()
        return [j["id"] for j in body["items"]]

    assert listed() == ids[::-1]
    assert listed(file_input=file_id) == [cited["id"], plain["id"]]
    assert listed(document_input_value=file_id) == [cited["id"], plain["id"]]
    assert listed(document_input_type="parse_job_id") == [reuse["id"]]
    assert listed(status="COMPLETED") == ids[::-1]
    assert listed(status="RUNNING") == []
    assert listed(created_at_on_or_after=started) == ids[::-1]
    assert listed(created_at_on_or_before="2000-01-01T00:00:00Z") == []
    for garbage in ("garbage", paging.encode({"kind": "jobs", "seq": "x"})):
        bad_token = http.get("/api/v2/extract", params={"page_token": garbage})
        assert bad_token.status_code == 400 and "page_token" in bad_token.json()["detail"]
    assert http.get("/api/v2/extract", params={"status": "DONE"}).status_code == 422

    unknown = http.get("/api/v2/extract/ext-missing")
    assert unknown.status_code == 404 and "ext-missing" in unknown.json()["detail"]
    terminal = http.post(f"/api/v2/extract/{plain['id']}/cancel")
    assert terminal.status_code == 409 and terminal.headers["x-should-retry"] == "false"
    for job_id in ids:
        assert http.delete(f"/api/v2/extract/{job_id}").status_code == 200
    assert listed() == []


@pytest.mark.slow
def test_unreadable_documents_fail_with_a_readable_message(http: httpx.Client) -> None:
    broken = upload(http, b"%PDF-1.7\n this is not really a pdf", name="broken.pdf")
    binary = upload(http, bytes(range(256)) * 40, name="blob.bin")
    for file in (broken, binary):
        job = wait(http, create(http, file["id"])["id"])
        assert job["status"] == "FAILED"
        assert job["error_message"] and "Traceback" not in job["error_message"]
        assert job["extract_result"] is None


@pytest.mark.slow
def test_schema_validation_route(http: httpx.Client) -> None:
    with_refs = {
        "type": "object",
        "properties": {"buyer": {"$ref": "#/$defs/Party"}},
        "$defs": {"Party": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    ok = http.post("/api/v2/extract/schema/validation", json={"data_schema": with_refs})
    assert ok.status_code == 200
    assert ok.json()["data_schema"]["properties"]["buyer"]["properties"]["name"] == {
        "type": "string"
    }
    assert "$defs" not in ok.json()["data_schema"]
    wide = {"type": "object", "properties": {f"f{i}": {"type": "string"} for i in range(5001)}}
    too_wide = http.post("/api/v2/extract/schema/validation", json={"data_schema": wide})
    assert too_wide.status_code == 400 and "5,000" in too_wide.json()["detail"]
    array_root = http.post(
        "/api/v2/extract/schema/validation", json={"data_schema": {"type": "array"}}
    )
    assert array_root.status_code == 400 and "root" in array_root.json()["detail"]
    generate = http.post("/api/v2/extract/schema/generate", json={"prompt": "invoice fields"})
    assert generate.status_code == 400 and "file_id" in generate.json()["detail"]
    bad_ref = {"type": "object", "properties": {"x": {"$ref": "#/$defs/Nope"}}}
    assert (
        http.post("/api/v2/extract/schema/validation", json={"data_schema": bad_ref}).status_code
        == 400
    )


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("small"), workers=1, extra_args=["--max-upload-mb", "1"]
    )
    try:
        yield srv
    finally:
        srv.stop()


@pytest.mark.slow
def test_oversized_upload_is_refused_while_streaming(small_server: ServerProcess) -> None:
    headers = {"Authorization": f"Bearer {small_server.api_key}"}
    url = small_server.base_url + "/api/v1/beta/files"
    declared = httpx.post(
        url,
        headers=headers,
        files={"file": ("big.txt", b"x" * (3 << 20))},
        data={"purpose": "extract"},
    )
    assert declared.status_code == 413 and "1 MB" in declared.json()["detail"]

    boundary = "lxboundary"

    def chunked() -> Iterator[bytes]:  # no Content-Length: the server must count as it goes
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nextract\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        for _ in range(40):
            yield b"y" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = httpx.post(
        url,
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=chunked(),
    )
    assert streamed.status_code == 413
    assert list((small_server.data_dir / "blobs" / "tmp").iterdir()) == []
    ok = httpx.post(
        url, headers=headers, files={"file": ("ok.txt", b"fine")}, data={"purpose": "extract"}
    )
    assert ok.status_code == 201


@pytest.mark.slow
def test_saved_configuration_errors(http: httpx.Client) -> None:
    file_id = upload(http)["id"]
    route = "/api/v1/beta/configurations"
    parse = http.post(route, json={"name": "p", "parameters": {"product_type": "parse_v2"}})
    assert parse.status_code == 201
    wrong_kind = http.post(
        "/api/v2/extract", json={"file_input": file_id, "configuration_id": parse.json()["id"]}
    )
    assert wrong_kind.status_code == 400 and "parse_v2" in wrong_kind.json()["detail"], (
        wrong_kind.text
    )
    no_schema = http.post(route, json={"name": "e", "parameters": {"product_type": "extract_v2"}})
    assert no_schema.status_code == 422
    assert no_schema.json()["detail"][0]["loc"] == ["body", "parameters", "data_schema"]
    extract_v2 = {"product_type": "extract_v2", "data_schema": SCHEMA}
    first = http.post(route, json={"name": "a", "parameters": extract_v2}).json()
    http.post(route, json={"name": "b", "parameters": extract_v2})
    taken = http.put(f"{route}/{first['id']}", json={"name": "b"})
    assert taken.status_code == 409 and "'b'" in taken.json()["detail"]
    switch = http.put(f"{route}/{first['id']}", json={"parameters": {"product_type": "parse_v2"}})
    assert switch.status_code == 400
    assert http.get(f"{route}/cfg-nope").status_code == 404
    assert http.delete(f"{route}/{first['id']}").status_code == 204
    assert http.delete(f"{route}/{first['id']}").status_code == 404
