"""Turn what a user calls "a file" into something httpx streams from disk, never read whole.

The sync client lets httpx encode the multipart form; the async client sends
:class:`AsyncMultipartBody`, which reads the file in a worker thread so that a slow disk (or a
slow file object) never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import os
import re
import stat
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from llamaextract_nb.api.models import File

CHUNK_SIZE = 64 * 1024
"""Bytes read from the file at a time (as httpx does for the sync client)."""
READ_AHEAD_CHUNKS = 4
"""Chunks an async upload reads per trip to a worker thread and sends as one piece."""
_ID = re.compile(r"^(dfl|pjb)-[0-9A-Za-z][0-9A-Za-z-]*$")
_SNIFFED_NAMES = ((b"%PDF-", "document.pdf"),)
_FORM_REPLACEMENTS = {'"': "%22", "\\": "\\\\"} | {
    chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B
}
_FORM_ESCAPES = re.compile("|".join(re.escape(c) for c in _FORM_REPLACEMENTS))


@dataclass
class UploadSource:
    """One file ready to upload: its name, an open binary stream, its MIME type."""

    filename: str
    stream: IO[bytes]
    content_type: str

    def multipart(self) -> dict[str, tuple[str, IO[bytes], str]]:
        """The ``files=`` argument for a sync httpx request (read in 64 KiB chunks)."""
        return {"file": (self.filename, self.stream, self.content_type)}

    def async_body(self, form: Mapping[str, str]) -> AsyncMultipartBody:
        """The whole multipart body (``form`` fields, then the file) for an async request."""
        return AsyncMultipartBody(self, form)


class AsyncMultipartBody(httpx.AsyncByteStream):
    """A ``multipart/form-data`` body whose file part is read in a worker thread.

    httpx's own multipart stream calls ``read()`` inside the event loop; here the file is read
    in 64 KiB chunks, :data:`READ_AHEAD_CHUNKS` per trip to a worker thread, sent as one piece
    while the next batch is read: the loop stays free, a fast disk keeps the socket busy, and
    under 1 MB of the file is held at once (two batches and one being joined). Bytes already
    in memory (``BytesIO``) are read in the loop, where reading cannot block. The file is sent
    from its start (rewound when it can seek), again on every iteration, so a retried request
    sends it whole.
    Pass it as ``content=`` with :attr:`headers` (its type and, when the size is known, its
    length).
    """

    def __init__(self, source: UploadSource, form: Mapping[str, str]) -> None:
        self._stream = source.stream
        boundary = os.urandom(16).hex().encode("ascii")
        parts = [
            b"--%s\r\n%s\r\n\r\n%s\r\n" % (boundary, _disposition(k), v.encode())
            for k, v in form.items()
        ]
        file_head = (
            _disposition("file", source.filename)
            + b"\r\nContent-Type: %s" % source.content_type.encode()
        )
        parts.append(b"--%s\r\n%s\r\n\r\n" % (boundary, file_head))
        self._head = b"".join(parts)
        self._tail = b"\r\n--%s--\r\n" % boundary
        self.headers = {"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}
        size = _size_of(self._stream)
        if size is not None:
            self.headers["Content-Length"] = str(len(self._head) + size + len(self._tail))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._head
        loop = asyncio.get_running_loop()
        reading = self._start_batch(loop, rewind=True)
        try:
            more = True
            while more:
                batch, more = await asyncio.shield(reading)  # a cancel lets the read end
                if more:  # read the next batch while this one is sent
                    reading = self._start_batch(loop, rewind=False)
                if batch:
                    yield batch
        finally:
            await _settle(reading)
        yield self._tail

    def _start_batch(
        self, loop: asyncio.AbstractEventLoop, *, rewind: bool
    ) -> asyncio.Future[tuple[bytes, bool]]:
        if type(self._stream) is not io.BytesIO:
            return loop.run_in_executor(None, _read_batch, self._stream, rewind)
        done = loop.create_future()
        done.set_result(_read_batch(self._stream, rewind))
        return done


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
    if isinstance(file, io.TextIOBase):
        raise TypeError("cannot upload a file opened in text mode: open it with 'rb'")
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


def _disposition(name: str, filename: str | None = None) -> bytes:
    """The ``Content-Disposition`` line of a form part, parameters escaped as in HTML5."""
    line = f'Content-Disposition: form-data; name="{_form_escape(name)}"'
    if filename is not None:
        line += f'; filename="{_form_escape(filename)}"'
    return line.encode()


def _form_escape(value: str) -> str:
    return _FORM_ESCAPES.sub(lambda m: _FORM_REPLACEMENTS[m.group(0)], value)


def _size_of(stream: IO[bytes]) -> int | None:
    """The stream's size from its start, or None when it cannot tell without reading."""
    with suppress(AttributeError, OSError, ValueError):
        status = os.fstat(stream.fileno())
        if stat.S_ISREG(status.st_mode):
            return status.st_size
    try:
        offset = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(offset)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def _read_batch(stream: IO[bytes], rewind: bool) -> tuple[bytes, bool]:
    """Up to :data:`READ_AHEAD_CHUNKS` chunks read and joined, and whether the file may go on
    (False once a read came back empty); from its start when ``rewind`` (and it can seek)."""
    if rewind and hasattr(stream, "seek"):
        with suppress(io.UnsupportedOperation, OSError):
            stream.seek(0)
    chunks: list[bytes] = []
    while len(chunks) < READ_AHEAD_CHUNKS:
        chunk = _read(stream)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
    return b"".join(chunks), True


async def _settle(reading: asyncio.Future[tuple[bytes, bool]]) -> None:
    """Wait until a read still running in its thread ends: the caller may close the file next."""
    if not reading.done():
        await asyncio.wait([reading])
    if not reading.cancelled():
        reading.exception()  # retrieved: once the body is abandoned its read's outcome is moot


def _read(stream: IO[bytes]) -> bytes:
    chunk = stream.read(CHUNK_SIZE)
    if isinstance(chunk, str):
        raise TypeError("the file object returned text: open it in binary mode ('rb')")
    return bytes(chunk) if chunk else b""


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
