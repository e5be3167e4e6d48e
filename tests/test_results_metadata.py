"""The defensive metadata reader: every documented layout and quirk."""

from __future__ import annotations

from typing import Any

from llamaextract_nb.results import ExtractResult
from llamaextract_nb.results.metadata import read_extraction

ENTRY = {"citation": [{"page": 3, "matching_text": "ACME"}], "confidence": 0.9}


def job(result: Any, field_metadata: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "ext-1",
        "status": "COMPLETED",
        "extract_result": result,
        "extract_metadata": {"field_metadata": field_metadata},
        **extra,
    }


def leaves(raw: dict[str, Any]) -> dict[str, Any]:
    return {leaf.path: leaf for leaf in read_extraction(raw).leaves}


def test_the_variant_without_document_metadata() -> None:
    read = leaves(job({"vendor": "ACME"}, {"vendor": ENTRY}))
    assert read["vendor"].confidence == 0.9
    assert read["vendor"].citations[0].page == 3


def test_a_per_doc_result_arriving_as_a_one_element_list_is_unwrapped() -> None:
    raw = job([{"vendor": "ACME"}], {"document_metadata": {"vendor": ENTRY}})
    extraction = read_extraction(raw)
    assert extraction.target == "per_doc"
    assert extraction.data == {"vendor": "ACME"}
    result = ExtractResult(raw)
    assert result.data == {"vendor": "ACME"}
    assert len(result.df) == 1


def test_page_and_row_metadata_are_matched_by_position() -> None:
    pages = job([{"a": 1}, {"a": 2}], {"page_metadata": [{"a": ENTRY}, {"a": {"confidence": 0.5}}]})
    extraction = read_extraction(pages)
    assert extraction.target == "per_page"
    assert [(leaf.item, leaf.confidence) for leaf in extraction.leaves] == [(0, 0.9), (1, 0.5)]
    rows = job([{"a": 1}, {"a": 2}, {"a": 3}], {"row_metadata": [{"a": ENTRY}]})
    extraction = read_extraction(rows)
    assert extraction.target == "per_table_row"
    assert [leaf.confidence for leaf in extraction.leaves] == [0.9, None, None]
    assert "row_metadata has 1 entries for 3 result items" in extraction.errors[0]


def test_stray_reasoning_is_inherited_and_errors_are_collected() -> None:
    meta = {
        "document_metadata": {
            "error": "could not read the footer",
            "address": {
                "reasoning": "INFERRED FROM TEXT",
                "city": ENTRY,
                "zip": {"confidence": 0.4},
            },
            "total": {**ENTRY, "reasoning": "VERBATIM EXTRACTION"},
        }
    }
    raw = job({"address": {"city": "ACME", "zip": "1"}, "total": 5}, meta)
    extraction = read_extraction(raw)
    read = {leaf.path: leaf for leaf in extraction.leaves}
    assert set(read) == {"address.city", "address.zip", "total"}  # no leaf for the stray keys
    assert read["address.zip"].reasoning == "INFERRED FROM TEXT"
    assert read["total"].reasoning == "VERBATIM EXTRACTION"
    assert extraction.errors == ["could not read the footer"]
    assert ExtractResult(raw).metadata_errors == ["could not read the footer"]


def test_a_field_named_like_a_metadata_key_is_still_a_field() -> None:
    data = {"confidence": "high", "reasoning": "because", "error": "none"}
    meta = {"document_metadata": {"confidence": ENTRY, "reasoning": ENTRY, "error": ENTRY}}
    read = leaves(job(data, meta))
    assert {p: leaf.value for p, leaf in read.items()} == data
    assert all(leaf.confidence == 0.9 for leaf in read.values())


def test_arrays_per_item_and_as_a_whole() -> None:
    meta = {
        "document_metadata": {
            "items": [{"sku": ENTRY}, {"sku": {"confidence": 0.2}}],
            "tags": {"confidence": 0.7},
            "codes": [{"confidence": 0.1}, {"confidence": 0.2}],
        }
    }
    data = {"items": [{"sku": "A"}, {"sku": "B"}], "tags": ["x", "y"], "codes": ["c", "d"]}
    read = leaves(job(data, meta))
    assert read["items[1].sku"].confidence == 0.2
    assert read["items[1].sku"].field == "items[].sku"
    assert [read["tags[0]"].confidence, read["tags[1]"].confidence] == [0.7, 0.7]
    assert [read["codes[0]"].confidence, read["codes[1]"].confidence] == [0.1, 0.2]


def test_missing_confidence_citations_and_bad_types_are_tolerated() -> None:
    meta = {
        "document_metadata": {
            "a": {
                "citation": [{"page": "2", "matching_text": 5, "bounding_boxes": [[1, 2, 3, 4]]}]
            },
            "b": {"confidence": "n/a", "citation": "nowhere"},
            "c": {"citation": [{"page": 0, "bounding_boxes": [{"x": 1}]}], "confidence": 0.5},
        }
    }
    read = leaves(job({"a": 1, "b": 2, "c": 3, "d": 4}, meta))
    assert read["a"].confidence is None
    assert read["a"].citations[0].page == 2 and read["a"].citations[0].text is None
    assert read["a"].citations[0].boxes[0].w == 3
    assert read["b"].citations == ()
    assert read["c"].citations[0].page is None and read["c"].citations[0].boxes == ()
    assert read["d"].confidence is None and read["d"].citations == ()


def test_metadata_for_a_missing_or_null_object_gives_null_leaves() -> None:
    meta = {"document_metadata": {"address": {"city": ENTRY}, "lost": ENTRY}}
    read = leaves(job({"address": None}, meta))
    assert read["address.city"].value is None and read["address.city"].confidence == 0.9
    assert read["lost"].value is None


def test_jobs_without_results_or_metadata() -> None:
    running = {"id": "ext-1", "status": "RUNNING"}
    result = ExtractResult(running)
    assert result.data is None and result.df.empty and result.fields.empty
    assert result.tables == {}
    bare = ExtractResult(job({"a": 1}))
    assert bare.fields["confidence"].isna().all()
    assert bare.fields["citation_mismatch"].isna().all()


def test_the_configured_target_wins_over_guessing() -> None:
    raw = job([{"a": 1}], None, configuration={"data_schema": {}, "extraction_target": "per_page"})
    result = ExtractResult(raw)
    assert result.target == "per_page"
    assert result.df["page"].tolist() == [1]
