"""Sample documents shipped with the package, each with its schema and true values.

    >>> import llamaextract_nb as lx
    >>> [s.name for s in lx.samples.list()]           # doctest: +SKIP
    ['invoice-2page.pdf', 'invoice.docx', 'invoice.html', 'invoice.pdf', ...]
    >>> sample = lx.samples.get("invoice.pdf")
    >>> sample.schema["properties"]["line_items"]["type"]
    'array'

The same invoice comes as PDF, DOCX, HTML, XLSX and TXT; there are also a two-page
invoice whose line items continue on page 2, a receipt and a mutual NDA. ``<stem>.json``
beside the documents holds ``schema``, ``expected`` and ``target`` for every document
named ``<stem>.<ext>``. Regenerate them with ``scripts/make_samples.py``.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DATA_DIR", "Sample", "get", "list", "path"]

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Sample:
    """One sample document and the truth about it."""

    name: str  # the file name, e.g. "invoice.pdf"
    path: Path
    kind: str  # the extension: "pdf", "docx", "html", "xlsx", "txt"
    schema: dict[str, Any]  # the JSON schema to extract with
    expected: dict[str, Any] | builtins.list[Any]  # the true extract_result
    target: str  # the extraction target the expectation is for, e.g. "per_doc"
    description: str = ""

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


def list() -> builtins.list[Sample]:
    """Every sample, sorted by name."""
    return [_load(file) for file in sorted(DATA_DIR.iterdir()) if _is_document(file)]


def get(name: str) -> Sample:
    """The sample called ``name``: a file name (``"invoice.pdf"``), or a stem that names one
    document only (``"receipt"``)."""
    samples = list()
    exact = [sample for sample in samples if sample.name == name]
    matches = exact or [sample for sample in samples if sample.path.stem == name]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(sample.name for sample in samples)
    if matches:
        raise KeyError(f"{name!r} names several samples; pick one of: {names}")
    raise KeyError(f"no sample called {name!r}; samples are: {names}")


def path(name: str) -> Path:
    """The file path of the sample called ``name`` (see :func:`get`)."""
    return get(name).path


def _is_document(file: Path) -> bool:
    return file.is_file() and file.suffix not in (".json", ".py") and not file.name.startswith(".")


def _load(file: Path) -> Sample:
    truth_file = file.with_suffix(".json")
    if not truth_file.exists():
        raise FileNotFoundError(f"sample {file.name} has no {truth_file.name} beside it")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    return Sample(
        name=file.name,
        path=file,
        kind=file.suffix.lstrip("."),
        schema=truth["schema"],
        expected=truth["expected"],
        target=truth.get("target", "per_doc"),
        description=truth.get("description", ""),
    )
