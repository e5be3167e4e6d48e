"""Merging suggested fields into a user's schema, and combining one suggestion per file."""

from __future__ import annotations

from typing import Any

from llamaextract_nb.client.suggest import SuggestPlan
from llamaextract_nb.schema import Field, Schema
from llamaextract_nb.schema.suggestion import SchemaSuggestion

SUGGESTED = {
    "name": "s",
    "parameters": {
        "product_type": "extract_v2",
        "data_schema": {
            "type": "object",
            "properties": {
                "invoice_number": {"type": "string", "description": 'Printed as "Invoice No."'},
                "total": {"type": "number", "description": 'Printed as "Total"'},
                "buyer": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "address": {"type": "string"}},
                },
            },
        },
        "field_sources": {
            "invoice_number": [
                {
                    "file_id": "dfl-1",
                    "document": "a.pdf",
                    "page": 1,
                    "label": "Invoice No.",
                    "value": "7",
                }
            ],
            "total": [{"document": "a.pdf", "page": 2, "label": "Total", "value": "$1.00"}],
        },
        "file_ids": ["dfl-1"],
    },
}


def test_compare_marks_what_the_user_already_has() -> None:
    suggestion = SchemaSuggestion.from_response(SUGGESTED)
    mine = Schema(
        [Field("invoice_no", "integer", "mine"), Field("buyer", "object", children=[Field("name")])]
    )
    changes = {c.name: c for c in suggestion.compare(mine)}
    assert changes["invoice_number"].status == "present"
    assert changes["invoice_number"].existing == "invoice_no"
    assert changes["invoice_number"].type_differs
    assert not changes["invoice_number"].changes_anything
    assert changes["total"].status == "new"
    assert changes["buyer"].added_children == ["address"]
    assert str(suggestion.sources["total"][0]) == 'a.pdf p.2, "Total": $1.00'


def test_merge_adds_only_accepted_fields_and_keeps_the_users_words() -> None:
    suggestion = SchemaSuggestion.from_response(SUGGESTED)
    mine = Schema(
        [
            Field("invoice_no", "integer", "mine"),
            Field("buyer", "object", "who", children=[Field("name", description="their name")]),
        ]
    )
    merged = suggestion.merge_into(mine, accept={"invoice_number", "buyer"})
    assert [f.name for f in merged.fields] == ["invoice_no", "buyer"]
    assert (merged.fields[0].type, merged.fields[0].description) == ("integer", "mine")
    buyer = merged.fields[1]
    assert buyer.description == "who"
    assert [(c.name, c.description) for c in buyer.children] == [
        ("name", "their name"),
        ("address", ""),
    ]
    everything = suggestion.merge_into(mine)
    assert [f.name for f in everything.fields] == ["invoice_no", "buyer", "total"]
    assert [f.name for f in mine.fields] == ["invoice_no", "buyer"]  # the user's is untouched


def _answer(
    schema: dict[str, Any], sources: dict[str, Any], file_ids: list[str] | None
) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "product_type": "extract_v2",
        "data_schema": schema,
        "field_sources": sources,
    }
    if file_ids is not None:
        parameters["file_ids"] = file_ids
    return {"name": "n", "parameters": parameters}


def test_a_server_reading_one_file_is_asked_again_per_file_with_the_schema_so_far() -> None:
    plan = SuggestPlan(["dfl-1", "dfl-2", "dfl-3"], "totals", None, None)
    first = plan.first_call()
    assert first.json == {
        "file_id": "dfl-1",
        "prompt": "totals",
        "file_ids": ["dfl-1", "dfl-2", "dfl-3"],
    }
    one = {"type": "object", "properties": {"total": {"type": "number"}}}
    second = plan.next_call(_answer(one, {"total": [{"document": "a", "page": 1}]}, None), "dfl-1")
    assert second is not None
    assert second.json["file_id"] == "dfl-2" and second.json["data_schema"] == one
    two = {"type": "object", "properties": {"total": {"type": "number"}, "tax": {"type": "number"}}}
    third = plan.next_call(_answer(two, {"total": [{"document": "b", "page": 1}]}, None), "dfl-2")
    assert third is not None and third.json["file_id"] == "dfl-3"
    assert plan.next_call(_answer(two, {}, None), "dfl-3") is None
    result = plan.result()
    assert [f.name for f in result.schema.fields] == ["total", "tax"]
    assert [s.document for s in result.sources["total"]] == ["a", "b"]


def test_a_server_reading_every_file_at_once_is_asked_once() -> None:
    plan = SuggestPlan(["dfl-1", "dfl-2"], None, None, None)
    schema = {"type": "object", "properties": {"total": {"type": "number"}}}
    assert plan.next_call(_answer(schema, {}, ["dfl-1", "dfl-2"]), "dfl-1") is None


def test_a_suggestion_shows_as_an_escaped_table() -> None:
    answer = {
        "name": "<b>s</b>",
        "parameters": {
            "data_schema": {"type": "object", "properties": {"total": {"type": "number"}}},
            "field_sources": {
                "total": [{"document": "<x>.pdf", "page": 1, "label": "Total", "value": "<1>"}]
            },
        },
    }
    html = SchemaSuggestion.from_response(answer)._repr_html_()
    assert "&lt;x&gt;.pdf p.1" in html and "&lt;1&gt;" in html and "<x>" not in html
    assert "&lt;b&gt;s&lt;/b&gt;" in html
