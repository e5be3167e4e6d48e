"""The acceptance scenario against a real server over HTTP: official SDK and our client.

Upload a document, extract with an inline configuration, wait, read it back expanded, turn
it into typed data, page through filtered lists, cancel a queued job, delete jobs and files.
The server runs one worker with an engine that sleeps on a marked document, so a job queued
behind it is reliably still PENDING when it is cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from misbehaving_engine import HANG_MARKER, SLOW_MARKER
from pydantic import BaseModel
from servers import ServerProcess, start_server

pytestmark = pytest.mark.slow

INVOICE = b"""ACME Industrial Supplies Ltd
Invoice Number: INV-2026-0412
Invoice Date: 2026-04-02
Customer: Northwind Traders

Total Amount: 1,785.00 EUR
"""

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "Invoice identifier as printed"},
        "invoice_date": {"type": "string", "description": "Issue date"},
        "total_amount": {"type": "number", "description": "Grand total"},
    },
    "required": ["invoice_number", "total_amount"],
}
CONFIGURATION: dict[str, Any] = {
    "data_schema": SCHEMA,
    "tier": "agentic",
    "cite_sources": True,
    "confidence_scores": True,
}


class Invoice(BaseModel):
    invoice_number: str
    total_amount: float
    invoice_date: str | None = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("scenario"), workers=1, engine="misbehaving_engine:crashing"
    )
    try:
        yield srv
    finally:
        srv.stop()


def test_official_sdk_scenario(server: ServerProcess, tmp_path: Path) -> None:
    from llama_cloud import LlamaCloud
    from llama_cloud.types.beta.extracted_data import ExtractedData

    sdk = LlamaCloud(api_key=server.api_key, base_url=server.base_url, max_retries=0)
    path = tmp_path / "invoice.txt"
    path.write_bytes(INVOICE)
    uploaded = sdk.files.create(file=path, purpose="extract")
    assert uploaded.id.startswith("dfl-") and uploaded.name == "invoice.txt"
    assert sdk.files.retrieve(uploaded.id).file_type == "txt"
    with pytest.warns(DeprecationWarning):  # the SDK marks files.query deprecated
        queried = sdk.files.query(filter={"file_ids": [uploaded.id]})
    assert [f.id for f in queried.items] == [uploaded.id]
    assert sdk.files.content(uploaded.id).url.startswith(server.base_url)

    job = sdk.extract.create(file_input=uploaded.id, configuration=CONFIGURATION)
    assert job.status == "PENDING" and job.id.startswith("ext-")
    done = sdk.extract.wait_for_completion(job.id, polling_interval=0.2, max_interval=0.5)
    assert done.status == "COMPLETED"

    full = sdk.extract.get(job.id, expand=["configuration", "extract_metadata", "usage"])
    assert full.configuration is not None and full.configuration.tier == "agentic"
    assert full.extract_metadata is not None and full.extract_metadata.field_metadata
    assert full.usage is not None and full.metadata is not None
    assert full.created_at <= full.updated_at
    typed = ExtractedData.from_extract_job(full, Invoice)
    assert typed.data.invoice_number == "INV-2026-0412"
    assert typed.data.total_amount == pytest.approx(1785.0)

    more = [
        sdk.extract.create(file_input=uploaded.id, configuration=CONFIGURATION) for _ in range(2)
    ]
    for j in more:
        sdk.extract.wait_for_completion(j.id, polling_interval=0.2, max_interval=0.5)
    ids = [job.id, *(j.id for j in more)]
    first = sdk.extract.list(job_ids=ids, status="COMPLETED", page_size=2)
    assert len(first.items) == 2 and first.has_next_page()
    second = first.get_next_page()
    assert [j.id for j in [*first.items, *second.items]] == ids[::-1]  # newest first
    assert [j.id for j in sdk.extract.list(job_ids=ids, page_size=1)] == ids[::-1]
    assert list(sdk.extract.list(job_ids=ids, status="FAILED")) == []

    slow = sdk.files.create(
        file=("slow.txt", INVOICE + SLOW_MARKER, "text/plain"), purpose="extract"
    )
    busy = sdk.extract.create(file_input=slow.id, configuration=CONFIGURATION)
    queued = sdk.extract.create(file_input=uploaded.id, configuration=CONFIGURATION)
    cancelled = sdk.extract.cancel(queued.id)
    assert cancelled.status == "CANCELLED"
    sdk.extract.wait_for_completion(busy.id, polling_interval=0.2, max_interval=0.5)
    assert sdk.extract.get(queued.id).status == "CANCELLED"  # the worker never ran it

    for j in [*ids, busy.id, queued.id]:
        sdk.extract.delete(j)
    assert list(sdk.extract.list(job_ids=[*ids, busy.id, queued.id])) == []
    for f in (uploaded, slow):
        sdk.files.delete(f.id)
    assert list(sdk.files.list(file_ids=[uploaded.id, slow.id])) == []


def test_own_client_scenario(server: ServerProcess) -> None:
    from llamaextract_nb.client import Client, ConflictError, NotFoundError

    client = Client(base_url=server.base_url, api_key=server.api_key, max_retries=0)
    uploaded = client.files.upload(INVOICE, filename="invoice.txt")
    assert client.files.get(uploaded.id).name == "invoice.txt"

    job = client.jobs.create(uploaded.id, CONFIGURATION)
    assert job.status == "PENDING"
    done = client.wait(job, poll_interval=0.1)
    assert done.status == "COMPLETED"
    full = client.jobs.get(job.id, expand=["configuration", "extract_metadata", "usage"])
    assert full.configuration is not None and full.usage is not None
    assert full.extract_result is not None
    assert Invoice.model_validate(full.extract_result).invoice_number == "INV-2026-0412"

    more = [client.jobs.create(uploaded.id, CONFIGURATION) for _ in range(2)]
    for j in more:
        client.wait(j, poll_interval=0.1)
    ids = [job.id, *(j.id for j in more)]
    page = client.jobs.list_page(job_ids=ids, status="COMPLETED", page_size=2)
    assert len(page.items) == 2 and page.next_page_token
    rest = client.jobs.list_page(
        job_ids=ids, status="COMPLETED", page_size=2, page_token=page.next_page_token
    )
    assert [j.id for j in [*page.items, *rest.items]] == ids[::-1]
    assert rest.next_page_token is None

    slow = client.files.upload(INVOICE + SLOW_MARKER, filename="slow.txt")
    busy = client.jobs.create(slow.id, CONFIGURATION)
    queued = client.jobs.create(uploaded.id, CONFIGURATION)
    with pytest.raises(ConflictError):
        client.jobs.delete(queued.id)  # not finished and not forced
    assert client.jobs.cancel(queued.id).status == "CANCELLED"
    with pytest.raises(ConflictError):
        client.jobs.cancel(queued.id)  # already terminal
    client.wait(busy, poll_interval=0.1)

    for j in [*ids, busy.id, queued.id]:
        client.jobs.delete(j)
    with pytest.raises(NotFoundError):
        client.jobs.get(job.id)
    client.files.delete(uploaded.id)
    client.files.delete(slow.id)
    with pytest.raises(NotFoundError):
        client.files.get(uploaded.id)


def test_saved_configurations_with_the_sdk(server: ServerProcess) -> None:
    from llama_cloud import LlamaCloud

    sdk = LlamaCloud(api_key=server.api_key, base_url=server.base_url, max_retries=0)
    saved = sdk.configurations.create(
        name="invoices", parameters={"product_type": "extract_v2", "data_schema": SCHEMA}
    )
    assert saved.id.startswith("cfg-") and saved.product_type == "extract_v2"
    again = sdk.configurations.create(
        name="invoices",
        parameters={"product_type": "extract_v2", "data_schema": SCHEMA, "tier": "agentic"},
    )
    assert again.id == saved.id  # same name and product: updated in place
    assert sdk.configurations.retrieve(saved.id).parameters.tier == "agentic"  # type: ignore[union-attr]

    file = sdk.files.create(file=("inv.txt", INVOICE, "text/plain"), purpose="extract")
    job = sdk.extract.create(file_input=file.id, configuration_id=saved.id)
    done = sdk.extract.wait_for_completion(job.id, polling_interval=0.2, max_interval=0.5)
    assert done.configuration_id == saved.id
    assert done.extract_result["invoice_number"] == "INV-2026-0412"  # type: ignore[index]
    listed = sdk.extract.list(configuration_id=saved.id, expand=["configuration"])
    [only] = list(listed)
    assert only.id == job.id and only.configuration is not None
    assert only.configuration.tier == "agentic"

    other = sdk.configurations.create(
        name="parse it", parameters={"product_type": "parse_v2", "tier": "fast"}
    )
    names = {c.name for c in sdk.configurations.list(product_type=["extract_v2", "parse_v2"])}
    assert {"invoices", "parse it"} <= names
    renamed = sdk.configurations.update(saved.id, name="invoices v2")
    assert renamed.name == "invoices v2"
    for config in (saved, other):
        sdk.configurations.delete(config.id)
    assert [c.id for c in sdk.configurations.list(name="invoices v2")] == []
    sdk.extract.delete(job.id)
    sdk.files.delete(file.id)


def test_cancelling_a_running_job_frees_its_worker(server: ServerProcess) -> None:
    from llamaextract_nb.client import Client

    client = Client(base_url=server.base_url, api_key=server.api_key, max_retries=0)
    hung = client.files.upload(INVOICE + HANG_MARKER, filename="hung.txt")
    job = client.jobs.create(hung.id, CONFIGURATION)
    deadline = time.monotonic() + 30
    while client.jobs.get(job.id).status != "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.jobs.get(job.id).status == "RUNNING"  # hanging in the engine
    assert client.jobs.cancel(job.id).status == "CANCELLED"
    normal = client.files.upload(INVOICE, filename="after.txt")
    # the only worker was busy for an hour: this completes only if cancelling freed it
    after = client.wait(client.jobs.create(normal.id, CONFIGURATION), poll_interval=0.1, timeout=60)
    assert after.status == "COMPLETED"
    assert client.jobs.get(job.id).status == "CANCELLED"


def test_every_shipped_sample_extracts_through_the_sdk(server: ServerProcess) -> None:
    from llama_cloud import LlamaCloud

    import llamaextract_nb as lx

    sdk = LlamaCloud(api_key=server.api_key, base_url=server.base_url, max_retries=0)
    jobs = {}
    for sample in lx.samples.list():
        file = sdk.files.create(file=sample.path, purpose="extract")
        configuration = {
            "data_schema": sample.schema,
            "extraction_target": sample.target,
            "cite_sources": True,
        }
        jobs[sample.name] = sdk.extract.create(file_input=file.id, configuration=configuration)
    assert len(jobs) >= 5
    for name, job in jobs.items():
        done = sdk.extract.wait_for_completion(job.id, polling_interval=0.2, max_interval=0.5)
        assert done.status == "COMPLETED", (name, done.error_message)
        assert isinstance(done.extract_result, dict), name
        schema_keys = set(lx.samples.get(name).schema["properties"])
        assert set(done.extract_result) <= schema_keys, name
        assert done.extract_metadata is not None, name  # cite_sources: included unasked
        assert done.extract_metadata.field_metadata is not None, name
