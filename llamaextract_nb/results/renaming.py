"""Rename the top-level fields of a job's JSON: result, field metadata and schema together.

Used to grade or compare a run whose schema named its fields differently (schema v1's
``number`` is the truth's ``invoice_number``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

_ITEM_METADATA = ("document_metadata", "page_metadata", "row_metadata")


def renamed_job(raw: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the job JSON ``raw`` with top-level field ``old`` called ``names[old]``."""
    check_names(names)
    job = copy.deepcopy(raw)
    result = job.get("extract_result")
    job["extract_result"] = _rename_items(result, names)
    metadata = job.get("extract_metadata")
    tree = metadata.get("field_metadata") if isinstance(metadata, dict) else None
    if isinstance(tree, dict):
        if any(key in tree for key in _ITEM_METADATA):
            for key in _ITEM_METADATA:
                if key in tree:
                    tree[key] = _rename_items(tree[key], names)
        else:
            metadata["field_metadata"] = _rename(tree, names)  # type: ignore[index]
    configuration = job.get("configuration")
    if isinstance(configuration, dict) and isinstance(configuration.get("data_schema"), dict):
        configuration["data_schema"] = renamed_schema(configuration["data_schema"], names)
    return job


def renamed_schema(schema: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A copy of a JSON schema with its top-level properties (and ``required``) renamed."""
    schema = copy.deepcopy(schema)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema["properties"] = _rename(properties, names)
    required = schema.get("required")
    if isinstance(required, list):
        schema["required"] = [names.get(name, name) for name in required]
    return schema


def check_names(names: Mapping[str, str]) -> None:
    """Raise a ValueError unless ``names`` maps field names to distinct new names."""
    if not isinstance(names, Mapping):
        raise TypeError(f"rename takes a dict of old -> new field names, got {names!r}")
    bad = [k for k, v in names.items() if not (isinstance(k, str) and isinstance(v, str) and v)]
    if bad:
        raise ValueError(f"rename maps field names to field names; check {bad!r}")
    targets = list(names.values())
    if len(set(targets)) != len(targets):
        raise ValueError(f"rename gives two fields one name: {names!r}")


def _rename_items(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_rename(item, names) if isinstance(item, dict) else item for item in value]
    return _rename(value, names) if isinstance(value, dict) else value


def _rename(obj: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    renamed: dict[str, Any] = {}
    for key, value in obj.items():
        new = names.get(key, key)
        if new in renamed:
            raise ValueError(f"renaming {key!r} to {new!r} clashes with an existing field")
        renamed[new] = value
    return renamed
