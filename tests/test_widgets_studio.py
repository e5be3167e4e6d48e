"""Studio wiring, headless (no job is run here): samples load their schema, state in code,
and the API key never reaches a widget."""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as w
import pytest

import llamaextract_nb as lx
from llamaextract_nb.client import Client
from llamaextract_nb.schema import Field, Schema

SECRET = "llx-secret-do-not-show-0123456789"


@pytest.fixture
def studio() -> lx.Studio:
    # Nothing is sent until Run: an unreachable address is fine for wiring tests.
    return lx.Studio(Client(base_url="http://127.0.0.1:9", api_key=SECRET))


def _states(widget: w.Widget) -> list[dict[str, Any]]:
    states = [widget.get_state()]
    for child in getattr(widget, "children", ()):
        states.extend(_states(child))
    return states


def test_adding_a_sample_loads_its_schema_and_target(studio: lx.Studio) -> None:
    nda = lx.samples.get("nda.pdf")
    studio.add_sample("nda.pdf")
    assert studio.schema == Schema.from_dict(nda.schema)
    assert studio.options["extraction_target"] == nda.target
    assert [r.field.name for r in studio.schema_editor.rows] == list(nda.schema["properties"])
    studio.load_sample_schema.value = False
    studio.add_sample("receipt.pdf")
    assert studio.schema == Schema.from_dict(nda.schema)
    assert [f.name for f in studio.file_picker.files] == ["nda.pdf", "receipt.pdf"]


def test_schema_and_options_in_code(studio: lx.Studio) -> None:
    studio.schema = {"type": "object", "properties": {"total": {"type": "number"}}}
    assert studio.schema == Schema([Field("total", "number", required=False)])
    assert json.loads(studio.schema_editor.json_view.value)["properties"] == {
        "total": {"type": "number"}
    }
    studio.options = {"tier": "agentic", "target_pages": "1-2"}
    assert studio.options_panel.tier.value == "agentic"
    assert studio.options["target_pages"] == "1-2" and studio.options["max_pages"] is None
    assert studio.results is None


def test_the_api_key_never_reaches_a_widget(studio: lx.Studio) -> None:
    studio.add_sample("invoice.pdf")
    states = json.dumps(_states(studio), default=str)
    assert SECRET not in states
    assert "http://127.0.0.1:9" in states  # the backend is named, the key is not
    assert SECRET not in repr(studio)
