"""Schema as a table of fields: JSON Schema round trips, pydantic in and out, lint."""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

import pytest
from pydantic import BaseModel
from pydantic import Field as PydanticField

from llamaextract_nb.schema import FIELD_TYPES, Field, Schema, SchemaError, to_json_schema


def invoice_schema() -> Schema:
    return Schema(
        [
            Field("invoice_number", "string", "The invoice number"),
            Field("invoice_date", "date", "Date of issue", required=False),
            Field("total", "number", "Amount due"),
            Field("items_count", "integer", "How many items"),
            Field("paid", "boolean", "Whether it is paid", required=False),
            Field("currency", "enum", "Currency", enum=["EUR", "USD"]),
            Field("tags", "array of strings", "Free tags", required=False),
            Field(
                "vendor",
                "object",
                "Who sent it",
                children=[
                    Field("name", "string", "Company name"),
                    Field(
                        "address",
                        "object",
                        "Postal address",
                        required=False,
                        children=[Field("city", "string", "City")],
                    ),
                ],
            ),
            Field(
                "line_items",
                "array of objects",
                "Lines of the invoice",
                children=[
                    Field("description", "string", "What was sold"),
                    Field("amount", "number", "Line amount", required=False),
                ],
            ),
        ],
        description="An invoice",
    )


def test_to_json_schema_maps_every_type() -> None:
    js = invoice_schema().to_json_schema()
    props = js["properties"]
    assert js["type"] == "object" and js["description"] == "An invoice"
    assert props["invoice_date"] == {
        "type": "string",
        "format": "date",
        "description": "Date of issue",
    }
    assert props["currency"]["enum"] == ["EUR", "USD"]
    assert props["tags"]["items"] == {"type": "string"}
    assert props["vendor"]["properties"]["address"]["properties"]["city"]["type"] == "string"
    assert props["vendor"]["required"] == ["name"]
    assert props["line_items"]["items"]["required"] == ["description"]
    assert js["required"] == [
        "invoice_number",
        "total",
        "items_count",
        "currency",
        "vendor",
        "line_items",
    ]


def test_nested_round_trip_through_dict_and_json(tmp_path) -> None:
    schema = invoice_schema()
    assert Schema.from_dict(schema.to_json_schema()) == schema
    assert Schema.from_json(schema.to_json()) == schema
    path = tmp_path / "s.json"
    path.write_text(schema.to_json(), encoding="utf-8")
    assert Schema.from_json(path) == schema
    assert Schema.from_json(str(path)) == schema


def test_every_field_type_is_covered() -> None:
    assert {f.type for f in invoice_schema().fields} == set(FIELD_TYPES)


def test_nullable_forms_and_refs_are_read() -> None:
    js = {
        "type": "object",
        "$defs": {"Party": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "properties": {
            "a": {"anyOf": [{"type": "number"}, {"type": "null"}], "description": "A"},
            "b": {"type": ["string", "null"], "format": "date"},
            "party": {"$ref": "#/$defs/Party", "description": "Who"},
            "kind": {"const": "only"},
        },
        "required": ["party"],
    }
    schema = Schema.from_dict(js)
    a, b, party, kind = schema.fields
    assert (a.type, a.description, a.required) == ("number", "A", False)
    assert b.type == "date"
    assert party.type == "object" and party.required and party.children[0].name == "name"
    assert kind.type == "enum" and kind.enum == ["only"]


class Address(BaseModel):
    city: str = PydanticField(description="City")
    postcode: str | None = None


class LineItem(BaseModel):
    description: str = PydanticField(description="What was sold")
    quantity: int | None = PydanticField(default=None, description="How many")


class Invoice(BaseModel):
    """An invoice."""

    number: str = PydanticField(description="Invoice number")
    issued: date = PydanticField(description="Date of issue")
    status: Literal["paid", "open"] = PydanticField(description="Payment status")
    billing: Address | None = PydanticField(default=None, description="Billing address")
    items: list[LineItem] = PydanticField(description="Lines")
    notes: list[str] = PydanticField(default_factory=list)


def test_from_model_reads_nested_pydantic_classes() -> None:
    schema = Schema.from_model(Invoice)
    by_name = {f.name: f for f in schema.fields}
    assert schema.description == "An invoice."
    assert by_name["issued"].type == "date"
    assert by_name["status"].enum == ["paid", "open"]
    assert by_name["billing"].type == "object" and not by_name["billing"].required
    assert [c.name for c in by_name["billing"].children] == ["city", "postcode"]
    assert by_name["items"].type == "array of objects"
    assert by_name["notes"].type == "array of strings" and not by_name["notes"].required
    assert Schema.from_model(Invoice) == Schema.from_dict(to_json_schema(Invoice))


def _exec_model(source: str, class_name: str) -> type[BaseModel]:
    namespace: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec", dont_inherit=True), namespace)
    model = namespace[class_name]
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


@pytest.mark.parametrize("schema", [invoice_schema(), Schema.from_model(Invoice)])
def test_pydantic_source_executes_to_an_equivalent_model(schema: Schema) -> None:
    source = schema.to_pydantic_source("Generated")
    model = _exec_model(source, "Generated")
    assert Schema.from_model(model).to_json_schema() == schema.to_json_schema()


def test_pydantic_source_handles_awkward_names() -> None:
    schema = Schema(
        [
            Field("total amount", "number", "with a space"),
            Field("class", "string", "a keyword"),
            Field("json", "string", "a BaseModel attribute"),
            Field("_private", "string", "leading underscore"),
            Field("2nd party", "object", "starts with a digit", children=[Field("x")]),
            Field('say "hi"\n', "string", "quotes ' \" and \\ backslash"),
        ]
    )
    model = _exec_model(schema.to_pydantic_source(), "ExtractionSchema")
    assert Schema.from_model(model).to_json_schema() == schema.to_json_schema()


def test_bad_input_gets_clear_errors() -> None:
    with pytest.raises(SchemaError, match=r"root .* must be"):
        Schema.from_dict({"type": "array", "items": {"type": "string"}})
    with pytest.raises(SchemaError, match=r"nums: arrays of number are not supported"):
        Schema.from_dict(
            {
                "type": "object",
                "properties": {"nums": {"type": "array", "items": {"type": "number"}}},
            }
        )
    with pytest.raises(SchemaError, match="line 1, column"):
        Schema.from_json('{"type": "object",')
    with pytest.raises(SchemaError, match="unknown type 'float'"):
        Field("x", "float")
    with pytest.raises(SchemaError, match="pydantic model class"):
        Schema.from_model(Invoice(number="1", issued=date(2024, 1, 1), status="paid", items=[]))  # type: ignore[arg-type]


def test_schema_is_accepted_where_schemas_are() -> None:
    schema = invoice_schema()
    assert to_json_schema(schema) == schema.to_json_schema()
    assert Schema.from_any(schema) == schema and Schema.from_any(schema) is not schema
    assert Schema.from_any(json.dumps(schema.to_json_schema())) == schema
    assert Schema.from_any(Invoice) == Schema.from_model(Invoice)


def test_lint_reports_table_mistakes() -> None:
    schema = Schema(
        [
            Field("name", "string", "Name"),
            Field("name", "string", "Again"),
            Field("", "string", "Nameless"),
            Field("kind", "enum", "Kind"),
            Field("box", "object", "Empty"),
            Field("bad name!", "string", "Odd characters"),
            Field("items", "array of objects", "Lines", children=[Field("sku")]),
        ]
    )
    messages = [str(p) for p in schema.lint()]
    assert "error: name: the name 'name' is used 2 times at this level" in messages
    assert "error: #3: field 3 has no name; give it one" in messages
    assert "error: kind: an enum needs at least one value" in messages
    assert "error: box: this object has no fields; add one" in messages
    assert any(m.startswith("warning: bad name!: names made of letters") for m in messages)
    assert "warning: items[].sku: no description; one sentence helps the extractor" in messages
    severities = [p.severity for p in schema.lint()]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert Schema().lint()[0].message == "the schema has no fields; add at least one"
    assert invoice_schema().lint() == []


def test_lint_reuses_the_service_limits() -> None:
    deep = Field("l7", "string", "leaf")
    for level in range(7, 0, -1):
        deep = Field(f"l{level}", "object", "level", children=[deep])
    wide = Schema([Field(f"f{i}", "string", "x") for i in range(5001)])
    long = Schema([Field("f", "string", "x" * 120_001)])
    assert any("nesting depth 8 exceeds" in p.message for p in Schema([deep]).lint())
    assert any("5001 properties exceed" in p.message for p in wide.lint())
    assert any("characters of names" in p.message for p in long.lint())
