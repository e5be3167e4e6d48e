"""Find the extraction engine named by a ``module:callable`` string."""

from __future__ import annotations

import importlib
from typing import cast

from llamaextract_nb.local.engine.interface import Engine

DEFAULT_ENGINE = "llamaextract_nb.local.engine:extract"


class EngineSpecError(ValueError):
    """The ``--engine`` value does not name an importable callable."""


def load_engine(spec: str) -> Engine:
    """Import ``module:callable`` (e.g. ``llamaextract_nb.local.engine:extract``)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise EngineSpecError(f"engine {spec!r} must look like 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EngineSpecError(f"cannot import engine module {module_name!r}: {exc}") from exc
    engine = getattr(module, attr, None)
    if not callable(engine):
        raise EngineSpecError(f"{module_name!r} has no callable named {attr!r}")
    return cast(Engine, engine)
