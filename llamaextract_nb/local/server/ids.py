"""Identifiers in the service's formats: ``dfl-<uuid>`` files, ``ext-<uuid>`` jobs."""

from __future__ import annotations

import uuid


def new_file_id() -> str:
    return f"dfl-{uuid.uuid4()}"


def new_job_id() -> str:
    return f"ext-{uuid.uuid4()}"


def file_key(file_id: str) -> str:
    """The stored id for ``file_id``, accepting a bare UUID for ``dfl-<uuid>``."""
    try:
        return f"dfl-{uuid.UUID(file_id)}"
    except ValueError:
        return file_id
