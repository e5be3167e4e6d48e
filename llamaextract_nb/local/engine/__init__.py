"""The local extraction engine: schema-guided extraction on the CPU with citations.

``extract(data, filename, configuration) -> EngineOutput`` implements the
:class:`~llamaextract_nb.local.engine.interface.Engine` protocol; see :mod:`.pipeline`.
"""

from __future__ import annotations

from typing import Any

from llamaextract_nb.local.engine.document import DocumentError
from llamaextract_nb.local.engine.interface import EngineOutput

__all__ = ["DocumentError", "EngineOutput", "extract"]


def extract(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    """Extract ``configuration["data_schema"]`` from a document's bytes.

    Raises :class:`DocumentError` with a readable message when the document or the
    configuration cannot be used.
    """
    from llamaextract_nb.local.engine.pipeline import run

    return run(data, filename, configuration)
