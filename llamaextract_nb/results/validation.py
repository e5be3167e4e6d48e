"""Validate extracted data into a user's pydantic model, reporting every failing path at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from llamaextract_nb.errors import LlamaExtractError


class ResultValidationError(LlamaExtractError, ValueError):
    """The data does not fit the model; ``problems`` lists ``(path, message, value)``."""

    def __init__(self, model: Any, problems: list[tuple[str, str, Any]]) -> None:
        self.model = model
        self.problems = problems
        name = getattr(model, "__name__", repr(model))
        lines = [
            f"  {path or '(root)'}: {message} (got {value!r})"
            for path, message, value in problems[:50]
        ]
        if len(problems) > 50:
            lines.append(f"  ... and {len(problems) - 50} more")
        super().__init__(
            f"{len(problems)} value(s) do not fit {name}:\n" + "\n".join(lines) + "\n"
            "Fix the model (e.g. make the field Optional) or check these values in .fields."
        )


def validate_items(model: Any, items: Sequence[Any], *, prefix: bool) -> list[Any]:
    """Each item validated as ``model``; with ``prefix`` paths start with the item's ``[i]``."""
    try:
        adapter: TypeAdapter[Any] = TypeAdapter(model)
    except Exception as exc:
        raise TypeError(
            f"as_model needs a pydantic model class (or a type pydantic can validate), "
            f"got {model!r}: {exc}"
        ) from None
    problems: list[tuple[str, str, Any]] = []
    validated = []
    for index, item in enumerate(items):
        try:
            validated.append(adapter.validate_python(item))
        except ValidationError as exc:
            for error in exc.errors():
                path = _path(error["loc"])
                if prefix:
                    path = f"[{index}]" + (
                        "." + path if path and not path.startswith("[") else path
                    )
                problems.append((path, error["msg"], error.get("input")))
    if problems:
        raise ResultValidationError(model, problems)
    return validated


def _path(loc: Sequence[Any]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
