"""Evaluate extractions against truth: :class:`Truth` (expected values per document).

``Truth.load(folder_or_file)`` reads expected values; ``result.evaluate(truth)`` grades an
extraction against them.
"""

from __future__ import annotations

from llamaextract_nb.evaluate.truth import Truth, stem, write_document

__all__ = ["Truth", "stem", "write_document"]
