"""Shared types of the extraction pipeline: compiled field specs, hints and candidates.

Every candidate generator has the signature ``(doc, spec, hints) -> list[Candidate]``;
the scorer picks the best candidate per field and the margin over the runner-up feeds
the confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llamaextract_nb.local.engine.document import Box, Line

SEMANTIC_TYPES = (
    "date",
    "money",
    "number",
    "integer",
    "boolean",
    "enum",
    "organisation",
    "person",
    "address",
    "location",
    "duration",
    "text",
)


@dataclass(slots=True)
class FieldSpec:
    """One leaf field of the schema, compiled for matching."""

    path: tuple[str, ...]  # e.g. ("buyer", "name"); array items use the property path only
    name: str  # the last path element
    json_type: str  # "string", "number", "integer", "boolean"
    semantic_type: str  # one of SEMANTIC_TYPES
    label_terms: list[str] = field(default_factory=list)  # lower-case phrases, strongest first
    term_ranks: dict[str, int] = field(default_factory=dict)  # rank of a term in its language
    description_terms: list[str] = field(default_factory=list)
    description: str = ""
    enum: list[Any] | None = None
    ordinal: int | None = None  # party_2 / "second party" -> 2
    required: bool = False
    nullable: bool = True
    format: str | None = None  # JSON-schema format, e.g. "date"
    is_array_of_scalars: bool = False
    identifier: bool = False  # invoice_number, tax_id: a code, printed with digits as a rule


@dataclass(slots=True)
class Hints:
    """Free-text hints from ``system_prompt`` and the request, used where they apply."""

    day_first: bool = False
    currency: str | None = None
    decimal_comma: bool | None = None  # the document's decimal mark, when its numbers show it
    evidence: str = ""  # the start of the document's text, to decide an ambiguous "$" or "kr"
    tier: str = "cost_effective"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Candidate:
    """A possible value for a field, with the evidence that points at it."""

    text: str  # the value as printed in the document
    page: int  # 1-based
    line: Line  # the source line; its text becomes the citation's matching_text
    score: float  # 0..1 strength of the evidence
    source: str  # "kv", "label", "prose", "table", "header_zone", ...
    boxes: list[Box] = field(default_factory=list)  # covering the value on the page
    verbatim: bool = True  # False when the value was inferred (e.g. normalised or derived)
    value: Any = None  # the coerced value, filled by coercion
