"""The wire models read every example payload of the spec, tolerantly, keeping the raw JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from wire_examples import SPEC_EXAMPLES, example

from llamaextract_nb.api.models import (
    TERMINAL_STATUSES,
    Citation,
    ErrorBody,
    ExtractConfiguration,
    ExtractJob,
    FieldMetadata,
    File,
    JobCreate,
    Page,
)

JOB_EXAMPLES = [
    "02_job_created",
    "03_job_running",
    "04_job_completed_per_doc_expanded",
    "05_job_completed_per_table_row",
]


def test_examples_directory_has_all_six_payloads() -> None:
    assert len(sorted(SPEC_EXAMPLES.glob("*.json"))) == 6


def test_file_example_parses() -> None:
    data = example("01_file_uploaded")
    file = File.model_validate(data)
    assert file.id == data["id"] and file.name.endswith(".pdf")
    assert file.file_type == "pdf" and file.purpose == "extract"
    assert file.download_url is None
    assert file.raw == data


@pytest.mark.parametrize("name", JOB_EXAMPLES)
def test_every_job_example_parses_and_keeps_raw(name: str) -> None:
    data = example(name)
    job = ExtractJob.model_validate(data)
    assert job.id == data["id"] and job.status == data["status"]
    assert job.raw == data
    assert job.is_terminal == (data["status"] in TERMINAL_STATUSES)


def test_error_example_parses() -> None:
    body = ErrorBody.model_validate(example("06_error_422_validation"))
    assert isinstance(body.detail, list)
    assert [item.loc for item in body.detail] == [
        ["body", "file_input"],
        ["body", "configuration", "tier"],
    ]


def test_created_job_echoes_configuration_with_defaults() -> None:
    job = ExtractJob.model_validate(example("02_job_created"))
    config = job.configuration
    assert config is not None
    assert (config.tier, config.version, config.extraction_target) == ("agentic", "2.5", "per_doc")
    assert config.cite_sources and config.confidence_scores
    assert config.data_schema["required"] == ["vendor_name", "invoice_number", "total_amount"]


def test_per_doc_example_yields_citations_and_confidences() -> None:
    job = ExtractJob.model_validate(example("04_job_completed_per_doc_expanded"))
    assert job.extract_result is not None and job.extract_metadata is not None
    tree = job.extract_metadata.field_metadata
    assert tree is not None and tree.document_metadata is not None
    vendor = FieldMetadata.model_validate(tree.document_metadata["vendor_name"])
    assert (vendor.confidence, vendor.extraction_confidence, vendor.parsing_confidence) == (
        0.994,
        0.997,
        0.997,
    )
    assert vendor.reasoning == "VERBATIM EXTRACTION"
    assert vendor.citation is not None
    citation = vendor.citation[0]
    assert isinstance(citation, Citation)
    assert (citation.page, citation.matching_text) == (1, "Acme Industrial Supplies GmbH")
    assert citation.bounding_boxes is not None and citation.page_dimensions is not None
    box = citation.bounding_boxes[0]
    assert (box.x, box.y, box.w, box.h) == (56.7, 48.2, 212.4, 14.1)
    assert (citation.page_dimensions.width, citation.page_dimensions.height) == (595.0, 842.0)

    total = FieldMetadata.model_validate(tree.document_metadata["total_amount"])
    assert total.citation is not None and total.citation[0].page == 2

    # arrays: one entry per item, citations on leaf sub-fields; some confidences absent
    second_amount = FieldMetadata.model_validate(tree.document_metadata["line_items"][1]["amount"])
    assert second_amount.confidence == 0.984 and second_amount.extraction_confidence is None
    assert second_amount.citation is not None
    assert second_amount.citation[0].matching_text == "1,050.00"

    assert job.metadata is not None and job.metadata.usage is not None
    assert job.metadata.usage.num_pages_billed == 2
    assert job.usage is not None and job.usage.credits == 50.0
    assert job.extract_metadata.parse_job_id == "pjb-1c7e55b0-3a9f-4d2e-8f16-b2a04d9c7e38"


def test_per_table_row_example_has_text_only_citations() -> None:
    job = ExtractJob.model_validate(example("05_job_completed_per_table_row"))
    assert isinstance(job.extract_result, list) and len(job.extract_result) == 3
    assert job.extract_metadata is not None and job.extract_metadata.field_metadata is not None
    rows = job.extract_metadata.field_metadata.row_metadata
    assert rows is not None and len(rows) == 3
    sku = FieldMetadata.model_validate(rows[2]["sku"])
    assert sku.citation is not None
    assert sku.citation[0].page == 2 and sku.citation[0].bounding_boxes is None


def test_unknown_values_and_fields_are_kept() -> None:
    job = ExtractJob.model_validate(
        {
            "id": "ext-1",
            "status": "QUEUED_SOMEWHERE_NEW",
            "brand_new_field": {"a": 1},
            "configuration": {"data_schema": {"type": "object"}, "tier": "hyper", "knob": 3},
        }
    )
    assert job.status == "QUEUED_SOMEWHERE_NEW" and not job.is_terminal
    assert job.model_extra == {"brand_new_field": {"a": 1}}
    assert job.configuration is not None and job.configuration.tier == "hyper"
    assert job.configuration.model_extra == {"knob": 3}
    assert job.file_input is None and job.extract_metadata is None


def test_nulls_and_missing_optionals_are_accepted() -> None:
    job = ExtractJob.model_validate(
        {"id": "ext-1", "status": "COMPLETED", "extract_metadata": {"field_metadata": None}}
    )
    assert job.extract_metadata is not None and job.extract_metadata.field_metadata is None
    entry = FieldMetadata.model_validate({})
    assert entry.citation is None and entry.confidence is None


def test_page_envelope_and_job_create_body() -> None:
    page = Page.model_validate({"items": [example("03_job_running")], "next_page_token": None})
    assert len(page.items) == 1 and page.next_page_token is None and page.total_size is None
    body = JobCreate(
        file_input="dfl-1", configuration=ExtractConfiguration(data_schema={"type": "object"})
    )
    assert body.model_dump(exclude_unset=True, mode="json") == {
        "file_input": "dfl-1",
        "configuration": {"data_schema": {"type": "object"}},
    }


def test_the_copied_spec_examples_match_the_spec() -> None:
    """tests/data/spec_examples is a copy of shared/spec/examples: it must not drift."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
    if not shared.is_dir():
        pytest.skip("shared/spec/examples is not beside the repository (a bare clone)")
    copies = {p.name: p.read_bytes() for p in SPEC_EXAMPLES.glob("*.json")}
    assert copies == {p.name: p.read_bytes() for p in shared.glob("*.json")}
