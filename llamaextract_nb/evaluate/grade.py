"""Grade one extraction against its truth: one row per expected (or spurious) leaf value.

Walks the truth, not the extraction, so what the truth lacks is not graded. Objects are
walked key by key; an array of objects is paired row to row with the extracted array by the
best total similarity (:func:`~llamaextract_nb.evaluate.align.best_pairs`) before its cells
are graded; an array of scalars is one value graded as a set; an explicit ``null`` expects
no value under it. ``per_page`` truth lists one object per page (entry ``i`` is page
``i + 1``); ``per_table_row`` truth rows are paired with the extracted rows like an array.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

from llamaextract_nb.evaluate.align import best_pairs
from llamaextract_nb.results.matching import Rule, default_rule, parse_rule
from llamaextract_nb.results.metadata import Leaf
from llamaextract_nb.schema.refs import SchemaError, field_nodes

if TYPE_CHECKING:
    from llamaextract_nb.results.result import ExtractResult

CORRECT, WRONG, MISSED, SPURIOUS = "correct", "wrong", "missed", "spurious"
OUTCOMES = (CORRECT, WRONG, MISSED, SPURIOUS)

DETAIL_COLUMNS = (
    "file",
    "job_id",
    "item",
    "path",
    "field",
    "expected",
    "extracted",
    "outcome",
    "score",
    "confidence",
    "page",
    "matching_text",
    "rule",
)

RuleSpec = str | Rule | Callable[[Any, Any], Any]
_NOWHERE = "\x00"  # the extraction path of an expected row nothing was paired with


class Grader:
    """Grades results against truth with per-field rules (overrides, else from the schema or
    the expected value). ``tolerance`` is the default relative tolerance of numbers."""

    def __init__(
        self,
        rules: Mapping[str, RuleSpec] | None = None,
        *,
        tolerance: float | None = None,
    ) -> None:
        if rules is not None and not isinstance(rules, Mapping):
            raise TypeError(
                "rules is a dict of field path -> rule, e.g. {'vendor_name': 'fuzzy:90'}; "
                f"got {type(rules).__name__}"
            )
        self.overrides = {_field_name(k): parse_rule(v) for k, v in (rules or {}).items()}
        # fields every graded value passed through, to catch rules naming no field
        self.fields_seen: set[str] = set()
        self.number = None if tolerance is None else parse_rule(f"number:{tolerance!r}")

    def grade(
        self, result: ExtractResult, truth: Any, *, schema: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows (in :data:`DETAIL_COLUMNS` order) grading ``result`` against ``truth``."""
        walk = _Walk(self, result, schema if schema is not None else result.schema)
        target = result.target
        items = result._extraction.items if result.status == "COMPLETED" else []
        if target == "per_doc":
            if not isinstance(truth, dict):
                raise ValueError(
                    f"the truth of {result.name} is a list, but the result is per_doc: give "
                    "one JSON object per document"
                )
            walk.item = 0
            walk.obj(truth, items[0] if items else None, "", "", "")
            return walk.rows
        if not isinstance(truth, list):
            raise ValueError(
                f"the truth of {result.name} is an object, but the result is {target}: give a "
                "list with one object per " + ("page" if target == "per_page" else "row")
            )
        if target == "per_page":
            pages = {key.get("page"): index for index, key in enumerate(result._item_keys)}
            for number, expected in enumerate(truth, start=1):
                if expected is None:
                    continue
                index = pages.get(number)
                walk.item = number
                walk.leaf_item = index if index is not None else -1
                walk.obj(expected, items[index] if index is not None else None, "", "", "")
            return walk.rows
        walk.rows_of(truth, items)
        return walk.rows

    def override(self, field: str) -> Rule | None:
        """The rule the user set for ``field`` (``[]`` optional in the name), if any."""
        self.fields_seen.add(field)
        return self.overrides.get(field.replace("[]", "")) if self.overrides else None

    def unknown_rules(self) -> list[str]:
        """Rule names that matched no field graded so far."""
        seen = {f.replace("[]", "") for f in self.fields_seen}
        return sorted(name for name in self.overrides if name not in seen)

    def rule(self, field: str, expected: Any, schema_node: Any) -> Rule:
        rule = self.override(field)
        if rule is not None:
            return rule
        rule = default_rule(schema_node, expected)
        if rule.kind == "number" and self.number is not None:
            return self.number
        return rule


def _value_independent(node: dict[str, Any]) -> bool:
    """True when a field's default rule follows from its schema node whatever the value
    (only a plain string's rule looks at the value: a date or not)."""
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "enum" in node or node.get("format") in ("date", "date-time"):
        return True
    return any(k in kinds for k in ("boolean", "number", "integer", "array"))


def _field_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"rules are keyed by field path (like 'line_items[].amount'): {name!r}")
    return name.strip().replace("[]", "")


class _Walk:
    """The state of grading one result: its leaves by path, its schema, the rows so far."""

    def __init__(self, grader: Grader, result: ExtractResult, schema: Any) -> None:
        self.grader = grader
        self.file = result.name
        self.job_id = result.job.id
        self.nodes = schema_nodes(schema)
        self.leaves: dict[tuple[int, str], Leaf] = {
            (leaf.item, leaf.path): leaf for leaf in result._extraction.leaves
        }
        self.rows: list[tuple[Any, ...]] = []
        self.fixed: dict[str, Rule] = {}  # rules that follow from the schema node alone
        self.item: Any = 0  # the item label written in rows
        self.leaf_item = 0  # the result item whose leaves are read

    # --- walking -----------------------------------------------------------------------

    def value(self, expected: Any, extracted: Any, tpath: str, xpath: str, field: str) -> None:
        override = self.grader.override(field)
        if override is not None and override.kind == "ignore":
            return
        if isinstance(expected, dict):
            self.obj(expected, extracted, tpath, xpath, field)
        elif expected is None:
            self.none_expected(extracted, tpath, xpath, field)
        elif isinstance(expected, list) and self._is_table(expected, field):
            self.array(expected, extracted, tpath, xpath, field)
        else:
            self.scalar(expected, extracted, tpath, xpath, field)

    def obj(
        self, expected: dict[str, Any], extracted: Any, tpath: str, xpath: str, field: str
    ) -> None:
        got = extracted if isinstance(extracted, dict) else {}
        for key, value in expected.items():
            dot = "." if tpath or field else ""
            self.value(
                value,
                got.get(key),
                f"{tpath}{dot}{key}",
                f"{xpath}{'.' if xpath else ''}{key}",
                f"{field}{dot}{key}",
            )

    def _is_table(self, expected: list[Any], field: str) -> bool:
        node = self.nodes.get(field)
        if isinstance(node, dict) and node.get("type") == "array":
            items = node.get("items")
            if isinstance(items, dict) and (items.get("type") == "object" or "properties" in items):
                return True
        override = self.grader.override(field)
        if override is not None and override.kind == "set":
            return False
        return any(isinstance(v, dict) for v in expected)

    def array(
        self, expected: list[Any], extracted: Any, tpath: str, xpath: str, field: str
    ) -> None:
        got = [x for x in extracted] if isinstance(extracted, list) else []
        rows_field = f"{field}[]"
        pairs = self._pair(expected, got, rows_field)
        paired_x = {j for _, j in pairs}
        partner = dict(pairs)
        for i, row in enumerate(expected):
            j = partner.get(i)
            self.value(
                row,
                got[j] if j is not None else None,
                f"{tpath}[{i}]",
                f"{xpath}[{j}]" if j is not None else _NOWHERE,
                rows_field,
            )
        for j, row in enumerate(got):
            if j not in paired_x:
                self.spurious(row, f"{xpath}[{j}]", f"{xpath}[{j}]", rows_field)

    def rows_of(self, expected: list[Any], items: list[Any]) -> None:
        """per_table_row: truth rows paired with the extracted rows (items)."""
        pairs = self._pair(expected, items, "")
        partner = dict(pairs)
        for i, row in enumerate(expected):
            if row is None:
                continue
            j = partner.get(i)
            self.item, self.leaf_item = i, j if j is not None else -1
            self.obj(row, items[j] if j is not None else None, "", "", "")
        paired = {j for _, j in pairs}
        for j, row in enumerate(items):
            if j not in paired:
                self.item, self.leaf_item = None, j
                self.spurious(row, "", "", "")

    def _pair(self, expected: list[Any], got: list[Any], field: str) -> list[tuple[int, int]]:
        """Rows paired by how many of their cells match under their rules."""
        if not expected or not got:
            return []
        prefix = f"{field}." if field else ""
        cells = [
            [
                (path, rule, rule.normal(value))
                for path, value in _scalar_cells(row)
                if value is not None
                for rule in (self.rule(prefix + path, value),)
                if rule.kind != "ignore"
            ]
            for row in expected
        ]
        got_cells = [dict(_scalar_cells(row)) for row in got]
        normals: dict[tuple[str, Rule], list[Any]] = {}
        indexes: dict[tuple[str, Rule], dict[Hashable, list[int]]] = {}
        similarity = []
        for row_cells in cells:
            line = [0.0] * len(got)
            for path, rule, normal in row_cells:
                column = (path, rule)
                others = normals.get(column)
                if others is None:
                    others = normals[column] = [rule.normal(c.get(path)) for c in got_cells]
                keys = rule.keys(normal)
                if keys is None:  # no lookup for this rule: compare with every row
                    for j, other in enumerate(others):
                        if other is not None:
                            line[j] += rule.match(normal, other)
                    continue
                index = indexes.get(column)
                if index is None:
                    index = indexes[column] = _index(rule, others)
                for j in {j for key in keys for j in index.get(key, ())}:
                    line[j] += 1.0
            similarity.append(line)
        return best_pairs(similarity)

    def scalar(self, expected: Any, extracted: Any, tpath: str, xpath: str, field: str) -> None:
        rule = self.rule(field, expected)
        if rule.kind == "ignore":
            return
        if rule.kind == "set" or isinstance(expected, list):
            leaf = self._set_leaf(xpath)
            if not expected:
                self.none_expected(extracted or None, tpath, xpath, field)
                return
            if not extracted:
                self.add(tpath, field, expected, extracted, MISSED, 0.0, leaf, rule)
                return
        else:
            leaf = self.leaves.get((self.leaf_item, xpath))
            if extracted is None:
                self.add(tpath, field, expected, None, MISSED, 0.0, leaf, rule)
                return
        if isinstance(extracted, dict) or (isinstance(extracted, list) and rule.kind != "set"):
            score = 0.0
        else:
            score = rule.score(expected, extracted)
        self.add(
            tpath, field, expected, extracted, CORRECT if score == 1 else WRONG, score, leaf, rule
        )

    def none_expected(self, extracted: Any, tpath: str, xpath: str, field: str) -> None:
        """An explicit null: correct when nothing was extracted there, else spurious."""
        if extracted is None or extracted == [] or extracted == {}:
            self.add(tpath, field, None, None, CORRECT, 1.0, None, None)
        else:
            self.spurious(extracted, tpath, xpath, field)

    def spurious(self, extracted: Any, tpath: str, xpath: str, field: str) -> None:
        """Every non-null value under ``extracted`` is spurious."""
        if isinstance(extracted, dict):
            for key, value in extracted.items():
                dot = "." if field else ""
                self.spurious(
                    value,
                    f"{tpath}{dot}{key}",
                    f"{xpath}{'.' if xpath else ''}{key}",
                    f"{field}{dot}{key}",
                )
        elif isinstance(extracted, list) and any(isinstance(v, dict) for v in extracted):
            for j, row in enumerate(extracted):
                self.spurious(row, f"{tpath}[{j}]", f"{xpath}[{j}]", f"{field}[]")
        elif extracted is not None and extracted != []:
            rule = self.rule(field, extracted)
            if rule.kind == "ignore":
                return
            leaf = (
                self._set_leaf(xpath)
                if isinstance(extracted, list)
                else self.leaves.get((self.leaf_item, xpath))
            )
            self.add(tpath, field, None, extracted, SPURIOUS, 0.0, leaf, rule)

    # --- helpers -----------------------------------------------------------------------

    def rule(self, field: str, expected: Any) -> Rule:
        rule = self.fixed.get(field)
        if rule is None:
            node = self.nodes.get(field)
            rule = self.grader.rule(field, expected, node)
            if node is not None and _value_independent(node):
                self.fixed[field] = rule
        return rule

    def _set_leaf(self, xpath: str) -> Leaf | None:
        """The metadata of an array of scalars: its first element's, lowest confidence."""
        found = []
        index = 0
        while (leaf := self.leaves.get((self.leaf_item, f"{xpath}[{index}]"))) is not None:
            found.append(leaf)
            index += 1
        if not found:
            return self.leaves.get((self.leaf_item, xpath))
        scored = [leaf.confidence for leaf in found if leaf.confidence is not None]
        first = found[0]
        if not scored:
            return first
        return Leaf(first.item, xpath, None, min(scored), raw_citations=first.raw_citations)

    def add(
        self,
        path: str,
        field: str,
        expected: Any,
        extracted: Any,
        outcome: str,
        score: float,
        leaf: Leaf | None,
        rule: Rule | None,
    ) -> None:
        page, text = leaf.cited() if leaf is not None else (None, None)
        self.rows.append(
            (
                self.file,
                self.job_id,
                self.item,
                path,
                field,
                expected,
                extracted,
                outcome,
                score,
                leaf.confidence if leaf is not None else None,
                page,
                text,
                str(rule) if rule is not None else "",
            )
        )


def _index(rule: Rule, normals: list[Any]) -> dict[Hashable, list[int]]:
    """Positions of ``normals`` by each of their keys under ``rule``."""
    index: dict[Hashable, list[int]] = {}
    for position, normal in enumerate(normals):
        for key in rule.keys(normal) or ():
            index.setdefault(key, []).append(position)
    return index


def _scalar_cells(row: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """The leaf values of a row object as (relative path, value); arrays count as values."""
    if not isinstance(row, dict):
        return [(prefix.rstrip("."), row)] if prefix else [("", row)]
    cells: list[tuple[str, Any]] = []
    for key, value in row.items():
        if isinstance(value, dict):
            cells.extend(_scalar_cells(value, f"{prefix}{key}."))
        elif not (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
            cells.append((f"{prefix}{key}", value))
    return cells


def schema_nodes(schema: Any) -> dict[str, dict[str, Any]]:
    """Every field path of a JSON schema (``buyer.name``, ``line_items[].amount``) -> its node,
    read by the schema toolkit (refs expanded, nullable unwrapped); none for a schema that is
    not a dict or whose refs cannot be expanded."""
    if not isinstance(schema, dict):
        return {}
    try:
        return field_nodes(schema)
    except SchemaError:
        return {}
