"""Results: a finished job's data as pandas DataFrames and a safe, rich HTML view.

``ExtractResult(job, source=...)`` for one job, ``BatchResult([...])`` for many; both offer
``df``, ``tables``, ``fields``, ``to_json()``, ``as_model(Model)`` and ``_repr_html_()``.
"""

from __future__ import annotations

from llamaextract_nb.results.batch import BatchResult
from llamaextract_nb.results.options import DisplayOptions
from llamaextract_nb.results.result import ExtractResult
from llamaextract_nb.results.validation import ResultValidationError

__all__ = ["BatchResult", "DisplayOptions", "ExtractResult", "ResultValidationError"]
