"""The client against the real local server over real HTTP, sync and async alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from client_fakes import Runner
from servers import ServerProcess

from llamaextract_nb.client import AuthenticationError, NotFoundError, RequestValidationError
from llamaextract_nb.results import ExtractResult

pytestmark = pytest.mark.slow

INVOICE = b"""ACME Industrial Supplies Ltd
Invoice Number: INV-2026-0412
Invoice Date: 2026-04-02

Total Amount: 1,785.00 EUR
"""
SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "Invoice identifier as printed"},
        "total_amount": {"type": "number", "description": "Grand total"},
    },
    "required": ["invoice_number", "total_amount"],
}


@pytest.fixture(params=["sync", "async"])
def live(request: pytest.FixtureRequest, local_server: ServerProcess) -> Iterator[Runner]:
    runner = Runner(
        request.param, base_url=local_server.base_url, api_key=local_server.api_key, max_retries=1
    )
    yield runner
    runner.close()


def test_extract_end_to_end(live: Runner, tmp_path: Path) -> None:
    path = tmp_path / "invoice.txt"
    path.write_bytes(INVOICE)
    seen: list[str] = []
    result = live(
        "extract",
        path,
        SCHEMA,
        cite_sources=True,
        confidence_scores=True,
        on_status=lambda job: seen.append(job.status),
    )
    assert isinstance(result, ExtractResult)
    job = result.job
    assert job.status == "COMPLETED" and seen[-1] == "COMPLETED"
    assert isinstance(job.extract_result, dict)
    assert job.extract_result["invoice_number"] == "INV-2026-0412"
    assert job.extract_result["total_amount"] == 1785.0
    assert job.configuration is not None and job.configuration.cite_sources
    assert job.extract_metadata is not None and job.extract_metadata.field_metadata is not None
    uploaded = [f for f in live("files.list") if f.id == job.file_input]
    assert [f.name for f in uploaded] == ["invoice.txt"]
    listed = live("jobs.list", job_ids=[job.id], expand="extract_metadata")
    assert [j.id for j in listed] == [job.id]
    live("jobs.delete", job.id)
    live("files.delete", job.file_input)


def test_server_errors_are_readable(live: Runner, local_server: ServerProcess) -> None:
    with pytest.raises(NotFoundError) as missing:
        live("jobs.get", "ext-00000000-0000-0000-0000-000000000000")
    assert "extraction job 'ext-00000000-0000-0000-0000-000000000000' was not found" in str(
        missing.value
    )
    with pytest.raises(RequestValidationError) as invalid:
        live("jobs.list_page", page_size=5000)
    assert invalid.value.field_paths == ["query.page_size"]

    wrong = Runner(live.mode, base_url=local_server.base_url, api_key="llx-wrong-key")
    try:
        with pytest.raises(AuthenticationError) as denied:
            wrong("jobs.list_page")
    finally:
        wrong.close()
    assert "check the API key" in str(denied.value)
    assert local_server.api_key not in str(denied.value) and "llx-wrong-key" not in str(
        denied.value
    )


def test_schema_validation_round_trip(live: Runner) -> None:
    checked: Any = live("jobs.validate_schema", SCHEMA)
    assert checked["type"] == "object" and set(checked["properties"]) == set(SCHEMA["properties"])
