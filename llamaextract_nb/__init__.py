"""llamaextract-nb: the notebook workbench for the LlamaExtract v2 REST API.

``import llamaextract_nb as lx`` then ``lx.connect()``, ``lx.Studio()``, ``lx.samples``.
Names are imported lazily so that ``import llamaextract_nb`` stays fast and a notebook
that only reads results never loads the server or the widgets.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # client
    "Client": "llamaextract_nb.client",
    "AsyncClient": "llamaextract_nb.client",
    "connect": "llamaextract_nb.backend",
    # errors: every one derives from LlamaExtractError
    "LlamaExtractError": "llamaextract_nb.errors",
    "APIConnectionError": "llamaextract_nb.client.errors",
    "APIStatusError": "llamaextract_nb.client.errors",
    "AuthenticationError": "llamaextract_nb.client.errors",
    "BadRequestError": "llamaextract_nb.client.errors",
    "ConflictError": "llamaextract_nb.client.errors",
    "InternalServerError": "llamaextract_nb.client.errors",
    "JobFailedError": "llamaextract_nb.client.errors",
    "NotFoundError": "llamaextract_nb.client.errors",
    "PayloadTooLargeError": "llamaextract_nb.client.errors",
    "PaymentRequiredError": "llamaextract_nb.client.errors",
    "PermissionDeniedError": "llamaextract_nb.client.errors",
    "RateLimitError": "llamaextract_nb.client.errors",
    "RequestValidationError": "llamaextract_nb.client.errors",
    "WaitTimeout": "llamaextract_nb.client.errors",
    "Withdrawn": "llamaextract_nb.client.recovery",
    "SchemaError": "llamaextract_nb.schema.convert",
    "PageSpecError": "llamaextract_nb.api.pages",
    "ResultValidationError": "llamaextract_nb.results.validation",
    "UnknownRateError": "llamaextract_nb.client.pricing",
    "CreditLimitError": "llamaextract_nb.client.estimate",
    "CorrectionError": "llamaextract_nb.evaluate.corrections",
    # cost
    "estimate": "llamaextract_nb.client.estimate",
    "pricing": "llamaextract_nb.client.pricing",
    # schema
    "Schema": "llamaextract_nb.schema",
    "to_json_schema": "llamaextract_nb.schema",
    # results
    "ExtractResult": "llamaextract_nb.results",
    "BatchResult": "llamaextract_nb.results",
    # evaluate
    "Truth": "llamaextract_nb.evaluate",
    "Evaluation": "llamaextract_nb.evaluate",
    "Comparison": "llamaextract_nb.evaluate",
    "compare": "llamaextract_nb.evaluate",
    "Review": "llamaextract_nb.evaluate.review",
    # widgets
    "Studio": "llamaextract_nb.widgets",
    "ReviewView": "llamaextract_nb.widgets.review_view",
    # samples
    "samples": "llamaextract_nb.samples",
}

_MODULES = frozenset({"samples", "pricing"})
"""Exports that are modules themselves (the others are names inside their module)."""

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llamaextract_nb' has no attribute {name!r}")
    value = importlib.import_module(module)
    if name not in _MODULES:
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
