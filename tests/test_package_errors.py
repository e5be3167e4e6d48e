"""Every exception class the package defines is importable as ``lx.<Name>`` and derives from
``LlamaExtractError``; ``local/`` is excluded: it is a separate program whose errors reach
the client as HTTP answers."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import llamaextract_nb as lx

_SEPARATE_PROGRAM = "llamaextract_nb.local"


def _package_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(lx.__path__, prefix="llamaextract_nb."):
        if info.name == _SEPARATE_PROGRAM or info.name.startswith(_SEPARATE_PROGRAM + "."):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and not issubclass(value, Warning)  # warned, never raised
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


def test_the_walk_finds_the_known_errors() -> None:
    names = {cls.__name__ for cls in _package_exceptions().values()}
    assert {"SchemaError", "ResultValidationError", "JobFailedError", "WaitTimeout"} <= names


def test_every_package_exception_derives_from_the_root_and_is_at_the_top_level() -> None:
    for where, cls in _package_exceptions().items():
        assert issubclass(cls, lx.LlamaExtractError), f"{where} does not derive from it"
        assert getattr(lx, cls.__name__, None) is cls, f"{where} is not lx.{cls.__name__}"
        assert cls.__name__ in lx.__all__


def test_value_errors_stay_value_errors() -> None:
    # Code that caught the old bases keeps working.
    assert issubclass(lx.SchemaError, ValueError)
    assert issubclass(lx.ResultValidationError, ValueError)
    assert issubclass(lx.WaitTimeout, TimeoutError)
