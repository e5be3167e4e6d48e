"""Schemas suggested from documents: the local ``schema/generate`` route over real HTTP,
through our clients and the official SDK, and extraction with the suggested schema."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from servers import ServerProcess

import llamaextract_nb as lx
from llamaextract_nb.client import AsyncClient, Client
from llamaextract_nb.schema import Schema
from llamaextract_nb.schema.suggestion import SchemaSuggestion

pytestmark = pytest.mark.slow


def _types(suggestion: SchemaSuggestion) -> dict[str, str]:
    return {f.name: f.type for f in suggestion.schema.fields}


def _field(suggestion: SchemaSuggestion, name: str) -> Any:
    return next(f for f in suggestion.schema.fields if f.name == name)


def test_invoice_suggestion_is_typed_sourced_and_extracts(client: Client) -> None:
    invoice = lx.samples.get("invoice.pdf")
    suggestion = client.suggest_schema(invoice.path)
    types = _types(suggestion)
    assert {
        "vendor_name": "string",
        "invoice_number": "string",
        "invoice_date": "date",
        "due_date": "date",
        "total": "number",
        "currency": "string",
        "buyer": "object",
        "line_items": "array of objects",
    }.items() <= types.items()
    assert [c.name for c in _field(suggestion, "buyer").children] == ["name", "address"]
    columns = {c.name: c.type for c in _field(suggestion, "line_items").children}
    assert columns == {
        "description": "string",
        "quantity": "integer",
        "unit_price": "number",
        "amount": "number",
    }
    (source,) = suggestion.sources["invoice_number"]
    assert (source.document, source.page, source.label, source.value) == (
        "invoice.pdf",
        1,
        "Invoice Number",
        "INV-2024-0317",
    )
    assert source.file_id and source.file_id.startswith("dfl-")
    assert suggestion.sources["line_items.quantity"][0].label == "Qty"

    result = client.extract(invoice.path, suggestion)  # the suggestion is a schema
    data = result.job.extract_result
    assert data["invoice_number"] == "INV-2024-0317"
    assert data["invoice_date"] == "2024-03-12" and data["total"] == 19608.48
    assert data["buyer"]["name"] == "Harbor Analytics Inc."
    assert [row["quantity"] for row in data["line_items"]] == [12, 40, 3, 12]


def test_receipt_suggestion_finds_company_date_total_and_extracts(client: Client) -> None:
    receipt = lx.samples.get("receipt.pdf")
    suggestion = client.suggest_schema(receipt.path)
    assert {"company": "string", "date": "date", "total": "number"}.items() <= _types(
        suggestion
    ).items()
    data = client.extract(receipt.path, suggestion.schema).job.extract_result
    assert (data["company"], data["date"], data["total"]) == (
        "CORNER BAKERY CAFE",
        "2024-07-14",
        16.0,
    )


def test_several_documents_in_one_request_rank_shared_fields_first(client: Client) -> None:
    paths = [
        lx.samples.get(name).path for name in ("receipt.pdf", "invoice.pdf", "invoice-2page.pdf")
    ]
    suggestion = client.suggest_schema(paths)
    assert len(suggestion.file_ids) == 3
    names = [f.name for f in suggestion.schema.fields]
    assert names.index("total") < names.index("invoice_number") < names.index("tel")
    documents = {s.document for s in suggestion.sources["total"]}
    assert documents == {"receipt.pdf", "invoice.pdf", "invoice-2page.pdf"}


def test_prompt_narrows_and_schema_is_extended_not_replaced(client: Client) -> None:
    invoice = lx.samples.get("invoice.pdf").path
    narrowed = client.suggest_schema(invoice, prompt="the dates, please")
    assert {f.name for f in narrowed.schema.fields} == {"invoice_date", "due_date"}
    assert narrowed.notes

    mine = {
        "type": "object",
        "properties": {"invoice_no": {"type": "integer", "description": "my words"}},
    }
    refined = client.suggest_schema(invoice, schema=mine)
    first = refined.schema.fields[0]
    assert (first.name, first.type, first.description) == ("invoice_no", "integer", "my words")
    names = [f.name for f in refined.schema.fields]
    assert "invoice_number" not in names and "total" in names


def test_async_client_has_the_same_method(local_server: ServerProcess) -> None:
    assert inspect.signature(AsyncClient.suggest_schema) == inspect.signature(Client.suggest_schema)

    async def run() -> SchemaSuggestion:
        async with AsyncClient(base_url=local_server.base_url, api_key=local_server.api_key) as c:
            return await c.suggest_schema(lx.samples.get("receipt.pdf").path, prompt="total")

    suggestion = asyncio.run(run())
    assert next(f.name for f in suggestion.schema.fields) == "total"


def test_official_sdk_generate_schema_works_unchanged(local_server: ServerProcess) -> None:
    from llama_cloud import LlamaCloud

    sdk = LlamaCloud(base_url=local_server.base_url, api_key=local_server.api_key)
    with open(lx.samples.get("invoice.pdf").path, "rb") as stream:
        uploaded = sdk.files.create(file=stream, purpose="extract")
    generated = sdk.extract.generate_schema(file_id=uploaded.id, prompt="invoice number and total")
    assert generated.parameters.product_type == "extract_v2"
    schema = generated.parameters.data_schema
    assert set(schema["properties"]) >= {"invoice_number", "total"}
    Schema.from_dict(schema)
    validated = sdk.extract.validate_schema(data_schema=schema)
    assert validated.data_schema["properties"]["total"]["type"] == "number"


def test_bad_requests_get_clear_errors(client: Client, local_server: ServerProcess) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {local_server.api_key}"}
    url = local_server.base_url + "/api/v2/extract/schema/generate"
    unknown = httpx.post(url, headers=headers, json={"file_id": "dfl-nope"})
    assert unknown.status_code == 404
    too_many = httpx.post(url, headers=headers, json={"file_ids": [f"dfl-{i}" for i in range(21)]})
    assert too_many.status_code == 422
    invoice = client.files.upload(lx.samples.get("invoice.pdf").path)
    array_root = {"file_id": invoice.id, "data_schema": {"type": "array"}}
    refused = httpx.post(url, headers=headers, json=array_root)
    assert refused.status_code == 400 and "root" in refused.json()["detail"]
    long_name = httpx.post(url, headers=headers, json={"file_id": invoice.id, "name": "n" * 256})
    assert long_name.status_code == 422
    scanned = client.files.upload(b"%PDF-1.4\n%%EOF\n", filename="broken.pdf")
    broken = httpx.post(url, headers=headers, json={"file_id": scanned.id})
    assert broken.status_code == 400 and "broken.pdf" in broken.json()["detail"]
