"""The file picker: uploads for small files, a path / glob field for files on the kernel's disk,
and the shipped sample documents.

Browser uploads travel through the notebook's websocket, which carries at most 10 MiB per
message, and the files chosen at once travel together. Files over :data:`UPLOAD_LIMIT` that
still arrive are refused with a message pointing at the path field; an upload far over the cap
never reaches the kernel (the server drops the message), so the limit is also printed next to
the button.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w
import traitlets

from llamaextract_nb.widgets._html import TABLE_CSS, human_size, message

UPLOAD_LIMIT = 10_000_000
"""Largest browser upload accepted, in bytes (the websocket cap is 10 MiB)."""

ACCEPT = ".pdf,.docx,.html,.htm,.txt,.md,.markdown,.csv,.xlsx,.png,.jpg,.jpeg,.tif,.tiff,.webp,.bmp"


@dataclass(frozen=True)
class ChosenFile:
    """A document chosen for a run: on disk (``path``) or uploaded (``content``)."""

    name: str
    kind: str
    size: int
    pages: int | None
    path: Path | None = None
    content: bytes | None = None
    sample: Any = None

    @property
    def source(self) -> Path | bytes:
        """What the client uploads: the path, or the uploaded bytes."""
        if self.path is not None:
            return self.path
        assert self.content is not None
        return self.content


def describe(name: str, data: Path | bytes, sample: Any = None) -> ChosenFile:
    """A :class:`ChosenFile` with its type, size and (for PDFs) page count."""
    kind = Path(name).suffix.lstrip(".").upper() or "?"
    if isinstance(data, Path):
        size = data.stat().st_size
        return ChosenFile(name, kind, size, _pdf_pages(data, kind), path=data, sample=sample)
    return ChosenFile(name, kind, len(data), _pdf_pages(data, kind), content=data, sample=sample)


def _pdf_pages(data: Path | bytes, kind: str) -> int | None:
    if kind != "PDF":
        return None
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        return len(document)
    finally:
        document.close()


def sample_label(sample: Any) -> str:
    """How a shipped sample is listed: its file name, and its page count for PDFs."""
    path = Path(sample.path)
    pages = _pdf_pages(path, path.suffix.lstrip(".").upper())
    return f"{sample.name} ({pages} page{'s' if pages != 1 else ''})" if pages else str(sample.name)


def _samples() -> list[Any]:
    from llamaextract_nb import samples

    return list(samples.list())


class FilePicker(w.VBox):
    """Choose documents; ``files`` holds the :class:`ChosenFile` list in order."""

    files: traitlets.List[ChosenFile] = traitlets.List(help="The chosen documents.")
    picked_sample = traitlets.Any(None, allow_none=True, help="The sample added last.")

    def __init__(self) -> None:
        self.upload = w.FileUpload(multiple=True, accept=ACCEPT, description="Upload")
        self.path = w.Text(
            placeholder="path or glob on the kernel's disk, e.g. ~/invoices/*.pdf",
            layout=w.Layout(flex="1 1 auto"),
        )
        self.add_path_button = w.Button(description="Add files", icon="folder-open")
        self._samples = _samples()
        self.sample_choice = w.Dropdown(
            options=[(sample_label(s), i) for i, s in enumerate(self._samples)],
            description="Sample",
            layout=w.Layout(width="360px"),
        )
        self.add_sample_button = w.Button(description="Add sample", icon="plus")
        self.clear_button = w.Button(description="Clear", icon="times")
        self.message = w.HTML()
        self.table = w.HTML()
        self.upload.observe(self._uploaded, "value")
        self.add_path_button.on_click(lambda _: self.add_path(self.path.value))
        self.add_sample_button.on_click(lambda _: self.add_sample(self.sample_choice.value))
        self.clear_button.on_click(lambda _: self.clear())
        super().__init__(
            [
                w.HBox(
                    [
                        self.upload,
                        w.HTML(
                            f"<small>up to {human_size(UPLOAD_LIMIT)} per upload; "
                            "bigger files: type their path below</small>"
                        ),
                    ]
                ),
                w.HBox([self.path, self.add_path_button]),
                w.HBox([self.sample_choice, self.add_sample_button]),
                self.message,
                self.table,
                self.clear_button,
            ]
        )
        self.add_class("lxnb-files")
        self._render()

    # --- adding -------------------------------------------------------------------

    def add_uploads(self, values: Any) -> None:
        """Add FileUpload values (ipywidgets 8: dicts with name, size, content, ...)."""
        refused = []
        added = []
        for item in values:
            name, size = str(item["name"]), int(item["size"])
            if size > UPLOAD_LIMIT:
                refused.append(f"{name} ({human_size(size)})")
                continue
            added.append(describe(name, bytes(item["content"])))
        self.files = [*self.files, *added]
        if refused:
            self._say(
                f"Not uploaded, over {human_size(UPLOAD_LIMIT)}: {', '.join(refused)}. "
                "Copy them next to the notebook and type their path in the path field instead.",
            )
        else:
            self._say("")

    def add_path(self, pattern: str) -> None:
        """Add every file matching a path or glob (``~`` expanded, relative to the kernel's cwd)."""
        pattern = pattern.strip()
        if not pattern:
            self._say("Type a path or a glob such as docs/*.pdf first.")
            return
        matches = sorted(glob.glob(os.path.expanduser(pattern), recursive=True))
        paths = [Path(m).resolve() for m in matches if Path(m).is_file()]
        if not paths:
            self._say(
                f"No file matches {pattern!r} (relative paths start at the kernel's "
                f"working directory, {Path.cwd()})."
            )
            return
        self.files = [*self.files, *(describe(p.name, p) for p in paths)]
        self._say("")

    def add_sample(self, index: int | str | None) -> None:
        """Add a shipped sample by its index in the list, its name, or a stem naming one."""
        if isinstance(index, str):
            found = [i for i, s in enumerate(self._samples) if s.name == index] or [
                i for i, s in enumerate(self._samples) if Path(s.path).stem == index
            ]
            if len(found) != 1:
                names = ", ".join(s.name for s in self._samples)
                self._say(f"No single sample named {index!r}; the samples are: {names}")
                return
            index = found[0]
        if index is None:
            self._say("There are no samples to add.")
            return
        sample = self._samples[index]
        self.files = [*self.files, describe(Path(sample.path).name, Path(sample.path), sample)]
        self.picked_sample = sample
        self._say("")

    def clear(self) -> None:
        """Forget every chosen file."""
        self.files = []
        self._say("")

    # --- display ------------------------------------------------------------------

    def _uploaded(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.add_uploads(change["new"])
            self.upload.value = ()

    def _say(self, text: str) -> None:
        self.message.value = message(text, "warning")

    @traitlets.observe("files")
    def _files_changed(self, _: Any) -> None:
        self._render()

    def _render(self) -> None:
        if not self.files:
            self.table.value = "<i>No documents chosen yet.</i>"
            return
        rows = "".join(
            f"<tr><td>{escape(f.name)}</td><td>{escape(f.kind)}</td>"
            f"<td style='text-align:right'>{human_size(f.size)}</td>"
            f"<td style='text-align:right'>{'' if f.pages is None else f.pages}</td></tr>"
            for f in self.files
        )
        self.table.value = (
            f"{TABLE_CSS}<table class='lxnb-file-table lxnb-table'>"
            "<thead><tr><th>Name</th><th>Type</th><th style='text-align:right'>Size</th>"
            f"<th style='text-align:right'>Pages</th></tr></thead><tbody>{rows}</tbody></table>"
        )
