"""Findings of several documents -> suggested fields: named, typed, described, ordered.

Findings are grouped by the field they fill; a field's type comes from every value seen
for it (:mod:`.value_types`), its description from the labels printed for it, its rank
from the number of documents it was seen in (most first), then from where it was first
seen. A prompt keeps the fields whose names, labels or synonyms share a word with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from llamaextract_nb.local.engine.labels import printed_as
from llamaextract_nb.local.engine.suggest.label_names import (
    normalise_label,
    snake_case,
    terms_of,
)
from llamaextract_nb.local.engine.suggest.observe import Column, Seen
from llamaextract_nb.local.engine.suggest.value_types import ID_WORDS, field_type, value_type

MAX_FIELDS = 80
MAX_COLUMNS = 30
MAX_TYPED_VALUES = 200  # per column and document: a long table's type shows in its start
_TABLE_POSITION = 10**6  # tables rank after the labels of their page
_BUYER_KEYS = frozenset({"buyer", "customer", "ship to"})
_PROMPT_STOPWORDS = frozenset(
    """the and for with from this that these those its their our your all any each every
    what which who whom where when how are was were has have had get find list show give
    extract extraction document documents field fields data info information value values
    please want need about into also only like such than then them they""".split()  # noqa: SIM905
)


@dataclass(slots=True)
class Source:
    """Where a suggested field was found: document, page, label and value as printed."""

    document: str
    page: int
    label: str
    value: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "page": self.page,
            "label": self.label,
            "value": self.value,
        }


@dataclass(slots=True)
class SuggestedField:
    """One suggested field; ``children`` for objects and arrays of objects."""

    name: str
    type: str  # "string", "number", "integer", "boolean", "date", "enum", "object", "array"
    # (an array with children holds objects, one without them strings)
    description: str
    sources: list[Source] = field(default_factory=list)
    documents: int = 0  # how many documents show it
    enum: list[str] = field(default_factory=list)
    children: list[SuggestedField] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)  # words naming it, for prompts

    def json_schema(self) -> dict[str, Any]:
        """This field's JSON Schema node."""
        node: dict[str, Any]
        if self.type == "date":
            node = {"type": "string", "format": "date"}
        elif self.type == "enum":
            node = {"type": "string", "enum": list(self.enum)}
        elif self.type == "array" and not self.children:
            node = {"type": "array", "items": {"type": "string"}}
        elif self.type in ("object", "array"):
            node = {
                "type": "object",
                "properties": {child.name: child.json_schema() for child in self.children},
            }
            if self.type == "array":
                node = {"type": "array", "items": node}
        else:
            node = {"type": self.type}
        node["description"] = self.description
        return node


@dataclass(slots=True)
class Suggestion:
    """Suggested fields over some documents, with where each was found."""

    fields: list[SuggestedField]
    documents: list[str]
    notes: list[str] = field(default_factory=list)

    def data_schema(self) -> dict[str, Any]:
        """The fields as a JSON Schema object (every field optional)."""
        return {
            "type": "object",
            "properties": {f.name: f.json_schema() for f in self.fields},
        }

    def sources(self) -> dict[str, list[dict[str, Any]]]:
        """Where each field was found, by dotted path (``buyer.name``, ``line_items.amount``)."""
        found: dict[str, list[dict[str, Any]]] = {}

        def walk(fields: list[SuggestedField], prefix: str) -> None:
            for f in fields:
                path = f"{prefix}{f.name}"
                found[path] = [s.as_dict() for s in f.sources]
                walk(f.children, f"{path}.")

        walk(self.fields, "")
        return found


def suggest(documents: Sequence[tuple[str, list[Seen]]], prompt: str | None = None) -> Suggestion:
    """Suggest fields from each document's findings (``(name, findings)``, see
    :mod:`.observe`); ``prompt`` narrows them to the fields it names (by name, printed label
    or synonym) when it names any."""
    order = {name: index for index, (name, _) in enumerate(documents)}
    groups: dict[str, list[tuple[str, Seen]]] = {}
    for name, findings in documents:
        for finding in findings:
            groups.setdefault(finding.key, []).append((name, finding))
    has_buyer = any(key in _BUYER_KEYS for key in groups)
    fields: list[tuple[tuple[int, int, int, int], SuggestedField]] = []
    for key, group in groups.items():
        suggested = _field(key, group, has_buyer)
        first = min((order[n], s.page, _position(s)) for n, s in group)
        fields.append(((-suggested.documents, *first), suggested))
    fields.sort(key=lambda pair: pair[0])
    ordered = _unique_names([f for _, f in fields])[:MAX_FIELDS]
    suggestion = Suggestion(ordered, [name for name, _ in documents])
    if prompt and prompt.strip():
        _apply_prompt(suggestion, prompt)
    return suggestion


def _position(seen: Seen) -> int:
    return _TABLE_POSITION if seen.kind == "table" else seen.line


def _field(key: str, group: list[tuple[str, Seen]], has_buyer: bool) -> SuggestedField:
    documents = len({name for name, _ in group})
    sources = [Source(name, s.page, s.label, s.value) for name, s in group]
    labels = _labels(s for _, s in group)
    terms = terms_of(key) | {w for label in labels for w in normalise_label(label).split()}
    kinds = {s.kind for _, s in group}
    if "table" in kinds:
        columns = [c for _, s in group for c in s.columns]
        children = _columns(columns, group)
        description = f"Rows of the table headed {_quoted([s.label for _, s in group])}"
        return SuggestedField(
            snake_case(key), "array", description, sources, documents, children=children,
            terms=terms | {w for c in children for w in c.terms},
        )  # fmt: skip
    if "block" in kinds:
        return _block(key, group, sources, documents, labels, terms)
    if kinds == {"issuer"}:
        name = "vendor_name" if has_buyer else "company"
        description = "The business named at the top of the first page (its letterhead)"
        return SuggestedField(name, "string", description, sources, documents, terms=terms_of(name))
    known = {s.json_type for _, s in group if s.json_type}
    if kinds == {"prose"} and len(known) == 1:
        description = "Found in the running text (no label), as the engine reads contracts"
        kind = known.pop()
        return SuggestedField(snake_case(key), kind, description, sources, documents, terms=terms)
    if kinds == {"currency"}:  # sources: the amounts showing it
        description = "Currency of the amounts as an ISO 4217 code (read from their symbols)"
        return SuggestedField(
            "currency", "string", description, sources, documents, terms=terms_of(key)
        )
    values = [s.value for _, s in group]
    types = [value_type(v, key.split()) for v in values]
    kind, enum = field_type(types, values, documents)
    if set(key.split()) & ID_WORDS:
        kind, enum = "string", []  # identifiers repeat (a reissued invoice) but are no enum
    description = printed_as(labels[:3])
    return SuggestedField(snake_case(key), kind, description, sources, documents, enum, terms=terms)


def _block(
    key: str,
    group: list[tuple[str, Seen]],
    sources: list[Source],
    documents: int,
    labels: list[str],
    terms: set[str],
) -> SuggestedField:
    """A party printed as a block under its label: an object with a name and an address."""
    where = f"printed under {_quoted(labels)}" if labels else "in the envelope window (no label)"
    children = [SuggestedField("name", "string", f"Name {where}")]
    has_address = any(s.parts.get("address") for _, s in group)
    if has_address:
        children.append(SuggestedField("address", "string", f"Address {where}"))
    for name, s in group:
        for child in children:
            value = s.parts.get(child.name) or (s.value if child.name == "name" else "")
            if value:
                child.sources.append(Source(name, s.page, s.label, value))
                child.documents = len({src.document for src in child.sources})
    description = f"The party {where}"
    return SuggestedField(
        snake_case(key), "object", description, sources, documents, children=children, terms=terms
    )


def _columns(columns: list[Column], group: list[tuple[str, Seen]]) -> list[SuggestedField]:
    by_key: dict[str, list[Column]] = {}
    for column in columns:
        by_key.setdefault(column.key, []).append(column)
    children: list[SuggestedField] = []
    for key, same in list(by_key.items())[:MAX_COLUMNS]:
        values = [v for c in same for v in c.values[:MAX_TYPED_VALUES]]
        types = [value_type(v, key.split()) for v in values]
        kind, enum = field_type(types, values, len(group))
        labels = _labels_of([c.label for c in same])
        sources = [
            Source(name, s.page, c.label, c.values[0] if c.values else "")
            for name, s in group
            for c in s.columns
            if c.key == key
        ]
        documents = len({src.document for src in sources})
        terms = terms_of(key) | {w for label in labels for w in normalise_label(label).split()}
        description = f"{printed_as(labels[:3])} (a column header)"
        children.append(
            SuggestedField(
                snake_case(key), kind, description, sources, documents, enum, terms=terms
            )
        )
    return children


def _labels(findings: Any) -> list[str]:
    return _labels_of([s.label for s in findings if s.label])


def _labels_of(labels: list[str]) -> list[str]:
    """Distinct labels as printed, most frequent first (case and colons aside)."""
    counts: dict[str, tuple[int, str]] = {}
    for label in labels:
        clean = label.strip().rstrip(":").strip()
        norm = clean.lower()
        count, first = counts.get(norm, (0, clean))
        counts[norm] = (count + 1, first)
    return [first for _, first in sorted(counts.values(), key=lambda pair: -pair[0])]


def _quoted(labels: list[str]) -> str:
    shown = [f'"{label}"' for label in labels[:3]]
    return " or ".join(shown) if shown else "no label"


def _unique_names(fields: list[SuggestedField]) -> list[SuggestedField]:
    """Fields whose names would clash get ``_2``, ``_3``... (the first keeps its name)."""
    taken: set[str] = set()
    for f in fields:
        base, n = f.name, 2
        while f.name in taken:
            f.name = f"{base}_{n}"
            n += 1
        taken.add(f.name)
    return fields


def _prompt_words(prompt: str) -> set[str]:
    words = set()
    for word in re.findall(r"[^\W\d_]{3,}", prompt.lower()):
        if word in _PROMPT_STOPWORDS:
            continue
        words.add(word)
        if len(word) > 4 and word.endswith("ies"):
            words.add(word[:-3] + "y")
        elif len(word) > 3 and word.endswith("s"):
            words.add(word[:-1])
    return words


def _hits(words: set[str], f: SuggestedField) -> int:
    """How strongly the prompt's words name ``f``: 2 per word of its name, 1 per word of
    its labels or synonyms (a word of five letters or more may match a longer one)."""
    own = set(f.name.split("_"))
    terms = f.terms | own
    hits = 0
    for word in words:
        if word in own:
            hits += 2
        elif word in terms or (len(word) >= 5 and any(t.startswith(word[:5]) for t in terms)):
            hits += 1
    return hits


def _apply_prompt(suggestion: Suggestion, prompt: str) -> None:
    """Keep the fields the prompt names, most named first (all fields when it names none)."""
    words = _prompt_words(prompt)
    scored = [(_hits(words, f), i, f) for i, f in enumerate(suggestion.fields)]
    kept = [(hits, i, f) for hits, i, f in scored if hits]
    if not kept:
        suggestion.notes.append(
            f"the prompt names none of the {len(scored)} fields found; all are suggested"
        )
        return
    kept.sort(key=lambda t: (-t[0], t[1]))
    suggestion.fields = [f for _, _, f in kept]
    dropped = len(scored) - len(kept)
    if dropped:
        suggestion.notes.append(f"{dropped} fields the prompt does not name were left out")
