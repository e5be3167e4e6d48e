"""Streaming ``multipart/form-data`` upload: the file part goes to disk as it arrives.

Nothing is held in memory beyond one network chunk; past the size limit the upload is
aborted with 413 and the partial temp file removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import HTTPException, Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from llamaextract_nb.local.server.errors import invalid
from llamaextract_nb.local.store import BlobStore, TooLarge
from llamaextract_nb.local.store.blobs import BlobWriter

FILE_FIELDS = ("file", "upload_file")
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 100
MULTIPART_OVERHEAD = 1024 * 1024


@dataclass
class Upload:
    """The parsed form: text fields, and the file part (if any) waiting in a temp file."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    writer: BlobWriter | None = None

    def discard(self) -> None:
        """Drop the file part (when the request is refused after all)."""
        if self.writer is not None:
            self.writer.discard()


class _Collector:
    """python-multipart callbacks writing the file part to a :class:`BlobWriter`."""

    def __init__(self, blobs: BlobStore, limit: int) -> None:
        self.blobs = blobs
        self.limit = limit
        self.upload = Upload()
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._filename: str | None = None
        self._data = bytearray()
        self._target: BlobWriter | None = None  # writer of the current part, if it is the file
        self._skip = False

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._data = bytearray()
        self._target = None
        self._skip = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        self._filename = raw_filename.decode("utf-8", "replace") if raw_filename else None
        if self._name in FILE_FIELDS:
            if self.upload.writer is None:
                self.upload.writer = self._target = self.blobs.writer(self.limit)
                self.upload.filename = self._filename
            else:
                self._skip = True  # a second file part: ignored
        elif self._filename is not None:
            self._skip = True  # an unrelated file part

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._target is not None:
            self._target.write(data[start:end])
        elif not self._skip:
            self._data += data[start:end]
            if len(self._data) > MAX_FIELD_BYTES:
                raise HTTPException(413, f"form field {self._name!r} is longer than 64 KiB")

    def on_part_end(self) -> None:
        if self._target is None and not self._skip and self._name:
            self.upload.fields[self._name] = self._data.decode("utf-8", "replace")
            if len(self.upload.fields) > MAX_FIELDS:
                raise HTTPException(
                    400, f"more than {MAX_FIELDS} form fields; send file and purpose"
                )


async def receive_upload(request: Request, blobs: BlobStore, limit: int) -> Upload:
    """Parse the request's multipart body; the file part is streamed to a temp file of
    ``blobs`` (the caller files it with ``upload.writer.finish()`` or drops it)."""
    content_type = request.headers.get("content-type", "")
    mime, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if mime != b"multipart/form-data" or not boundary:
        invalid(("body", "file"), "Field required (send multipart/form-data)", None, "missing")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise HTTPException(413, _too_large(limit))
    collector = _Collector(blobs, limit)
    parser = MultipartParser(
        boundary,
        dict(
            on_part_begin=collector.on_part_begin,
            on_header_field=collector.on_header_field,
            on_header_value=collector.on_header_value,
            on_header_end=collector.on_header_end,
            on_headers_finished=collector.on_headers_finished,
            on_part_data=collector.on_part_data,
            on_part_end=collector.on_part_end,
        ),
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except TooLarge:
        raise HTTPException(413, _too_large(limit)) from None
    except MultipartParseError as exc:
        collector.upload.discard()
        raise HTTPException(400, f"malformed multipart body: {exc}") from None
    except BaseException:
        collector.upload.discard()
        raise
    return collector.upload


def _too_large(limit: int) -> str:
    return (
        f"the file is larger than the local server's limit of {limit // (1024 * 1024)} MB; "
        "split the document or extract a page range of a smaller copy"
    )
