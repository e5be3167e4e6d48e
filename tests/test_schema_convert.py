"""Schema input accepted everywhere: dict, JSON string, JSON file, pydantic class; refs inlined."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from llamaextract_nb.schema import SchemaError, check_limits, to_json_schema


class Address(BaseModel):
    street: str
    city: str


class Party(BaseModel):
    name: str
    address: Address | None = None


class Contract(BaseModel):
    parties: list[Party]
    billing: Address


SIMPLE = {"type": "object", "properties": {"total": {"type": "number"}}}


def test_dict_json_string_and_file_give_the_same_schema(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SIMPLE))
    assert to_json_schema(SIMPLE) == SIMPLE
    assert to_json_schema(json.dumps(SIMPLE)) == SIMPLE
    assert to_json_schema(str(path)) == SIMPLE
    assert to_json_schema(path) == SIMPLE


def test_pydantic_model_refs_are_inlined() -> None:
    schema = to_json_schema(Contract)
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text
    party = schema["properties"]["parties"]["items"]
    assert party["properties"]["name"]["type"] == "string"
    address_options = party["properties"]["address"]["anyOf"]
    assert {"type": "null"} in address_options
    assert schema["properties"]["billing"]["properties"]["city"]["type"] == "string"


def test_invalid_json_says_where() -> None:
    with pytest.raises(SchemaError, match=r"line 1, column \d+"):
        to_json_schema('{"type": "object",, }')


def test_missing_file_and_wrong_type_explain_what_to_pass() -> None:
    with pytest.raises(SchemaError, match="neither JSON text nor an existing file"):
        to_json_schema("no/such/schema.json")
    with pytest.raises(SchemaError, match="cannot use a int"):
        to_json_schema(42)
    with pytest.raises(SchemaError, match="JSON list"):
        to_json_schema("[1, 2]")


def test_dangling_and_recursive_refs_are_refused() -> None:
    with pytest.raises(SchemaError, match="points at no definition"):
        to_json_schema({"type": "object", "properties": {"a": {"$ref": "#/$defs/X"}}})
    recursive = {
        "type": "object",
        "properties": {"node": {"$ref": "#/$defs/Node"}},
        "$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
    }
    with pytest.raises(SchemaError, match="recursive"):
        to_json_schema(recursive)


def _nested(depth: int) -> dict:
    node: dict = {"type": "string"}
    for _ in range(depth):
        node = {"type": "object", "properties": {"x": node}}
    return node


def test_limits_name_the_limit_broken() -> None:
    assert check_limits(SIMPLE) == []
    assert [p.limit for p in check_limits({"type": "array"})] == ["root"]
    assert check_limits(_nested(7)) == []
    (too_deep,) = check_limits(_nested(8))
    assert too_deep.limit == "depth"
    assert str(too_deep).startswith("x.x.x.x.x.x.x.x: nesting depth 8")
    wide = {"type": "object", "properties": {f"f{i}": {"type": "string"} for i in range(5001)}}
    assert "properties" in [p.limit for p in check_limits(wide)]
    long = {"type": "object", "properties": {"a": {"type": "string", "description": "x" * 120_001}}}
    problems = check_limits(long)
    assert [p.limit for p in problems] == ["characters"]
    assert "120,000" in str(problems[0])
