"""``extract_metadata`` in the v2 layout from a choice tree.

Every field gets an entry mirroring the result: scalars a FieldMetadataEntry, nested
objects an object of entries, arrays a list of per-item entries. ``reasoning`` is always
given; ``citation`` only with ``cite_sources`` and the three confidences only with
``confidence_scores``. Citations name the page, the source line as ``matching_text`` and,
for PDFs, the value's boxes with the page size; other formats carry no boxes.
"""

from __future__ import annotations

from typing import Any

from llamaextract_nb.local.engine.assemble import ChoiceTree
from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.scoring import Choice

VERBATIM = "VERBATIM EXTRACTION"
INFERRED = "INFERRED FROM TEXT"
NOT_FOUND = "NOT FOUND IN DOCUMENT"


def field_metadata(
    tree: ChoiceTree, doc: Document, *, cite_sources: bool, confidence_scores: bool
) -> Any:
    """The metadata entries for ``tree`` (same shape as the result)."""
    if isinstance(tree, dict):
        return {
            key: field_metadata(
                sub, doc, cite_sources=cite_sources, confidence_scores=confidence_scores
            )
            for key, sub in tree.items()
        }
    if isinstance(tree, list):
        return [
            field_metadata(
                item, doc, cite_sources=cite_sources, confidence_scores=confidence_scores
            )
            for item in tree
        ]
    return entry(tree, doc, cite_sources=cite_sources, confidence_scores=confidence_scores)


def entry(
    choice: Choice | None, doc: Document, *, cite_sources: bool, confidence_scores: bool
) -> dict[str, Any]:
    """One FieldMetadataEntry."""
    if choice is None:
        result: dict[str, Any] = {"citation": []} if cite_sources else {}
        result["reasoning"] = NOT_FOUND
        return result
    result = {}
    if cite_sources:
        result["citation"] = [citation(choice, doc)] if choice.candidate is not None else []
    if confidence_scores:
        result["confidence"] = choice.confidence
        result["extraction_confidence"] = choice.extraction_confidence
        result["parsing_confidence"] = choice.parsing_confidence
    verbatim = choice.candidate is not None and choice.candidate.verbatim
    result["reasoning"] = VERBATIM if verbatim else INFERRED
    return result


def citation(choice: Choice, doc: Document) -> dict[str, Any]:
    """The Citation of a choice: page, matching text and, on PDFs, boxes and page size."""
    candidate = choice.candidate
    assert candidate is not None
    cited: dict[str, Any] = {"page": candidate.page, "matching_text": candidate.line.text}
    if doc.has_geometry:
        page = next((p for p in doc.pages if p.number == candidate.page), None)
        cited["bounding_boxes"] = [
            {"x": round(b.x, 2), "y": round(b.y, 2), "w": round(b.w, 2), "h": round(b.h, 2)}
            for b in candidate.boxes
        ]
        if page is not None:
            cited["page_dimensions"] = {"width": page.width, "height": page.height}
    return cited


def extract_metadata(
    target: str,
    trees: ChoiceTree,
    doc: Document,
    *,
    cite_sources: bool,
    confidence_scores: bool,
    parse_tier: str,
) -> dict[str, Any]:
    """The whole ``extract_metadata`` object for one job."""
    entries = field_metadata(
        trees, doc, cite_sources=cite_sources, confidence_scores=confidence_scores
    )
    return {
        "field_metadata": {
            "document_metadata": entries if target == "per_doc" else None,
            "page_metadata": entries if target == "per_page" else None,
            "row_metadata": entries if target == "per_table_row" else None,
        },
        "parse_job_id": None,
        "parse_tier": parse_tier,
    }
