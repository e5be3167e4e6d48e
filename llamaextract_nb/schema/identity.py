"""What identifies a schema across a service's rewrites.

A service may echo a schema normalised (keys reordered, refs inlined, descriptions or
``additionalProperties`` added, nullable spelled another way). :func:`schema_digest` tells
the very schema sent; :func:`field_paths` tells its fields, which such rewrites keep.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from llamaextract_nb.schema.refs import SchemaError, field_nodes


def schema_digest(schema: dict[str, Any]) -> str:
    """sha256 of the schema as canonical JSON (keys sorted, no spaces)."""
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def field_paths(schema: dict[str, Any]) -> frozenset[str] | None:
    """Every field's path (``line_items[].amount``), refs followed, nullable unwrapped; None
    when the schema cannot be read (dangling or cyclic refs, over the limits)."""
    try:
        return frozenset(field_nodes(schema))
    except SchemaError:
        return None
