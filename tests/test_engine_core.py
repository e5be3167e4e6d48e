"""Unit tests of the engine's parts: compiler, coercion, hints, value finding, scoring."""

from __future__ import annotations

import pytest

from llamaextract_nb.local.engine.coerce import coerce, parse_date, parse_number
from llamaextract_nb.local.engine.compiler import (
    ArrayNode,
    ObjectNode,
    compile_schema,
    iter_leaves,
    split_name,
)
from llamaextract_nb.local.engine.document import Line
from llamaextract_nb.local.engine.hints import parse_hints
from llamaextract_nb.local.engine.scoring import extraction_confidence, select, select_many
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import find_spans
from llamaextract_nb.schema.convert import SchemaError


def leaf(schema: dict, name: str = "field") -> FieldSpec:
    root = compile_schema({"type": "object", "properties": {name: schema}})
    node = root.properties[name]
    assert isinstance(node, FieldSpec)
    return node


# --- compiler -------------------------------------------------------------------------


def test_split_name_handles_snake_camel_and_acronyms() -> None:
    assert split_name("invoice_number") == ["invoice", "number"]
    assert split_name("invoiceNumber") == ["invoice", "number"]
    assert split_name("VATNumber") == ["vat", "number"]
    assert split_name("party-2") == ["party", "2"]


@pytest.mark.parametrize(
    ("schema", "name", "semantic"),
    [
        ({"type": "string", "format": "date"}, "start", "date"),
        ({"type": "string"}, "effective_date", "date"),
        ({"type": "string", "description": "Issue date, ISO 8601"}, "issued", "date"),
        ({"type": "number"}, "total_amount", "money"),
        ({"type": "number"}, "weight", "number"),
        ({"type": "integer"}, "page_count", "integer"),
        ({"type": "boolean"}, "paid", "boolean"),
        ({"type": "string", "enum": ["a", "b"]}, "kind", "enum"),
        ({"type": "string"}, "vendor_name", "organisation"),
        ({"type": "string"}, "customer_address", "address"),
        ({"type": "string"}, "jurisdiction", "location"),
        ({"type": "string"}, "term", "duration"),
        ({"type": "string"}, "invoice_number", "text"),
        ({"type": "string"}, "payment_terms", "text"),
        ({"type": "string"}, "contact_person", "person"),
        ({"type": "string"}, "total", "money"),
    ],
)
def test_semantic_types(schema: dict, name: str, semantic: str) -> None:
    assert leaf(schema, name).semantic_type == semantic


def test_label_terms_include_variants_and_synonyms() -> None:
    spec = leaf({"type": "string"}, "invoice_number")
    assert spec.label_terms[0] == "invoice number"
    assert {"invoice no", "invoice #"} <= set(spec.label_terms)
    total = leaf({"type": "number"}, "total_amount")
    assert "total due" in total.label_terms  # borrowed from the synonyms of "total"


def test_ordinals_from_name_and_description() -> None:
    second = leaf({"type": "string"}, "party_2")
    assert second.ordinal == 2 and second.label_terms[0] == "party"
    assert leaf({"type": "string", "description": "the second party"}, "other").ordinal == 2
    assert leaf({"type": "string"}, "vendor").ordinal is None
    first_day = leaf({"type": "string", "format": "date", "description": "the first day"}, "start")
    assert first_day.ordinal is None  # an ordinal must count a party-like noun


def test_optional_nested_and_arrays() -> None:
    root = compile_schema(
        {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "seller": {"type": "object", "properties": {"name": {"type": "string"}}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "items": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"qty": {"type": "integer"}}},
                },
            },
        }
    )
    ident, note = root.properties["id"], root.properties["note"]
    assert isinstance(ident, FieldSpec) and ident.required and not ident.nullable
    assert isinstance(note, FieldSpec) and note.nullable and not note.required
    seller = root.properties["seller"]
    assert isinstance(seller, ObjectNode)
    name = seller.properties["name"]
    assert isinstance(name, FieldSpec) and name.path == ("seller", "name")
    assert "seller name" in name.label_terms and "seller" in name.label_terms
    tags = root.properties["tags"]
    assert isinstance(tags, FieldSpec) and tags.is_array_of_scalars
    items = root.properties["items"]
    assert isinstance(items, ArrayNode)
    (qty,) = iter_leaves(items.item)
    assert qty.label_terms[0] == "qty"  # item labels are table headers: no array prefix
    assert [spec.name for spec in iter_leaves(root)] == ["id", "note", "name", "tags"]


def test_refs_are_inlined_and_a_non_object_root_is_refused() -> None:
    root = compile_schema(
        {
            "type": "object",
            "properties": {"d": {"$ref": "#/$defs/D"}},
            "$defs": {"D": {"type": "string", "format": "date"}},
        }
    )
    d = root.properties["d"]
    assert isinstance(d, FieldSpec) and d.semantic_type == "date"
    with pytest.raises(SchemaError):
        compile_schema({"type": "array", "items": {"type": "string"}})


# --- coercion -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", 1234.56),
        ("1.234,56", 1234.56),
        ("EUR 1,785.00", 1785.0),
        ("$ 12", 12.0),
        ("(1,200.00)", -1200.0),
        ("-45.5", -45.5),
        ("1.2 million", 1_200_000.0),
        ("3k", 3000.0),
        ("12,5", 12.5),
        ("1.234.567", 1234567.0),
        ("RM9.00", 9.0),
        ("1 234,56", 1234.56),
        ("10 450.00", None),
        ("abc", None),
        ("12.3.4", None),
    ],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


def test_dates_iso_first_then_hint() -> None:
    assert str(parse_date("2026-04-02")) == "2026-04-02"
    assert str(parse_date("03/04/2021")) == "2021-03-04"  # month-first by default
    assert str(parse_date("03/04/2021", day_first=True)) == "2021-04-03"
    assert str(parse_date("25/12/2018")) == "2018-12-25"  # only day-first is possible
    assert str(parse_date("this 18th day of April, 2001")) == "2001-04-18"
    assert str(parse_date("April 18, 2001")) == "2001-04-18"
    assert str(parse_date("12-Jan-19")) == "2019-01-12"
    assert parse_date("31/31/2020") is None
    assert parse_date("no date here") is None


def test_coerce_per_type_and_dropping() -> None:
    hints = Hints()
    assert coerce("02.04.2026", leaf({"type": "string", "format": "date"}), hints) == (
        "2026-04-02",  # dotted dates are day-first
        False,
    )
    assert coerce("02/04/2026", leaf({"type": "string", "format": "date"}), hints) == (
        "2026-02-04",
        False,
    )
    day_first = Hints(day_first=True)
    assert coerce("02.04.2026", leaf({"type": "string", "format": "date"}), day_first) == (
        "2026-04-02",
        False,
    )
    assert coerce("10", leaf({"type": "integer"}), hints) == (10, True)
    assert coerce("10.5", leaf({"type": "integer"}), hints) is None
    assert coerce("Yes", leaf({"type": "boolean"}), hints) == (True, True)
    assert coerce("✓", leaf({"type": "boolean"}), hints) == (True, True)
    assert coerce("maybe", leaf({"type": "boolean"}), hints) is None
    status = leaf({"type": "string", "enum": ["paid", "unpaid", "overdue"]})
    assert coerce("PAID", status, hints) == ("paid", True)
    assert coerce("Overdue!", status, hints) == ("overdue", False)
    assert coerce("cancelled", status, hints) is None
    assert coerce("three (3) years", leaf({"type": "string"}, "term"), hints) == (
        "3 years",
        False,
    )
    assert coerce("  Acme GmbH ; ", leaf({"type": "string"}, "vendor"), hints) == (
        "Acme GmbH",
        False,
    )
    assert coerce("RM 9.00", leaf({"type": "string"}, "total"), hints) == ("9.00", False)
    assert coerce("n/a", leaf({"type": "number"}), hints) is None


def test_find_spans_by_type() -> None:
    text = "Date: 02.04.2026  Total EUR 1,785.00 for two (2) years"
    dates = [text[a:b] for a, b in find_spans(text, "date")]
    assert dates == ["02.04.2026"]
    assert "EUR 1,785.00" in [text[a:b] for a, b in find_spans(text, "money")]
    assert [text[a:b] for a, b in find_spans(text, "duration")] == ["two (2) years"]


# --- hints ----------------------------------------------------------------------------


def test_hints_from_system_prompt() -> None:
    assert parse_hints({"system_prompt": "Dates are day-first."}).day_first
    assert parse_hints({"system_prompt": "Use DD/MM/YYYY dates"}).day_first
    assert not parse_hints({"system_prompt": "Be concise."}).day_first
    assert parse_hints({"system_prompt": "All amounts in EUR."}).currency == "EUR"
    assert parse_hints({"system_prompt": "amounts are in euros"}).currency == "EUR"
    assert parse_hints({"system_prompt": "say hi"}).currency is None
    assert parse_hints({"tier": "agentic"}).tier == "agentic"
    assert parse_hints({"system_prompt": "Figures are in thousands."}).extra["scale"] == 1000
    assert "scale" not in parse_hints({"system_prompt": "Be brief."}).extra


def test_scale_hint_applies_to_amounts_only() -> None:
    thousands = Hints(extra={"scale": 1000.0})
    assert coerce("1,250", leaf({"type": "number"}, "revenue_amount"), thousands) == (
        1_250_000.0,
        False,  # inferred from the hint
    )
    assert coerce("2 million", leaf({"type": "number"}, "total"), thousands) == (2e6, True)
    assert coerce("12", leaf({"type": "integer"}, "page_count"), thousands) == (12, True)


# --- scoring --------------------------------------------------------------------------


def cand(value: object, score: float, source: str = "label", y: float = 0.0) -> Candidate:
    from llamaextract_nb.local.engine.document import Box

    line = Line(text=str(value), box=Box(0, y, 10, 10))
    return Candidate(str(value), 1, line, score, source, value=value)


def test_confidence_falls_with_a_close_runner_up() -> None:
    clear = extraction_confidence(0.9, 0.0)
    tie = extraction_confidence(0.9, 0.88)
    assert clear == 0.9
    assert tie < 0.5 < clear


def test_select_pools_agreeing_sources_and_respects_ordinals() -> None:
    spec = leaf({"type": "string"}, "vendor")
    choice = select([cand("A", 0.6), cand("A", 0.5, "kv"), cand("B", 0.62)], spec)
    assert choice is not None and choice.value == "A"
    assert select([cand("A", 0.05)], spec) is None
    second = leaf({"type": "string"}, "party_2")
    picked = select([cand("First", 0.8, y=10), cand("Second", 0.7, y=20)], second)
    assert picked is not None and picked.value == "Second"


def test_select_many_keeps_strong_values_in_document_order() -> None:
    spec = leaf({"type": "array", "items": {"type": "string"}}, "parties")
    chosen = select_many(
        [cand("B Corp", 0.8, y=20), cand("A Inc", 0.7, y=10), cand("noise", 0.2, y=5)], spec
    )
    assert [c.value for c in chosen] == ["A Inc", "B Corp"]
