"""``$ref`` and nullable wrappers in JSON Schema, read one way by every layer.

* :func:`measure` walks a schema without expanding it: its nesting as written, and the
  nesting and size it would have once every ``$ref`` is replaced by its definition, counted
  once per definition over the reference graph (memoised), so a small schema whose
  definitions reference each other several times per level is priced before it explodes.
  Cycles and references to nothing are found on the way. Nothing here recurses.
* :func:`inline_refs` refuses (:class:`SchemaError`) what :func:`measure` finds over
  :data:`MAX_NESTING` or :data:`MAX_EXPANDED_SIZE`, cyclic or dangling, then expands.
* :func:`unwrap` turns ``anyOf``/``oneOf`` with a ``null`` option, ``type`` lists with
  ``"null"`` and a lone ``allOf`` member into the node they wrap, saying whether null is allowed.
* :func:`field_nodes` lists a schema's fields by path with both applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llamaextract_nb.errors import LlamaExtractError

MAX_NESTING = 100
"""Levels of JSON objects and arrays a schema may nest, as written and with refs expanded."""
MAX_EXPANDED_SIZE = 1_000_000
"""Characters of compact JSON a schema may grow to once its ``$ref``s are expanded."""

_DEF_KEYS = ("$defs", "definitions")
_NULLABLE_KEYS = ("anyOf", "oneOf")


class SchemaError(LlamaExtractError, ValueError):
    """A schema could not be read or is not usable; the message says what and how to fix it."""


@dataclass(frozen=True, slots=True)
class Shape:
    """What :func:`measure` found: nesting as written, nesting and size once expanded."""

    written_depth: int
    expanded_depth: int
    expanded_size: int
    deepest: str
    """Where the written nesting is deepest (a JSON pointer such as ``/properties/a``)."""
    written_size: int


@dataclass(slots=True)
class _Part:
    """One definition (or the root) walked as written: refs left as references."""

    size: int = 0
    depth: int = 0
    deepest: str = ""
    refs: list[tuple[str, int]] | None = None  # (target, depth of the $ref node)


def definitions(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema's local definitions by the ``$ref`` that names them (``#/$defs/Name``)."""
    found: dict[str, Any] = {}
    for key in _DEF_KEYS:
        defs = schema.get(key)
        if isinstance(defs, dict):
            found.update({f"#/{key}/{name}": value for name, value in defs.items()})
    return found


def _scalar_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, bool) or value is None:
        return 4 if value in (True, None) else 5
    return len(str(value)) if isinstance(value, (int, float)) else 4


def _walk(node: Any, skip_defs: bool) -> _Part:
    """Size (refs not followed), depth and references of ``node``, with an explicit stack."""
    part = _Part(refs=[])
    assert part.refs is not None
    stack: list[tuple[Any, int, str]] = [(node, 1, "")]
    while stack:
        value, depth, pointer = stack.pop()
        if isinstance(value, dict):
            if depth > part.depth:
                part.depth, part.deepest = depth, pointer
            ref = value.get("$ref")
            kept = [
                (key, child)
                for key, child in value.items()
                if not (
                    (key == "$ref" and isinstance(ref, str)) or (skip_defs and key in _DEF_KEYS)
                )
            ]
            if isinstance(ref, str):  # merged into its target's braces: a comma per key
                part.refs.append((ref, depth))
                part.size += len(kept)
            else:
                part.size += 1 + max(len(kept), 1)  # braces and commas
            for key, child in kept:
                part.size += len(str(key)) + 3  # "key":
                stack.append((child, depth + 1, f"{pointer}/{key}"))
        elif isinstance(value, list):
            part.size += 1 + max(len(value), 1)
            if depth > part.depth:
                part.depth, part.deepest = depth, pointer
            stack.extend((child, depth + 1, f"{pointer}/{i}") for i, child in enumerate(value))
        else:
            part.size += _scalar_size(value)
    return part


def nesting(value: Any) -> int:
    """Levels of JSON objects and arrays in ``value`` (0 for a scalar), without recursing."""
    return _walk(value, skip_defs=False).depth


def measure(schema: dict[str, Any]) -> Shape:
    """The shape of ``schema`` and of its expansion, computed without expanding it.

    Raises :class:`SchemaError` for a ``$ref`` that names no local definition or that
    leads back to itself (directly or through other definitions).
    """
    written = _walk(schema, skip_defs=False)
    root = _walk(schema, skip_defs=True)
    defs = definitions(schema)
    parts: dict[str, _Part] = {}
    # Expanded (size, depth) of each definition reached, children before parents.
    done: dict[str, tuple[int, int]] = {}
    for top, _ in root.refs or []:
        _price(top, defs, parts, done)
    size, depth = _expanded(root, done)
    return Shape(written.depth, depth, size, written.deepest, written.size)


def _expanded(part: _Part, done: dict[str, tuple[int, int]]) -> tuple[int, int]:
    size, depth = part.size, part.depth
    for ref, at in part.refs or []:
        ref_size, ref_depth = done[ref]
        size = min(size + ref_size, MAX_EXPANDED_SIZE + 1)  # saturate: only "over" matters
        depth = max(depth, at - 1 + ref_depth)
    return size, depth


def _price(
    top: str,
    defs: dict[str, Any],
    parts: dict[str, _Part],
    done: dict[str, tuple[int, int]],
) -> None:
    """Fill ``done`` for ``top`` and every definition it reaches (iterative DFS, cycle check)."""
    path: list[str] = []  # the definitions being priced, outermost first
    stack: list[tuple[str, bool]] = [(top, False)]
    while stack:
        ref, children_done = stack.pop()
        if children_done:
            done[ref] = _expanded(parts[ref], done)
            path.pop()
            continue
        if ref in done:
            continue
        if ref in path:
            cycle = " -> ".join([*path[path.index(ref) :], ref])
            raise SchemaError(
                f"$ref {ref!r} refers back to itself ({cycle}); recursive schemas are not "
                "supported: write the nesting out to the depth you need"
            )
        if ref not in defs:
            raise SchemaError(
                f"$ref {ref!r} points at no definition in this schema; refs must name a "
                "local definition such as '#/$defs/Name'"
            )
        part = parts.get(ref) or _walk(defs[ref], skip_defs=True)
        parts[ref] = part
        path.append(ref)
        stack.append((ref, True))
        stack.extend((target, False) for target, _ in part.refs or [] if target not in done)


def check_expandable(schema: dict[str, Any]) -> Shape:
    """:func:`measure` ``schema`` and raise :class:`SchemaError` saying which bound it breaks
    and how to fix it: nesting over :data:`MAX_NESTING`, expansion over
    :data:`MAX_EXPANDED_SIZE`, a cyclic or dangling ``$ref``."""
    shape = measure(schema)
    if shape.written_depth > MAX_NESTING:
        raise SchemaError(
            f"the schema nests {shape.written_depth} levels of JSON objects and arrays "
            f"(deepest at {_shorten(shape.deepest or '/')}); at most {MAX_NESTING} are "
            "accepted. An extraction schema may nest 7 levels of properties: flatten it"
        )
    if shape.expanded_depth > MAX_NESTING:
        raise SchemaError(
            f"with its $refs expanded the schema would nest {shape.expanded_depth} levels of "
            f"JSON objects and arrays; at most {MAX_NESTING} are accepted. Definitions that "
            "reference definitions nest inside each other: use fewer levels"
        )
    if shape.expanded_size > MAX_EXPANDED_SIZE:
        raise SchemaError(
            f"with its $refs expanded the schema would grow past {MAX_EXPANDED_SIZE:,} "
            f"characters of JSON (from {shape.written_size:,} as written): each "
            "$ref is a copy of its definition, and definitions that reference others several "
            "times multiply. Reference definitions fewer times or write smaller ones"
        )
    return shape


def _shorten(pointer: str, keep: int = 40) -> str:
    return pointer if len(pointer) <= 2 * keep else f"{pointer[:keep]}…{pointer[-keep:]}"


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` with local ``$ref``s replaced by their definitions (keys beside a
    ``$ref`` win) and ``$defs`` / ``definitions`` dropped; checked first
    (:func:`check_expandable`), so the expansion is bounded and its recursion shallow."""
    check_expandable(schema)
    defs = definitions(schema)

    def expand(node: Any) -> Any:
        if isinstance(node, list):
            return [expand(item) for item in node]
        if not isinstance(node, dict):
            return node
        outer: list[dict[str, Any]] = []  # keys beside each $ref of a chain, outermost first
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            outer.append({k: v for k, v in node.items() if k != "$ref"})
            node = defs[node["$ref"]]
        if not isinstance(node, dict):
            return expand(node)
        result = {k: expand(v) for k, v in node.items() if k not in _DEF_KEYS}
        for siblings in reversed(outer):
            result.update((k, expand(v)) for k, v in siblings.items() if k not in _DEF_KEYS)
        return result

    result = expand(schema)
    assert isinstance(result, dict)
    return result


def unwrap(node: dict[str, Any], *, first_of_many: bool = False) -> tuple[dict[str, Any], bool]:
    """``node`` without its nullable wrappers, and whether it allows null.

    ``anyOf``/``oneOf`` with one non-null option (or, with ``first_of_many``, several: the
    first is read) and a lone ``allOf`` member become that option, the outer keys winning;
    ``type: [X, "null"]`` becomes ``type: X``. Anything else is returned as it is.
    """
    nullable = False
    while True:
        for key in _NULLABLE_KEYS:
            options = node.get(key)
            if isinstance(options, list):
                real = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
                nullable = nullable or len(real) < len(options)
                chosen = real[:1] if first_of_many else real
                if len(chosen) == 1 and isinstance(chosen[0], dict):
                    node = {**chosen[0], **{k: v for k, v in node.items() if k != key}}
                    break
        else:
            all_of = node.get("allOf")
            if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
                node = {**all_of[0], **{k: v for k, v in node.items() if k != "allOf"}}
                continue
            kinds = node.get("type")
            if isinstance(kinds, list):
                real_kinds = [t for t in kinds if t != "null"]
                nullable = nullable or len(real_kinds) < len(kinds)
                if len(real_kinds) == 1 or (first_of_many and real_kinds):
                    node = {**node, "type": real_kinds[0]}
            return node, nullable


def field_nodes(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every field of ``schema`` by path (``buyer.name``, ``line_items[].amount``) -> its node,
    in schema order, refs expanded (:func:`inline_refs`, so :class:`SchemaError` when they
    cannot be) and nullable wrappers unwrapped; an array's node carries its unwrapped
    ``items``."""
    nodes: dict[str, dict[str, Any]] = {}
    stack: list[tuple[Any, str]] = [(inline_refs(schema), "")]
    while stack:
        raw, path = stack.pop()
        if not isinstance(raw, dict):
            continue
        node = unwrap(raw)[0]
        items = node.get("items")
        if isinstance(items, dict):
            items = unwrap(items)[0]
            node = {**node, "items": items}
        if path:
            nodes[path] = node
        children: list[tuple[Any, str]] = []
        properties = node.get("properties")
        if isinstance(properties, dict):
            children += [(c, f"{path}.{k}" if path else str(k)) for k, c in properties.items()]
        item_properties = items.get("properties") if isinstance(items, dict) else None
        if isinstance(item_properties, dict):
            children += [(c, f"{path}[].{k}") for k, c in item_properties.items()]
        stack.extend(reversed(children))
    return nodes
