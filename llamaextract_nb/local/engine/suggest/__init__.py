"""Schema suggestion: fields inferred from documents, with where each was found.

``suggest_schema([(key, file name, data), ...], prompt)`` parses each document with the
engine's parsers, reads its labelled values, party blocks, issuer and tables
(:mod:`.observe`) and the contract fields of its running text (:mod:`.prose`), then names,
types, describes and orders the fields over all documents (:mod:`.infer`). No HTTP here:
the local server's ``schema/generate`` route calls it.
"""

from __future__ import annotations

from collections.abc import Sequence

from llamaextract_nb.local.engine.document import Document, DocumentError
from llamaextract_nb.local.engine.document_caches import extraction_caches
from llamaextract_nb.local.engine.parsers import detect_kind, parse
from llamaextract_nb.local.engine.suggest.infer import Source, SuggestedField, Suggestion, suggest
from llamaextract_nb.local.engine.suggest.observe import Seen, observe
from llamaextract_nb.local.engine.suggest.prose import prose_findings

__all__ = ["Source", "SuggestedField", "Suggestion", "suggest_schema"]

MAX_PAGES = 20
"""Pages read per document (the first ones): a schema is seen long before page 20."""
MAX_FLAT_BYTES = 5 << 20
"""Largest document without pages (spreadsheet, HTML, DOCX, text) read for a suggestion:
those are parsed whole, in the server's process, while the client waits."""


def suggest_schema(
    documents: Sequence[tuple[str, str, bytes]], prompt: str | None = None
) -> Suggestion:
    """Suggested fields over ``(key, file name, content)`` documents; sources name each
    document by its key (a file id, say).

    Raises :class:`DocumentError` naming the file when one cannot be read.
    """
    with extraction_caches():
        parsed = []
        for key, name, data in documents:
            if len(data) > MAX_FLAT_BYTES and detect_kind(data, name) != "pdf":
                raise DocumentError(
                    f"{name} is {len(data) / 1e6:.1f} MB: fields are suggested from documents "
                    f"without pages up to {MAX_FLAT_BYTES >> 20} MB; suggest from a smaller sample "
                    "of it (the schema then extracts from the whole file)"
                )
            doc = parse(data, name, need_tables=True, max_pages=MAX_PAGES)
            if not doc.has_text_layer:
                raise DocumentError(
                    f"{name} has no text layer (a scanned or image-only PDF): no fields can be "
                    "suggested from it"
                )
            parsed.append((key, findings(doc)))
        return suggest(parsed, prompt)


def findings(doc: Document) -> list[Seen]:
    """What one document shows: its labels, blocks, issuer and tables, and the contract
    fields its running text states (those no label gave)."""
    found = observe(doc)
    keys = {seen.key for seen in found}
    return found + [seen for seen in prose_findings(doc) if seen.key not in keys]
