"""Evaluate extractions against truth, compare runs, calibrate confidence.

``Truth.load(folder_or_file)`` reads expected values per document; ``result.evaluate(truth)``
(or :func:`evaluate`) grades an extraction against them into an :class:`Evaluation`;
:func:`compare` sets runs side by side as a :class:`Comparison`. The matching rules live in
:mod:`llamaextract_nb.results.matching`, shared with ``citation_mismatch``.
"""

from __future__ import annotations

from llamaextract_nb.evaluate.compare import Comparison, compare
from llamaextract_nb.evaluate.evaluation import Evaluation, Threshold, evaluate
from llamaextract_nb.evaluate.truth import Truth, stem, write_document
from llamaextract_nb.results.matching import Rule, parse_rule

__all__ = [
    "Comparison",
    "Evaluation",
    "Rule",
    "Threshold",
    "Truth",
    "compare",
    "evaluate",
    "parse_rule",
    "stem",
    "write_document",
]
