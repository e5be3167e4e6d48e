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
    "LlamaExtractError": "llamaextract_nb.client",
    "connect": "llamaextract_nb.backend",
    # schema
    "Schema": "llamaextract_nb.schema",
    "SchemaError": "llamaextract_nb.schema",
    "to_json_schema": "llamaextract_nb.schema",
    # results
    "ExtractResult": "llamaextract_nb.results",
    "BatchResult": "llamaextract_nb.results",
    # widgets
    "Studio": "llamaextract_nb.widgets",
    # samples
    "samples": "llamaextract_nb.samples",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llamaextract_nb' has no attribute {name!r}")
    value = importlib.import_module(module)
    if name != "samples":
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
