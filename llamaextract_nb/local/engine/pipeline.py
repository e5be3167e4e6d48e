"""The local extraction engine, one readable sequence:

parse -> compile the schema -> generate candidates -> coerce and select -> assemble the
target (per_doc / per_page / per_table_row) -> metadata (citations, confidences) and usage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llamaextract_nb.api.models import EXTRACTION_TARGETS
from llamaextract_nb.api.pages import PageSpecError, count_selected, parse_pages
from llamaextract_nb.gcpause import gc_paused
from llamaextract_nb.local.engine import assemble
from llamaextract_nb.local.engine.compiler import compile_schema
from llamaextract_nb.local.engine.conventions import with_document
from llamaextract_nb.local.engine.document import Document, DocumentError
from llamaextract_nb.local.engine.document_caches import extraction_caches
from llamaextract_nb.local.engine.hints import parse_hints
from llamaextract_nb.local.engine.interface import EngineOutput
from llamaextract_nb.local.engine.metadata import extract_metadata
from llamaextract_nb.local.engine.parsers import parse
from llamaextract_nb.schema.convert import SchemaError


@dataclass(frozen=True, slots=True)
class Options:
    """The configuration options the engine acts on."""

    target: str = "per_doc"
    cite_sources: bool = False
    confidence_scores: bool = False
    pages: frozenset[int] | None = None
    max_pages: int | None = None
    parse_tier: str = "cost_effective"

    @classmethod
    def from_configuration(cls, configuration: dict[str, Any]) -> Options:
        target = str(configuration.get("extraction_target") or "per_doc").lower()
        if target not in EXTRACTION_TARGETS:
            raise DocumentError(
                f"extraction_target {target!r} is not supported; "
                f"use one of {', '.join(EXTRACTION_TARGETS)}"
            )
        max_pages = configuration.get("max_pages")
        if max_pages is not None and (not isinstance(max_pages, int) or max_pages < 1):
            raise DocumentError(f"max_pages must be a whole number >= 1, got {max_pages!r}")
        tier = str(configuration.get("tier") or "cost_effective")
        return cls(
            target=target,
            cite_sources=bool(configuration.get("cite_sources")),
            confidence_scores=bool(configuration.get("confidence_scores")),
            pages=parse_target_pages(configuration.get("target_pages")),
            max_pages=max_pages,
            parse_tier=str(configuration.get("parse_tier") or tier),
        )


def parse_target_pages(spec: str | None) -> frozenset[int] | None:
    """The pages ``target_pages`` selects (None or blank: all pages), or a DocumentError."""
    if spec is None or not str(spec).strip():
        return None
    try:
        return frozenset(parse_pages(str(spec)))
    except PageSpecError as exc:
        raise DocumentError(str(exc)) from None


def run(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    """Extract ``configuration["data_schema"]`` from one document (the Engine protocol)."""
    with gc_paused(), extraction_caches():
        return _run(data, filename, configuration)


def _run(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    options = Options.from_configuration(configuration)
    schema = configuration.get("data_schema")
    if not isinstance(schema, dict):
        raise DocumentError("configuration.data_schema must be a JSON object schema")
    try:
        root = compile_schema(schema)
    except SchemaError as exc:
        raise DocumentError(f"data_schema cannot be used: {exc}") from None
    hints = parse_hints(configuration)

    doc = parse(
        data,
        filename,
        need_tables=assemble.needs_tables(root, options.target),
        pages=set(options.pages) if options.pages is not None else None,
        max_pages=options.max_pages,
    )
    if not doc.has_text_layer:
        raise DocumentError(
            f"{filename} has no text layer (a scanned or image-only PDF); no OCR is available "
            "locally, so nothing can be extracted from it."
        )

    hints = with_document(hints, doc)
    if options.target == "per_page":
        trees: Any = assemble.per_page(doc, root, hints)
    elif options.target == "per_table_row":
        trees = assemble.per_table_row(doc, root, hints)
    else:
        trees = assemble.per_doc(doc, root, hints)

    metadata = extract_metadata(
        options.target,
        trees,
        doc,
        cite_sources=options.cite_sources,
        confidence_scores=options.confidence_scores,
        parse_tier=options.parse_tier,
    )
    return EngineOutput(
        result=assemble.values(trees),
        metadata=metadata,
        usage={"num_pages_extracted": len(doc.pages), "num_pages_billed": _billed(doc, options)},
    )


def _billed(doc: Document, options: Options) -> int:
    """Pages as LlamaCloud bills them (:func:`~llamaextract_nb.api.pages.billed_pages`): a
    PDF's read pages, a workbook's sheets, one page for other formats."""
    if doc.kind == "pdf":
        return len(doc.pages)
    return count_selected(doc.billing_pages or 1, options.pages, options.max_pages)
