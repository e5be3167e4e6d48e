"""Writes the service-shaped job payloads beside this file (run it to regenerate them).

Each is a variant the real service can send, derived from the spec's examples and shaped by the
official SDK's types (llama_cloud.types.ExtractV2Job and friends: every field Optional):
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "spec_examples"


def _load(name: str) -> dict[str, Any]:
    return json.loads(next(EXAMPLES.glob(f"{name}_*.json")).read_text())


def variants() -> dict[str, dict[str, Any]]:
    per_doc, rows = _load("04"), _load("05")
    out: dict[str, dict[str, Any]] = {}

    # Every Optional field null: no configuration, metadata, usage or error echoed.
    job = copy.deepcopy(per_doc)
    job.update(configuration=None, extract_metadata=None, metadata=None, usage=None)
    job["extract_result"]["invoice_date"] = None
    job["extract_result"]["line_items"] = None
    out["completed_all_optional_null"] = job

    # Optional fields absent altogether (not even null).
    job = copy.deepcopy(per_doc)
    for key in ("configuration", "extract_metadata", "metadata", "usage", "error_message"):
        job.pop(key, None)
    out["completed_optional_absent"] = job

    # Metadata present but its field_metadata null, and usage credits not yet recorded.
    job = copy.deepcopy(per_doc)
    job["extract_metadata"]["field_metadata"] = None
    job["usage"] = {"credits": None, "extract_credits": None, "parse_credits": None}
    out["completed_field_metadata_null"] = job

    # Configured per_page, but the result came back as one object (document_metadata).
    job = copy.deepcopy(per_doc)
    job["configuration"]["extraction_target"] = "per_page"
    out["per_page_configured_object_returned"] = job

    # Configured per_doc, but a list of rows came back with row_metadata.
    job = copy.deepcopy(rows)
    job["configuration"] = copy.deepcopy(per_doc["configuration"])
    job["configuration"]["extraction_target"] = "per_doc"
    out["per_doc_configured_rows_returned"] = job

    # The documented variant: field entries directly under field_metadata.
    job = copy.deepcopy(per_doc)
    fields = job["extract_metadata"]["field_metadata"]["document_metadata"]
    job["extract_metadata"]["field_metadata"] = fields
    out["field_entries_directly_under_field_metadata"] = job

    # The service filled in defaults and rewrote the schema in its echo (refs resolved, extra
    # keys, another version), and reports usage at both levels.
    job = copy.deepcopy(per_doc)
    config = job["configuration"]
    config["data_schema"]["additionalProperties"] = False
    config["data_schema"]["properties"]["invoice_date"] = {
        "type": ["string", "null"],
        "description": "Issue date, ISO 8601",
    }
    config.update(version="2.6", parse_tier="agentic", high_resolution_mode=False)
    job["usage"] = {"credits": 21.0, "extract_credits": 15.0, "parse_credits": 6.0}
    job["metadata"] = {"usage": {"num_pages_extracted": 1, "num_pages_billed": 1}}
    out["completed_echo_rewritten"] = job

    # A final status the client does not know, with a (partial) result.
    job = copy.deepcopy(per_doc)
    job["status"] = "PARTIAL_SUCCESS"
    job["error_message"] = "2 of 3 pages could not be read"
    out["partial_success_status"] = job

    # FAILED: no result, no metadata, an error message.
    job = copy.deepcopy(per_doc)
    job.update(
        status="FAILED",
        extract_result=None,
        extract_metadata=None,
        error_message="Document could not be parsed",
    )
    out["failed"] = job

    # A list page whose COMPLETED item lacks extract_result and extract_metadata.
    item = copy.deepcopy(per_doc)
    item.pop("extract_result")
    item.pop("extract_metadata")
    out["list_page_item_without_result"] = {"items": [item], "next_page_token": None}
    return out


if __name__ == "__main__":
    for name, payload in variants().items():
        (HERE / f"{name}.json").write_text(json.dumps(payload, indent=1) + "\n")
