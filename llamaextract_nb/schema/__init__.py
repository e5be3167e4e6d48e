"""Schemas: conversion from what users hand us, limits, and the editable table of fields."""

from llamaextract_nb.schema.convert import SchemaError, inline_refs, to_json_schema
from llamaextract_nb.schema.limits import (
    MAX_CHARACTERS,
    MAX_DEPTH,
    MAX_PROPERTIES,
    SchemaProblem,
    check_limits,
)
from llamaextract_nb.schema.lint import Problem
from llamaextract_nb.schema.model import FIELD_TYPES, Field, Schema

__all__ = [
    "FIELD_TYPES",
    "MAX_CHARACTERS",
    "MAX_DEPTH",
    "MAX_PROPERTIES",
    "Field",
    "Problem",
    "Schema",
    "SchemaError",
    "SchemaProblem",
    "check_limits",
    "inline_refs",
    "to_json_schema",
]
