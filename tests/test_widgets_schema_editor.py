"""Schema editor, headless: rows <-> JSON both ways, nesting, reordering, lint, import, export."""

from __future__ import annotations

import json
import textwrap

from llamaextract_nb.schema import Field, Schema
from llamaextract_nb.widgets import SchemaEditor


def nested_schema() -> Schema:
    return Schema(
        [
            Field("number", "string", "Invoice number"),
            Field(
                "vendor",
                "object",
                "Seller",
                children=[
                    Field("name", "string", "Name"),
                    Field(
                        "address", "object", "Address", children=[Field("city", "string", "City")]
                    ),
                ],
            ),
            Field(
                "items",
                "array of objects",
                "Lines",
                children=[
                    Field("sku", "string", "SKU"),
                    Field("qty", "integer", "Qty", required=False),
                ],
            ),
            Field("status", "enum", "Status", enum=["paid", "open"]),
        ]
    )


def test_rows_follow_the_schema_and_json_follows_the_rows() -> None:
    editor = SchemaEditor(nested_schema())
    assert [r.field.name for r in editor.rows] == [
        "number",
        "vendor",
        "name",
        "address",
        "city",
        "items",
        "sku",
        "qty",
        "status",
    ]
    assert editor.schema == nested_schema()
    assert json.loads(editor.json_view.value) == nested_schema().to_json_schema()
    city = editor.rows[4]
    city.name.value = "town"
    city.description.value = "Town or city"
    city.required.value = False
    status = editor.rows[-1]
    assert status.enum.layout.display == "" and editor.rows[0].enum.layout.display == "none"
    status.enum.value = "paid, open , overdue,"
    data = json.loads(editor.json_view.value)
    address = data["properties"]["vendor"]["properties"]["address"]
    assert address["properties"] == {"town": {"type": "string", "description": "Town or city"}}
    assert "required" not in address
    assert data["properties"]["status"]["enum"] == ["paid", "open", "overdue"]
    assert json.loads(editor.schema_json) == data


def test_add_nest_move_and_remove_with_clicks() -> None:
    editor = SchemaEditor(Schema([Field("a", "string", "A")]))
    editor.add_button.click()
    new = editor.rows[-1]
    assert new.field.name == "field_2"
    new.name.value = "party"
    new.type.value = "object"
    party = next(r for r in editor.rows if r.field.name == "party")
    assert party.add_child.layout.visibility == "visible"
    party.add_child.click()
    child = editor.rows[-1]
    assert child.field.name == "field_1" and child.siblings is party.field.children
    child.name.value = "name"
    assert editor.schema.to_json_schema()["properties"]["party"]["properties"]["name"] == {
        "type": "string"
    }
    party = next(r for r in editor.rows if r.field.name == "party")
    party.up.click()
    assert [f.name for f in editor.schema.fields] == ["party", "a"]
    editor.rows[0].up.click()  # already first: nothing moves
    assert [f.name for f in editor.schema.fields] == ["party", "a"]
    next(r for r in editor.rows if r.field.name == "party").down.click()
    assert [f.name for f in editor.schema.fields] == ["a", "party"]
    next(r for r in editor.rows if r.field.name == "party").type.value = "array of objects"
    js = editor.schema.to_json_schema()
    assert js["properties"]["party"]["items"]["properties"]["name"] == {"type": "string"}
    next(r for r in editor.rows if r.field.name == "name").remove.click()
    assert editor.schema.fields[1].children == []
    next(r for r in editor.rows if r.field.name == "party").type.value = "string"
    assert [r.field.name for r in editor.rows] == ["a", "party"]
    assert editor.rows[1].add_child.layout.visibility == "hidden"


def test_editing_json_rebuilds_rows_for_nested_schemas() -> None:
    editor = SchemaEditor()
    editor.json_view.value = nested_schema().to_json()
    assert editor.schema == nested_schema()
    assert len(editor.rows) == 9 and editor.json_error == ""
    editor.rows[6].name.value = "code"  # rows built from JSON are live too
    assert "code" in editor.schema.to_json_schema()["properties"]["items"]["items"]["properties"]


def test_invalid_json_says_where_and_keeps_the_rows() -> None:
    editor = SchemaEditor(nested_schema())
    editor.json_view.value = '{\n  "type": "object",\n  "properties": {,}\n}'
    assert editor.json_error.startswith("line 3, column 18: ")
    assert "line 3, column 18" in editor.json_message.value
    assert editor.schema == nested_schema() and len(editor.rows) == 9
    editor.json_view.value = '{"type": "array", "items": {"type": "string"}}'
    assert "root of an extraction schema" in editor.json_error
    editor.json_view.value = '{"type": "object", "properties": {"x": {"type": "string"}}}'
    assert editor.json_error == "" and editor.json_message.value == ""
    assert [r.field.name for r in editor.rows] == ["x"]


def test_lint_messages_inline_and_in_the_list() -> None:
    editor = SchemaEditor(Schema([Field("a", "string", "A"), Field("b", "string", "B")]))
    assert "No problems found." in editor.lint_view.value
    assert editor.problems == []
    editor.rows[1].name.value = "a"
    assert "✖" in editor.rows[0].lint.value and "used 2 times" in editor.rows[1].lint.value
    assert "the name &#x27;a&#x27; is used 2 times" in editor.lint_view.value
    editor.rows[1].name.value = ""
    assert "has no name" in editor.rows[1].lint.value and editor.rows[0].lint.value == ""
    editor.rows[1].name.value = "kind"
    editor.rows[1].description.value = ""
    assert "!" in editor.rows[1].lint.value and "no description" in editor.rows[1].lint.value
    editor.rows[1].type.value = "enum"
    assert "an enum needs at least one value" in editor.lint_view.value
    assert [p.severity for p in editor.problems] == ["error", "warning"]


def test_import_from_json_file_and_module_class(tmp_path, monkeypatch) -> None:
    editor = SchemaEditor()
    path = tmp_path / "schema.json"
    path.write_text(nested_schema().to_json(), encoding="utf-8")
    editor.import_source.value = str(path)
    editor.import_button.click()
    assert editor.schema == nested_schema() and "imported" in editor.import_message.value
    module = tmp_path / "lxnb_models.py"
    module.write_text(
        textwrap.dedent(
            """
            from pydantic import BaseModel, Field

            class Receipt(BaseModel):
                total: float = Field(description="Total paid")
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    editor.import_from("lxnb_models:Receipt")
    assert editor.schema == Schema([Field("total", "number", "Total paid")])
    editor.import_from(str(tmp_path / "missing.json"))
    assert (
        "could not import" in editor.import_message.value
        and "no file at" in editor.import_message.value
    )
    editor.import_from("NotDefinedAnywhere")
    assert "is not defined in the notebook" in editor.import_message.value
    assert editor.schema == Schema([Field("total", "number", "Total paid")])


def test_schema_assignment_accepts_dicts_and_pydantic() -> None:
    editor = SchemaEditor()
    editor.schema = nested_schema().to_json_schema()
    assert editor.schema == nested_schema()
    copy = editor.schema
    copy.fields.clear()  # a copy: the editor is untouched
    assert editor.schema == nested_schema()


def test_export_json_and_pydantic_source() -> None:
    editor = SchemaEditor(nested_schema())
    assert editor.export_view.layout.display == "none"
    editor.export_json_button.click()
    assert json.loads(editor.export_view.value) == nested_schema().to_json_schema()
    assert editor.export_view.layout.display == ""
    editor.export_pydantic_button.click()
    namespace: dict[str, object] = {}
    exec(compile(editor.export_view.value, "<export>", "exec", dont_inherit=True), namespace)
    model = namespace["ExtractionSchema"]
    assert Schema.from_model(model) == nested_schema()  # type: ignore[arg-type]


def test_row_text_is_escaped_in_lint_tooltips() -> None:
    editor = SchemaEditor(Schema([Field('<img src=x onerror="alert(1)">', "string", "")]))
    assert "<img" not in editor.rows[0].lint.value
    assert "<img" not in editor.lint_view.value


def test_import_a_pydantic_class_defined_in_the_notebook(monkeypatch) -> None:
    from types import SimpleNamespace

    from pydantic import BaseModel
    from pydantic import Field as PydanticField

    class Receipt(BaseModel):
        company: str = PydanticField(description="Shop")

    shell = SimpleNamespace(user_ns={"Receipt": Receipt, "not_a_schema": 42})
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    editor = SchemaEditor()
    editor.import_source.value = "Receipt"
    editor.import_button.click()
    assert editor.schema == Schema([Field("company", "string", "Shop")])
    editor.import_from("not_a_schema")
    assert "could not import 'not_a_schema'" in editor.import_message.value.replace("&#x27;", "'")
    assert editor.schema == Schema([Field("company", "string", "Shop")])
