"""Schema compiler: a JSON Schema becomes a tree of nodes whose leaves are FieldSpecs.

Each leaf gets label terms (its name split on snake/camel case, word variants such as
``number -> no``, and the synonym table), description terms, a semantic type and an
ordinal (``party_2`` or "second party" -> 2). Objects nest, arrays of scalars are leaves
with ``is_array_of_scalars``, arrays of objects are :class:`ArrayNode`. ``anyOf``/``oneOf``
with ``null`` make a field optional.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from itertools import pairwise, product
from typing import Any, Union

from llamaextract_nb.lang import (
    STOPWORDS,
    english_labels,
    english_words,
    foreign_labels,
    known_phrase,
    lookup_phrase,
    split_name,
)
from llamaextract_nb.local.engine.labels import printed_labels
from llamaextract_nb.local.engine.types import FieldSpec
from llamaextract_nb.schema.refs import SchemaError, inline_refs, unwrap


@dataclass(slots=True)
class ObjectNode:
    """An object in the schema: its properties by name, in schema order."""

    path: tuple[str, ...]
    properties: dict[str, Node]
    label_terms: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ArrayNode:
    """An array of objects: one item per table row or list item."""

    path: tuple[str, ...]
    item: ObjectNode
    label_terms: list[str] = field(default_factory=list)
    description: str = ""


Node = Union[ObjectNode, ArrayNode, FieldSpec]  # noqa: UP007 (runtime alias, py3.10)

# Per-word spellings a document prints for a word of a field name.
_WORD_VARIANTS: dict[str, list[str]] = {
    "number": ["no", "no.", "#", "nr", "num"],
    "amount": ["amt"],
    "quantity": ["qty"],
    "description": ["desc"],
    "identifier": ["id"],
    "id": ["number", "no", "#"],
    "telephone": ["tel", "phone"],
    "phone": ["tel", "telephone"],
    "organisation": ["organization"],
    "organization": ["organisation"],
    "address": ["addr"],
}
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
}
# What an ordinal in a description may count ("the second party").
_COUNTED_NOUNS = frozenset(
    ["party", "signatory", "signer", "witness", "contact", "owner", "buyer", "seller", "guarantor"]
)
# Semantic type rules on the words of the field name (checked first) then the description.
_SEMANTIC_WORDS: list[tuple[str, frozenset[str]]] = [
    ("date", frozenset(["date", "dated", "day", "deadline", "birthday", "dob"])),
    ("duration", frozenset(["term", "duration", "period", "tenure", "length", "validity"])),
    ("address", frozenset(["address", "addr", "street"])),
    (
        "location",
        frozenset(
            [
                "jurisdiction",
                "city",
                "country",
                "state",
                "location",
                "place",
                "venue",
                "region",
                "law",
            ]
        ),
    ),
    (
        "money",
        frozenset(
            [
                "amount",
                "total",
                "price",
                "cost",
                "fee",
                "fees",
                "tax",
                "vat",
                "subtotal",
                "balance",
                "payment",
                "salary",
                "charge",
                "charges",
                "paid",
                "due",
                "rent",
                "wage",
                "premium",
            ]
        ),
    ),
    (
        "organisation",
        frozenset(
            [
                "company",
                "vendor",
                "supplier",
                "seller",
                "buyer",
                "customer",
                "merchant",
                "store",
                "shop",
                "employer",
                "organisation",
                "organization",
                "bank",
                "issuer",
                "party",
                "parties",
                "business",
                "firm",
                "corporation",
                "client",
                "lender",
                "borrower",
                "landlord",
                "tenant",
                "contractor",
                "manufacturer",
            ]
        ),
    ),
    (
        "person",
        frozenset(
            [
                "person",
                "contact",
                "employee",
                "signatory",
                "recipient",
                "author",
                "attendee",
                "patient",
                "director",
                "manager",
                "representative",
            ]
        ),
    ),
]
# Words too generic to borrow synonyms from inside a longer name ("due date" is no "date").
_GENERIC_WORDS = frozenset(
    ["date", "name", "number", "no", "id", "address", "amount", "value", "code", "type"]
)
_MAX_DESCRIPTION_CONCEPT_WORDS = 4  # a longer description is prose, not a label
_ALTERNATIVES = re.compile(r"\s+or\s+", re.IGNORECASE)  # "invoice or receipt number"
# foreign labels of one word of a longer name ("seller" in seller_name) rank below its phrase's
_WORD_CONCEPT_OFFSET = 2
_NUMBERISH_NAMES = frozenset(["number", "no", "id", "code", "reference", "ref"])
_MONEY_STRING_WORDS = frozenset(
    ["total", "amount", "price", "cost", "subtotal", "fee", "balance", "tax", "vat"]
)


def compile_schema(schema: dict[str, Any]) -> ObjectNode:
    """Compile a root object schema into a node tree; raise SchemaError when unusable."""
    if not isinstance(schema, dict):
        raise SchemaError("data_schema must be a JSON object schema")
    with contextlib.suppress(SchemaError):  # unresolvable refs compile as plain text
        schema = inline_refs(schema)
    node = _compile(schema, (), required=True)
    if not isinstance(node, ObjectNode):
        raise SchemaError('data_schema must have "type": "object" at its root')
    return node


def iter_leaves(node: Node) -> list[FieldSpec]:
    """Every leaf below ``node`` that is not inside an array of objects."""
    if isinstance(node, FieldSpec):
        return [node]
    if isinstance(node, ArrayNode):
        return []
    return [leaf for child in node.properties.values() for leaf in iter_leaves(child)]


def _json_type(schema: dict[str, Any]) -> str:
    json_type = schema.get("type")
    if isinstance(json_type, str):
        return json_type
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if "enum" in schema:
        values = schema["enum"]
        if values and all(isinstance(v, bool) for v in values):
            return "boolean"
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "integer"
        if values and all(isinstance(v, (int, float)) for v in values):
            return "number"
    return "string"


def _compile(
    schema: dict[str, Any],
    path: tuple[str, ...],
    *,
    required: bool,
    in_item: bool = False,
    is_item: bool = False,
) -> Node:
    """Compile one schema node. ``is_item``: the item object of an array of objects;
    ``in_item``: a property of one, whose labels (table headers) do not repeat the
    array's name."""
    schema, nullable = unwrap(schema, first_of_many=True)
    json_type = _json_type(schema)
    terms = _label_terms(path, combine=not in_item)
    if json_type == "object":
        required_names = set(schema.get("required") or [])
        props = schema.get("properties") or {}
        return ObjectNode(
            path=path,
            properties={
                key: _compile(
                    sub if isinstance(sub, dict) else {},
                    (*path, key),
                    required=key in required_names,
                    in_item=is_item,
                )
                for key, sub in props.items()
            },
            label_terms=terms,
        )
    if json_type == "array":
        items, _ = unwrap(schema.get("items") or {}, first_of_many=True)
        if _json_type(items) == "object":
            item = _compile(items, path, required=True, is_item=True)
            assert isinstance(item, ObjectNode)
            return ArrayNode(path, item, terms, str(schema.get("description") or ""))
        leaf = _leaf(items, path, required=required, nullable=True, combine=not in_item)
        leaf.is_array_of_scalars = True
        if not leaf.description:
            leaf.description = str(schema.get("description") or "")
            leaf.description_terms = _description_terms(leaf.description)
        return leaf
    return _leaf(
        schema, path, required=required, nullable=nullable or not required, combine=not in_item
    )


def _leaf(
    schema: dict[str, Any],
    path: tuple[str, ...],
    *,
    required: bool,
    nullable: bool,
    combine: bool = True,
) -> FieldSpec:
    json_type = _json_type(schema)
    if json_type not in ("string", "number", "integer", "boolean"):
        json_type = "string"
    name = path[-1] if path else "value"
    description = str(schema.get("description") or "")
    enum = schema.get("enum") if isinstance(schema.get("enum"), list) else None
    fmt = schema.get("format") if isinstance(schema.get("format"), str) else None
    ordinal, noun = _ordinal(name, description)
    semantic = semantic_type(json_type, name, description, enum, fmt)
    base_path = path if ordinal is None else (*path[:-1], _strip_ordinal(name))
    ranks = _ranked_label_terms(base_path, combine=combine)
    if noun is not None:
        ranks.setdefault(noun, len(ranks))
    for label in printed_labels(description):
        ranks.setdefault(label, len(ranks))
    for rank, label in enumerate(_description_labels(description, ranks)):
        ranks.setdefault(label, rank)
    return FieldSpec(
        path=path,
        name=name,
        json_type=json_type,
        semantic_type=semantic,
        label_terms=list(ranks),
        term_ranks=ranks,
        description_terms=_description_terms(description),
        description=description,
        enum=enum,
        ordinal=ordinal,
        required=required,
        nullable=nullable,
        format=fmt,
        identifier=semantic == "text" and _names_identifier(name),
    )


def _names_identifier(name: str) -> bool:
    """Whether a field name names an identifier (``invoice_number``, ``tax_id``)."""
    words = split_name(name)
    return bool((set(words) | set(english_words(words))) & _NUMBERISH_NAMES)


def semantic_type(
    json_type: str, name: str, description: str, enum: list[Any] | None, fmt: str | None
) -> str:
    """The semantic type of a leaf from its JSON type, format, enum, name and description."""
    if json_type == "boolean":
        return "boolean"
    if enum:
        return "enum"
    if fmt in ("date", "date-time"):
        return "date"
    name_words = set(split_name(name)) | set(english_words(split_name(name)))
    desc_words = set(split_name(description)) | set(english_words(split_name(description)))
    if json_type == "integer":
        return "integer"
    if json_type == "number":
        money = dict(_SEMANTIC_WORDS)["money"]
        if name_words & money or desc_words & (money | {"currency", "eur", "usd"}):
            return "money"
        return "number"
    if _names_identifier(name):
        return "text"  # invoice_number, tax_id: identifiers, not amounts
    for words in (name_words, desc_words):
        for semantic, keys in _SEMANTIC_WORDS:
            if semantic == "money":
                keys = _MONEY_STRING_WORDS  # a string "payment terms" is not an amount
            if words & keys:
                return semantic
    if "name" in name_words:
        return "person" if name_words & {"first", "last", "full"} else "organisation"
    return "text"


def _ordinal(name: str, description: str) -> tuple[int | None, str | None]:
    """(ordinal, the noun it counts): ``party_2`` -> (2, None); a description saying
    "the second party" -> (2, "party"). Other ordinals in a description ("the first day
    of the term") do not make a field positional."""
    match = re.search(r"(?:^|_|(?<=[a-z]))(\d)$", name)
    if match:
        return int(match.group(1)), None
    for word in split_name(name):
        if word in _ORDINAL_WORDS:
            return _ORDINAL_WORDS[word], None
    words = split_name(description)
    for word, noun in pairwise(words):
        if word in _ORDINAL_WORDS and noun in _COUNTED_NOUNS:
            return _ORDINAL_WORDS[word], noun
    return None, None


def _strip_ordinal(name: str) -> str:
    name = re.sub(r"_?\d$", "", name)
    words = [w for w in split_name(name) if w not in _ORDINAL_WORDS]
    return "_".join(words) or name


def _phrase_variants(words: list[str]) -> list[str]:
    options = [[w, *_WORD_VARIANTS.get(w, [])] for w in words]
    variants = [" ".join(combo) for combo in product(*options)]
    return variants[:12]


def _label_terms(path: tuple[str, ...], *, combine: bool = True) -> list[str]:
    """Label phrases for a path, strongest first (see :func:`_ranked_label_terms`)."""
    return list(_ranked_label_terms(path, combine=combine))


def _ranked_label_terms(path: tuple[str, ...], *, combine: bool = True) -> dict[str, int]:
    """Label phrases for a path, strongest first, each with its rank among the phrases of
    its language: the leaf's own name, variants, English synonyms, then the labels
    documents in the other supported languages print for the same concept.

    A name in another language (``rechnungsnummer``, ``montant_total``) is read in English
    first, so it gets the English and foreign labels of its concept as well as its own.
    Inside an object (``seller.name``) the parent's phrases are combined with the leaf's
    and, for a name or an address, also stand alone ("Bill To:" heads the buyer's block).
    A name with no letters or digits (``"__"``) has no label terms.
    """
    own = split_name(path[-1]) if path else []
    if not own:
        return {}
    words = english_words(own)
    phrase = known_phrase(words)
    words = phrase.split()
    terms: list[str] = [*_phrase_variants(own), *_phrase_variants(words), *english_labels(phrase)]
    concepts = [phrase]
    singular = _singular(words[-1])
    if singular != words[-1]:  # "parties" -> "party", "emails" -> "email"
        singular_words = [*words[:-1], singular]
        concepts.append(" ".join(singular_words))
        terms += [*_phrase_variants(singular_words), *english_labels(concepts[-1])]
    word_concepts = [w for w in words if w not in _GENERIC_WORDS] if len(words) > 1 else []
    for word in word_concepts:
        terms += english_labels(word)
    standalone_parents: list[str] = []
    if len(path) > 1 and combine:
        parent = " ".join(english_words(split_name(path[-2])))
        parents = [parent, *english_labels(parent)]
        combined = [f"{p} {phrase}" for p in parents if p]
        terms = combined + terms
        if words in (["name"], ["company"], ["company", "name"], ["address"]):
            terms = combined + parents + terms
            standalone_parents.append(parent)
    ranks = {term: rank for rank, term in enumerate(dict.fromkeys(t for t in terms if t))}
    for offset, group in [
        *((0, concept) for concept in [*standalone_parents, *concepts]),
        *((_WORD_CONCEPT_OFFSET, word) for word in word_concepts),
    ]:
        for labels in foreign_labels(group):
            for rank, label in enumerate(labels):
                ranks.setdefault(label, rank + offset)
    return ranks


def _description_labels(description: str, ranks: dict[str, int]) -> list[str]:
    """Labels of the concept a short description names when it is more specific than the
    name's ("datum" described as "Datum der Rechnung" is an invoice date); foreign labels
    first in their language's order, English ones after."""
    labels = []
    for phrase in _description_concepts(description):
        labels += [label for group in foreign_labels(phrase) for label in group]
        labels += [*_phrase_variants(phrase.split()), *english_labels(phrase)]
    return [label for label in dict.fromkeys(labels) if label not in ranks]


def _description_concepts(description: str) -> list[str]:
    """The concepts of the label tables a short description names: its words as one phrase,
    or alternatives sharing their last word ("Invoice or receipt number": invoice number,
    receipt number)."""
    alternatives = [_content_words(part) for part in _ALTERNATIVES.split(description)]
    alternatives = [words for words in alternatives if words]
    if not 0 < sum(map(len, alternatives)) <= _MAX_DESCRIPTION_CONCEPT_WORDS:
        return []
    head = alternatives[-1][-1]
    if len(alternatives) > 1 and len(alternatives[-1]) > 1:
        alternatives = [words if words[-1] == head else [*words, head] for words in alternatives]
    else:
        alternatives = [[word for words in alternatives for word in words]]
    phrases = (lookup_phrase(words) for words in alternatives if len(words) > 1)
    return [phrase for phrase in phrases if phrase is not None]


def _content_words(text: str) -> list[str]:
    return [w for w in english_words(split_name(text)) if w not in STOPWORDS and len(w) > 1]


def _singular(word: str) -> str:
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _description_terms(description: str) -> list[str]:
    return list(dict.fromkeys(_content_words(description)))
