"""Stored rows -> the JSON objects the service returns."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from llamaextract_nb.local.store.db import Row


def file_json(
    row: Row, project_id: str, download_url: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A ``File`` object (plus ``file_size`` / ``created_at``, which SDK models keep as extras)."""
    return {
        "id": row["id"],
        "name": row["name"],
        "project_id": project_id,
        "file_type": row["file_type"],
        "purpose": row["purpose"],
        "external_file_id": row["external_file_id"],
        "last_modified_at": row["created_at"],
        "expires_at": None,
        "download_url": download_url,
        "file_size": row["size"],
        "created_at": row["created_at"],
    }


def job_json(row: Row, project_id: str, expand: Collection[str]) -> dict[str, Any]:
    """An ``ExtractV2Job``. ``expand`` may hold ``configuration``, ``extract_metadata`` and
    ``usage``; ``extract_metadata`` also comes when citations or confidence were asked for,
    and completed jobs always carry ``metadata.usage``."""
    configuration = json.loads(row["configuration"])
    completed = row["status"] == "COMPLETED" and row.get("extract_result") is not None
    show_metadata = (
        "extract_metadata" in expand
        or configuration.get("cite_sources")
        or configuration.get("confidence_scores")
    )
    job: dict[str, Any] = {
        "id": row["id"],
        "status": row["status"],
        "file_input": row["file_input"],
        "project_id": project_id,
        "configuration_id": row["configuration_id"],
        "configuration": configuration if "configuration" in expand else None,
        "error_message": row["error_message"],
        "extract_result": json.loads(row["extract_result"]) if completed else None,
        "extract_metadata": (
            json.loads(row["extract_metadata"]) if completed and show_metadata else None
        ),
        "metadata": {"usage": json.loads(row["usage"])} if completed else None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if "usage" in expand:
        # The local engine is free: nothing is billed.
        job["usage"] = (
            {"credits": 0.0, "extract_credits": 0.0, "parse_credits": 0.0} if completed else None
        )
    return job
