"""Fill the schema's shape with chosen values: one object, one per page, or one per row.

The result of assembly is a *choice tree* with the schema's shape: objects are dicts,
arrays of objects lists of dicts, arrays of scalars lists of :class:`Choice`, and scalar
leaves a :class:`Choice` or None (not found). :func:`values` turns it into the
``extract_result`` JSON; :mod:`.metadata` turns it into ``field_metadata``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Union

from llamaextract_nb.local.engine.candidates import candidates, coerce_into
from llamaextract_nb.local.engine.compiler import ArrayNode, ObjectNode, iter_leaves
from llamaextract_nb.local.engine.currencies import is_currency_field
from llamaextract_nb.local.engine.document import Document, Page
from llamaextract_nb.local.engine.generators.table import Row, rows
from llamaextract_nb.local.engine.scoring import (
    Choice,
    hint_choice,
    parsing_confidence,
    select,
    select_many,
    table_confidence,
)
from llamaextract_nb.local.engine.types import FieldSpec, Hints

TableRows = Callable[[ArrayNode], list[Row]]
ChoiceTree = Union[dict[str, Any], list[Any], Choice, None]  # noqa: UP007 (runtime alias, py3.10)
MAX_LIST_ITEMS = 10_000  # as many as the parsers read table rows: bounds the work
_LIST_ITEM = re.compile(r"^\s*(?:[-•*·▪◦]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+\S")


def extract_object(
    doc: Document, node: ObjectNode, hints: Hints, tables: TableRows | None = None
) -> dict[str, ChoiceTree]:
    """The choice tree of one object of the schema, read from ``doc``.

    ``tables`` reads the rows of arrays of objects instead (per_page: rows of the whole
    document's tables, so a table continued from the page before keeps its header)."""
    read_rows = tables or (lambda array: rows(doc, array))
    tree: dict[str, ChoiceTree] = {}
    for key, child in node.properties.items():
        if isinstance(child, ObjectNode):
            tree[key] = extract_object(doc, child, hints, tables)
        elif isinstance(child, ArrayNode):
            tree[key] = [row_object(row, child.item, hints) for row in read_rows(child)]
        elif child.is_array_of_scalars:
            tree[key] = select_many(candidates(doc, child, hints), child)
        else:
            tree[key] = _leaf_choice(doc, child, hints)
    return tree


def _leaf_choice(doc: Document, spec: FieldSpec, hints: Hints) -> Choice | None:
    choice = select(candidates(doc, spec, hints), spec)
    if choice is None and hints.currency and is_currency_field(spec):
        return hint_choice(hints.currency)
    return choice


def row_object(row: Row, item: ObjectNode, hints: Hints) -> dict[str, ChoiceTree]:
    """One array item (or per_table_row result) from a table row."""
    tree: dict[str, ChoiceTree] = {}
    for leaf in iter_leaves(item):
        key = leaf.path[len(item.path) :]
        candidate = row.cells.get(key)
        choice = None
        if candidate is not None and coerce_into(candidate, leaf, hints):
            confidence = table_confidence(row.header_scores.get(key, 0.0))
            choice = Choice(
                candidate.value,
                candidate,
                confidence,
                parsing_confidence(candidate),
                support=[candidate],
            )
        _put(tree, key, [choice] if leaf.is_array_of_scalars and choice else choice)
    _fill_missing(tree, item)
    return tree


def _put(tree: dict[str, ChoiceTree], key: tuple[str, ...], value: ChoiceTree) -> None:
    for part in key[:-1]:
        sub = tree.setdefault(part, {})
        assert isinstance(sub, dict)
        tree = sub
    tree[key[-1]] = value


def _fill_missing(tree: dict[str, ChoiceTree], node: ObjectNode) -> None:
    for key, child in node.properties.items():
        if isinstance(child, ObjectNode):
            sub = tree.setdefault(key, {})
            assert isinstance(sub, dict)
            _fill_missing(sub, child)
        elif isinstance(child, ArrayNode) or (
            isinstance(child, FieldSpec) and child.is_array_of_scalars
        ):
            if tree.get(key) is None:
                tree[key] = []
        else:
            tree.setdefault(key, None)


def per_doc(doc: Document, root: ObjectNode, hints: Hints) -> dict[str, ChoiceTree]:
    """``per_doc``: one object for the whole document."""
    return extract_object(doc, root, hints)


def per_page(doc: Document, root: ObjectNode, hints: Hints) -> list[dict[str, ChoiceTree]]:
    """``per_page``: one object per page, its fields read from that page alone and its
    arrays of objects from the rows printed on it."""
    whole: dict[tuple[str, ...], list[Row]] = {}

    def page_rows(number: int) -> TableRows:
        def read(array: ArrayNode) -> list[Row]:
            if array.path not in whole:
                whole[array.path] = rows(doc, array)
            return [row for row in whole[array.path] if row.page == number]

        return read

    return [
        extract_object(
            Document([page], doc.kind, doc.has_geometry, doc.has_text_layer),
            root,
            hints,
            page_rows(page.number),
        )
        for page in doc.pages
    ]


def per_table_row(doc: Document, root: ObjectNode, hints: Hints) -> list[dict[str, ChoiceTree]]:
    """``per_table_row``: one object per table row (continued tables merged), else per
    list item (bulleted or numbered lines)."""
    table_rows = rows(doc, root)
    if table_rows:
        return [row_object(row, root, hints) for row in table_rows]
    items: list[dict[str, ChoiceTree]] = []
    for page in doc.pages:
        for line in page.lines:
            if _LIST_ITEM.match(line.text) and len(items) < MAX_LIST_ITEMS:
                alone = Page(page.number, page.width, page.height, [line], [])
                single = Document([alone], doc.kind, doc.has_geometry, doc.has_text_layer)
                item = extract_object(single, root, hints)
                if any(v is not None and v != [] for v in _leaf_values(item)):
                    items.append(item)
    return items


def _leaf_values(tree: ChoiceTree) -> list[Any]:
    if isinstance(tree, dict):
        return [v for sub in tree.values() for v in _leaf_values(sub)]
    return [tree]


def values(tree: ChoiceTree) -> Any:
    """The ``extract_result`` JSON of a choice tree."""
    if isinstance(tree, dict):
        return {key: values(sub) for key, sub in tree.items()}
    if isinstance(tree, list):
        return [values(item) for item in tree]
    if isinstance(tree, Choice):
        return tree.value
    return None


def needs_tables(root: ObjectNode, target: str) -> bool:
    """Whether the schema reads tables: an array of objects anywhere, or per_table_row."""
    if target == "per_table_row":
        return True

    def walk(node: ObjectNode) -> bool:
        for child in node.properties.values():
            if isinstance(child, ArrayNode):
                return True
            if isinstance(child, ObjectNode) and walk(child):
                return True
        return False

    return walk(root)
