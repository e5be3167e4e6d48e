"""Zip packages (DOCX, XLSX): what they inflate to is bounded before anything is parsed.

The zip directory declares each member's compressed and uncompressed size. A package is
refused before parsing when it has more than :data:`MAX_MEMBERS` members, when its members
add up to more than :data:`MAX_UNCOMPRESSED_BYTES`, or when a member inflates more than
:data:`MAX_RATIO` times (a zip bomb). The declared sizes are then held to while inflating:
python-docx and openpyxl read a member whole, and ``zipfile`` inflates all of it before it
cuts it to the declared size, so every member that could inflate far is first inflated here
a megabyte at a time, and the package is refused as soon as one grows past its declaration.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from llamaextract_nb.local.engine.document import DocumentError

MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
"""Members smaller than this inflate as they like: small XML parts compress very well."""

_CENTRAL_ENTRY = b"PK\x01\x02"
_LOCAL_ENTRY = b"PK\x03\x04"
_CHUNK = 1024 * 1024
_HARMLESS_COMPRESSED = 8 * 1024
"""Deflate inflates at most ~1,032 times: members this small stay under ~8 MB."""


def check_package(data: bytes, filename: str) -> None:
    """Raise :class:`DocumentError` naming the limit when the package would inflate too far."""
    if data.count(_CENTRAL_ENTRY) > MAX_MEMBERS:  # before ZipFile builds an object per entry
        raise DocumentError(
            f"{filename} holds more than {MAX_MEMBERS:,} packaged parts; the local engine "
            "reads office documents with fewer. Re-save it from the office application."
        )
    total = 0
    with _open(data, filename) as archive:
        members = archive.infolist()
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
                raise DocumentError(
                    f"{filename} looks like a zip bomb: its part {member.filename!r} inflates "
                    f"{ratio:,.0f} times ({_mb(member.compress_size)} to "
                    f"{_mb(member.file_size)}), more than the limit of {MAX_RATIO} times."
                )
            if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise DocumentError(
                    f"{filename} packs {member.filename!r} with a compression method office "
                    f"applications do not use ({member.compress_type}); re-save the document."
                )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise DocumentError(
            f"{filename} inflates to {_mb(total)}, more than the local engine's limit of "
            f"{_mb(MAX_UNCOMPRESSED_BYTES)} for an office document. Split it or remove "
            "embedded media, and upload the part you need."
        )
    for member in members:
        deflated = member.compress_type == zipfile.ZIP_DEFLATED
        if deflated and member.compress_size > _HARMLESS_COMPRESSED:
            _hold_to_declared_size(data, filename, member)


def _hold_to_declared_size(data: bytes, filename: str, member: zipfile.ZipInfo) -> None:
    """Inflate ``member`` a megabyte at a time; refuse it once it outgrows its declared size."""
    start = member.header_offset
    if data[start : start + 4] != _LOCAL_ENTRY:
        raise DocumentError(f"{filename} is a damaged zip package: {member.filename!r} is missing.")
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_length + extra_length
    pending: bytes | memoryview = memoryview(data)[begin : begin + member.compress_size]
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    inflated = 0
    try:
        while pending:
            inflated += len(inflater.decompress(pending, _CHUNK))
            if inflated > member.file_size:
                raise DocumentError(
                    f"{filename} is a forged zip package: its part {member.filename!r} inflates "
                    f"past the {member.file_size:,} bytes its directory declares."
                )
            pending = inflater.unconsumed_tail
    except zlib.error as exc:
        raise DocumentError(
            f"{filename} is a damaged zip package: {member.filename!r} does not inflate ({exc})."
        ) from exc


def read_member_chunks(data: bytes, filename: str, member: str) -> Iterator[bytes]:
    """The inflated bytes of one member, a megabyte at a time, never past its declared size."""
    try:
        with _open(data, filename) as archive, archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise DocumentError(f"part {member!r} of {filename} is damaged ({exc}).") from exc


def member_names(data: bytes, filename: str) -> list[str]:
    with _open(data, filename) as archive:
        return archive.namelist()


def _open(data: bytes, filename: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(f"{filename} is a damaged zip package: {exc}.") from exc


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"
