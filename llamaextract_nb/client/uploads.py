"""Turn what a user calls "a file" into something httpx streams from disk, never read whole."""

from __future__ import annotations

import io
import mimetypes
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from llamaextract_nb.api.models import File

_ID = re.compile(r"^(dfl|pjb)-[0-9A-Za-z][0-9A-Za-z-]*$")
_SNIFFED_NAMES = ((b"%PDF-", "document.pdf"),)


@dataclass
class UploadSource:
    """One file ready to upload: its name, an open binary stream, its MIME type."""

    filename: str
    stream: IO[bytes]
    content_type: str

    def multipart(self) -> dict[str, tuple[str, IO[bytes], str]]:
        """The ``files=`` argument for httpx (which reads the stream in 64 KiB chunks)."""
        return {"file": (self.filename, self.stream, self.content_type)}


def existing_file_id(file: Any) -> str | None:
    """The id to use as ``file_input`` when ``file`` is already on the service, else None."""
    if isinstance(file, File):
        return file.id
    if isinstance(file, str) and _ID.match(file) and not os.path.exists(file):
        return file
    return None


@contextmanager
def open_upload(file: Any, filename: str | None = None) -> Iterator[UploadSource]:
    """Open ``file`` for streaming; files we open are closed on exit, callers' objects are not."""
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        if not path.is_file():
            raise FileNotFoundError(
                f"no such file: {str(path)!r} (pass a path, bytes, a binary file object, "
                "a File or a 'dfl-' / 'pjb-' id)"
            )
        with path.open("rb") as stream:
            yield _source(filename or path.name, stream)
        return
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
        yield _source(filename or _sniff_name(data), io.BytesIO(data))
        return
    if isinstance(file, Mapping) and "content" in file and "name" in file:
        # an ipywidgets FileUpload value: {"name", "type", "size", "content": memoryview, ...}
        yield _source(filename or str(file["name"]), io.BytesIO(bytes(file["content"])))
        return
    if hasattr(file, "read"):
        name = filename or _name_of(file)
        if name is None:
            head = _peek(file)
            name = _sniff_name(head)
        yield _source(name, file)
        return
    raise TypeError(
        f"cannot upload a {type(file).__name__}: pass a path, bytes, a binary file object "
        "opened with 'rb', or a FileUpload value"
    )


def _source(filename: str, stream: IO[bytes]) -> UploadSource:
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return UploadSource(filename=filename, stream=stream, content_type=content_type)


def _name_of(stream: Any) -> str | None:
    name = getattr(stream, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else None


def _peek(stream: Any) -> bytes:
    if not (hasattr(stream, "seek") and hasattr(stream, "tell")):
        return b""
    position = stream.tell()
    head = stream.read(16)
    stream.seek(position)
    return head if isinstance(head, bytes) else b""


def _sniff_name(head: bytes) -> str:
    for magic, name in _SNIFFED_NAMES:
        if head.startswith(magic):
            return name
    raise ValueError(
        "cannot tell the file type of these bytes: pass filename='<name>.<ext>' "
        "(for example filename='invoice.docx') so the service knows how to read it"
    )
