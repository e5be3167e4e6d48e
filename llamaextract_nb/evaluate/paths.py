"""Addresses of values inside one document's data: ``line_items[1].amount``, ``[0].total``.

A path names a value inside the JSON a document's extraction returned (and its truth holds):
object keys joined by dots, list positions in brackets; a ``per_page`` / ``per_table_row``
document is a list, so its paths start with ``[i]``.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_MISSING = object()


def parse_path(path: str) -> list[str | int]:
    """``"line_items[1].amount"`` -> ``["line_items", 1, "amount"]``."""
    tokens: list[str | int] = []
    position = 0
    for match in _TOKEN.finditer(path):
        between = path[position : match.start()]
        if between not in ("", "."):
            raise ValueError(f"{path!r} is not a value path such as 'line_items[1].amount'")
        tokens.append(int(match[1]) if match[1] is not None else match[2])
        position = match.end()
    if not tokens or path[position:]:
        raise ValueError(f"{path!r} is not a value path such as 'line_items[1].amount'")
    return tokens


def field_of(path: str) -> str:
    """The path without positions: ``line_items[2].amount`` -> ``line_items[].amount``."""
    return _POSITION.sub("[]", path)


_POSITION = re.compile(r"\[\d+\]")


def get_path(data: Any, path: str, default: Any = _MISSING) -> Any:
    """The value at ``path`` in ``data``; ``default`` (or KeyError) when it is not there."""
    node = data
    for token in parse_path(path):
        if not _holds(node, token):
            if default is _MISSING:
                raise KeyError(path)
            return default
        node = node[token]
    return node


def _holds(node: Any, token: str | int) -> bool:
    if isinstance(token, int):
        return isinstance(node, list) and token < len(node)
    return isinstance(node, dict) and token in node


def has_path(data: Any, path: str) -> bool:
    """True when ``data`` holds a value (``null`` included) at ``path``."""
    try:
        get_path(data, path)
    except KeyError:
        return False
    return True


def set_path(data: Any, path: str, value: Any) -> Any:
    """``data`` with ``value`` stored at ``path``, creating objects and lists on the way (list
    positions before it that hold nothing become ``{}``: an element with nothing graded).
    Returns the (possibly new) root."""
    tokens = parse_path(path)
    root = data if data is not None else ([] if isinstance(tokens[0], int) else {})
    node = root
    for token, following in zip(tokens, [*tokens[1:], None], strict=True):
        if isinstance(token, int) != isinstance(node, list):
            raise ValueError(f"cannot store {path!r}: the data has another shape there")
        child = _child_for(following)
        if isinstance(node, list):
            assert isinstance(token, int)
            while len(node) <= token:
                node.append({} if following is None or isinstance(following, str) else [])
            if following is None:
                node[token] = value
            elif not isinstance(node[token], (dict, list)):
                node[token] = child
        else:
            if following is None:
                node[token] = value
            elif not isinstance(node.get(token), (dict, list)):
                node[token] = child
        if following is not None:
            node = node[token]  # type: ignore[index]
    return root


def _child_for(following: str | int | None) -> Any:
    return [] if isinstance(following, int) else {}
