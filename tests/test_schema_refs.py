"""schema/refs.py: expansion priced without expanding, bounded nesting, one nullable rule."""

from __future__ import annotations

import json
import random
import sys
import time
from typing import Any

import pytest

from llamaextract_nb.results.layout import layout_from_schema
from llamaextract_nb.schema import Schema, SchemaError, check_limits, to_json_schema
from llamaextract_nb.schema.refs import (
    MAX_EXPANDED_SIZE,
    MAX_NESTING,
    field_nodes,
    inline_refs,
    measure,
    nesting,
    unwrap,
)


def fan_out(levels: int, refs_per_level: int = 2) -> dict[str, Any]:
    defs: dict[str, Any] = {
        f"D{i}": {
            "type": "object",
            "properties": {f"p{k}": {"$ref": f"#/$defs/D{i + 1}"} for k in range(refs_per_level)},
        }
        for i in range(levels)
    }
    defs[f"D{levels}"] = {"type": "string", "description": "leaf"}
    return {"type": "object", "properties": {"x": {"$ref": "#/$defs/D0"}}, "$defs": defs}


def nested(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        node = {"type": "object", "properties": {"a": node}}
    return node


def random_schema(rng: random.Random) -> dict[str, Any]:
    """Definitions referencing later ones (no cycles) in every place a ref can stand."""
    count = rng.randint(1, 6)
    defs: dict[str, Any] = {}
    for i in reversed(range(count)):
        later = [f"#/$defs/N{j}" for j in range(i + 1, count)]
        props: dict[str, Any] = {"s": {"type": "string", "description": "x" * rng.randint(0, 9)}}
        for k, ref in enumerate(rng.sample(later, min(len(later), rng.randint(0, 3)))):
            props[f"r{k}"] = rng.choice(
                [
                    {"$ref": ref},
                    {"$ref": ref, "description": "sibling wins"},
                    {"anyOf": [{"$ref": ref}, {"type": "null"}]},
                    {"type": "array", "items": {"$ref": ref}},
                ]
            )
        defs[f"N{i}"] = {"type": "object", "properties": props, "required": ["s"]}
    return {"type": "object", "properties": {"root": {"$ref": "#/$defs/N0"}}, "$defs": defs}


def json_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((json_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((json_depth(v) for v in value), default=0)
    return 0


def test_measure_predicts_the_expansion_exactly() -> None:
    rng = random.Random(7)
    for _ in range(200):
        schema = random_schema(rng)
        shape = measure(schema)
        expanded = inline_refs(schema)
        assert shape.expanded_size == len(json.dumps(expanded, separators=(",", ":")))
        assert shape.expanded_depth == json_depth(expanded)
        assert shape.written_depth == json_depth(schema) == nesting(schema)


def test_fan_out_is_refused_before_expansion_in_bounded_time() -> None:
    schema = fan_out(40)  # 2**40 copies: expanding would never end
    started = time.perf_counter()
    with pytest.raises(SchemaError, match=f"{MAX_EXPANDED_SIZE:,} characters") as caught:
        to_json_schema(schema)
    assert time.perf_counter() - started < 0.5
    assert "Reference definitions fewer times" in str(caught.value)
    assert measure(schema).expanded_size == MAX_EXPANDED_SIZE + 1  # saturated, not 2**40
    wide = fan_out(2, refs_per_level=1200)  # 1.4 M copies from two levels
    with pytest.raises(SchemaError, match="characters of JSON"):
        Schema.from_dict(wide)


def test_a_shared_definition_within_the_budget_is_expanded() -> None:
    schema = fan_out(8)  # 256 copies of the leaf
    assert measure(schema).expanded_size < MAX_EXPANDED_SIZE
    expanded = to_json_schema(schema)
    assert "$defs" not in expanded and "$ref" not in json.dumps(expanded)


def test_cycles_are_named_and_refused() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/A"}},
        "$defs": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
            "B": {"type": "array", "items": {"$ref": "#/$defs/A"}},
        },
    }
    with pytest.raises(SchemaError, match="#/\\$defs/A -> #/\\$defs/B -> #/\\$defs/A"):
        inline_refs(schema)
    assert layout_from_schema(schema).columns == []  # results fall back to the data


def test_a_long_chain_of_definitions_is_priced_without_recursion() -> None:
    count = sys.getrecursionlimit() * 2
    defs = {f"C{i}": {"$ref": f"#/$defs/C{i + 1}"} for i in range(count)}
    defs[f"C{count}"] = {"type": "string"}
    schema = {"type": "object", "properties": {"c": {"$ref": "#/$defs/C0"}}, "$defs": defs}
    assert measure(schema).expanded_depth == 3
    assert inline_refs(schema)["properties"]["c"] == {"type": "string"}


@pytest.mark.parametrize("levels", [MAX_NESTING, 300, 5 * sys.getrecursionlimit()])
def test_deep_schemas_are_refused_by_every_reader_before_anything_recurses(levels: int) -> None:
    schema = nested(levels)
    for read in (to_json_schema, Schema.from_dict, inline_refs):
        with pytest.raises(SchemaError, match=f"at most {MAX_NESTING}"):
            read(schema)
    assert layout_from_schema(schema).columns == []
    assert any(p.limit == "depth" for p in check_limits(schema))  # iterative too


def test_expanded_depth_is_bounded_too() -> None:
    schema = fan_out(MAX_NESTING // 2, refs_per_level=1)  # shallow as written, deep expanded
    assert measure(schema).written_depth < MAX_NESTING < measure(schema).expanded_depth
    with pytest.raises(SchemaError, match="with its \\$refs expanded the schema would nest"):
        inline_refs(schema)


def test_unwrap_is_the_one_nullable_rule() -> None:
    string = {"type": "string"}
    assert unwrap({"anyOf": [string, {"type": "null"}], "description": "d"}) == (
        {"type": "string", "description": "d"},
        True,
    )
    assert unwrap({"type": ["integer", "null"]}) == ({"type": "integer"}, True)
    assert unwrap({"oneOf": [{"type": "null"}, {"anyOf": [string]}]}) == (string, True)
    assert unwrap({"allOf": [string], "title": "T"}) == ({**string, "title": "T"}, False)
    several = {"anyOf": [string, {"type": "number"}, {"type": "null"}]}
    assert unwrap(several) == (several, True)  # a table cannot hold two types
    assert unwrap(several, first_of_many=True) == (string, True)  # the engine reads the first
    assert unwrap({"type": ["string", "number"]}, first_of_many=True) == (string, False)


def test_field_nodes_list_fields_in_schema_order_through_refs_and_wrappers() -> None:
    schema = {
        "type": "object",
        "properties": {
            "buyer": {"anyOf": [{"$ref": "#/$defs/Party"}, {"type": "null"}]},
            "lines": {"type": "array", "items": {"allOf": [{"$ref": "#/$defs/Line"}]}},
            "total": {"type": ["number", "null"]},
        },
        "$defs": {
            "Party": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Line": {"type": "object", "properties": {"amount": {"type": "number"}}},
        },
    }
    nodes = field_nodes(schema)
    assert list(nodes) == ["buyer", "buyer.name", "lines", "lines[].amount", "total"]
    assert nodes["total"]["type"] == "number"
    assert nodes["lines"]["items"]["properties"]["amount"] == {"type": "number"}
    with pytest.raises(SchemaError):
        field_nodes(fan_out(40))  # bounded like every reader
