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
named ``<stem>.<ext>``; ``sample.truth`` is that expectation as a
:class:`~llamaextract_nb.evaluate.Truth`.

Sets of documents with truth, for evaluating schemas, are folders (:func:`folders`):

    >>> invoices = lx.samples.folder("invoices")   # 12 varied invoices
    >>> invoices.files, invoices.truth, invoices.schema   # doctest: +SKIP

each document ``<stem>.pdf`` beside its truth ``<stem>.json`` (the Truth folder format),
and ``_set.json`` holding the set's description, target and reference schema.
Regenerate them with ``scripts/make_samples.py``.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llamaextract_nb.evaluate.truth import Truth

__all__ = ["DATA_DIR", "Sample", "SampleSet", "folder", "folders", "get", "list", "path"]

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

    @property
    def truth(self) -> Truth:
        """The expected result of this document as a Truth (keyed by its stem)."""
        from llamaextract_nb.evaluate.truth import Truth

        return Truth.from_dict({self.name: self.expected})


@dataclass(frozen=True)
class SampleSet:
    """A folder of sample documents with truth: for ``batch.evaluate(sample_set.truth)``."""

    name: str  # the folder name, e.g. "invoices"
    path: Path
    schema: dict[str, Any]  # the reference schema (the truth's field names)
    target: str
    description: str = ""

    @property
    def files(self) -> builtins.list[Path]:
        """The documents, sorted by name."""
        return sorted(f for f in self.path.iterdir() if _is_document(f))

    @property
    def truth(self) -> Truth:
        """The expected values of every document."""
        from llamaextract_nb.evaluate.truth import Truth

        return Truth.from_folder(self.path)

    @property
    def samples(self) -> builtins.list[Sample]:
        """Each document as a :class:`Sample` (``get("invoices/invoice-01.pdf")``)."""
        return [_load_member(self, file) for file in self.files]


def list() -> builtins.list[Sample]:
    """Every sample, sorted by name."""
    return [_load(file) for file in sorted(DATA_DIR.iterdir()) if _is_document(file)]


def folders() -> builtins.list[str]:
    """The names of the sample sets (folders of documents with truth)."""
    return sorted(d.name for d in DATA_DIR.iterdir() if (d / _SET_FILE).is_file())


def folder(name: str) -> SampleSet:
    """The sample set called ``name`` (see :func:`folders`), e.g. ``"invoices"``."""
    path = DATA_DIR / name
    if "/" in name or "\\" in name or not (path / _SET_FILE).is_file():
        raise KeyError(f"no sample set called {name!r}; sets are: {', '.join(folders())}")
    about = json.loads((path / _SET_FILE).read_text(encoding="utf-8"))
    return SampleSet(
        name=name,
        path=path,
        schema=about["schema"],
        target=about.get("target", "per_doc"),
        description=about.get("description", ""),
    )


def get(name: str) -> Sample:
    """The sample called ``name``: a file name (``"invoice.pdf"``), a stem that names one
    document only (``"receipt"``), or a document of a set (``"invoices/invoice-01.pdf"``)."""
    if "/" in name:
        set_name, _, file_name = name.partition("/")
        members = folder(set_name).samples
        found = [s for s in members if file_name in (s.path.name, s.path.stem)]
        if len(found) == 1:
            return found[0]
        raise KeyError(
            f"no sample {file_name!r} in {set_name!r}; it has: "
            + ", ".join(s.path.name for s in members)
        )
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


_SET_FILE = "_set.json"


def _load_member(sample_set: SampleSet, file: Path) -> Sample:
    expected = json.loads(file.with_suffix(".json").read_text(encoding="utf-8"))
    return Sample(
        name=f"{sample_set.name}/{file.name}",
        path=file,
        kind=file.suffix.lstrip("."),
        schema=sample_set.schema,
        expected=expected,
        target=sample_set.target,
        description=sample_set.description,
    )


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
