"""The one narrow interface between the local server and any extraction engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(slots=True)
class EngineOutput:
    """What an engine returns for one job, in the v2 wire layout.

    ``result`` is the job's ``extract_result`` (an object for per_doc, a list otherwise);
    ``metadata`` is the job's ``extract_metadata`` (``field_metadata`` with one of
    document/page/row metadata, ``parse_job_id``, ``parse_tier``); ``usage`` is the job's
    ``metadata.usage`` (``num_pages_extracted``, ``num_pages_billed``).
    """

    result: dict[str, Any] | list[Any]
    metadata: dict[str, Any]
    usage: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    """Document bytes + file name + configuration (a v2 ``configuration`` dict) -> output.

    Raises :class:`~llamaextract_nb.local.engine.document.DocumentError` with a message a
    person understands when the document cannot be read.
    """

    def __call__(
        self, data: bytes, filename: str, configuration: dict[str, Any]
    ) -> EngineOutput: ...
