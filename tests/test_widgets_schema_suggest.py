"""The Schema tab's suggestions, headless, on the real local server: a diff the user
accepts per field, merged without replacing what the user wrote, then a run."""

from __future__ import annotations

import asyncio

import pytest
from servers import ServerProcess

import llamaextract_nb as lx
from llamaextract_nb.client import Client
from llamaextract_nb.schema import Field, Schema

pytestmark = pytest.mark.slow


def test_suggest_accept_two_fields_and_run(local_server: ServerProcess) -> None:
    client = Client(base_url=local_server.base_url, api_key=local_server.api_key)
    studio = lx.Studio(client, schema=Schema([Field("invoice_no", "string", "my own words")]))
    studio.load_sample_schema.value = False
    studio.add_sample("invoice.pdf")

    async def flow() -> lx.results.BatchResult:
        suggestion = await studio.suggest_schema()
        panel = studio.suggest_panel
        rows = {row.change.name: row for row in panel.rows}
        assert len(rows) == len(suggestion.schema.fields) >= 8
        assert not rows["invoice_number"].checkbox.value  # the user's invoice_no is it
        assert "already in your schema as <code>invoice_no</code>" in (
            rows["invoice_number"].children[1].value
        )
        assert "invoice.pdf p.1" in rows["total"].children[1].value
        for row in panel.rows:
            row.checkbox.value = row.change.name in ("total", "line_items")
        panel.add_selected.click()
        assert [f.name for f in studio.schema.fields] == ["invoice_no", "total", "line_items"]
        assert studio.schema.fields[0].description == "my own words"
        return await studio.run()

    results = asyncio.run(flow())
    row = results.df.iloc[0]
    assert row["total"] == 19608.48
    assert len(results.tables["line_items"]) == 4
    client.close()


def test_add_all_and_errors_are_shown_in_the_panel(local_server: ServerProcess) -> None:
    client = Client(base_url=local_server.base_url, api_key=local_server.api_key)
    studio = lx.Studio(client)

    async def flow() -> None:
        with pytest.raises(ValueError, match="choose at least one document"):
            studio.suggest_schema()
        studio._suggest_clicked(None)
        assert "choose at least one document" in studio.suggest_panel.status.value
        studio.add_sample("receipt.pdf")
        studio.schema = Schema([])
        await studio.suggest_schema("the total and the date")
        studio.suggest_panel.add_all.click()
        assert {f.name for f in studio.schema.fields} >= {"total", "date"}

    asyncio.run(flow())
    client.close()
