"""Hostile documents, built small on disk: zip bombs, a sheet of one huge row, a CSV of
millions of fields, a package whose zip directory lies. Used by the tests and by
``benchmarks/hostile_inputs.py``."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import docx
import openpyxl

_PARAGRAPH = b'<w:p><w:r><w:t xml:space="preserve">lorem ipsum dolor sit amet </w:t></w:r></w:p>'
_W_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body>"
)
_W_CLOSE = b"</w:body></w:document>"


def _replace_member(package: bytes, name: str, write: object, level: int = 9) -> bytes:
    """``package`` with member ``name`` rewritten by ``write(stream)`` (deflated)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for info in source.infolist():
            if info.filename == name:
                with target.open(name, "w") as stream:
                    write(stream)  # type: ignore[operator]
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def _small_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Invoice Number: INV-1")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_bomb(inflated_mb: int) -> bytes:
    """A DOCX whose ``word/document.xml`` is ``inflated_mb`` MB of paragraphs (ratio ~1000)."""
    block = _PARAGRAPH * (1024 * 1024 // len(_PARAGRAPH))

    def write(stream: io.BufferedIOBase) -> None:
        stream.write(_W_OPEN)
        for _ in range(inflated_mb):
            stream.write(block)
        stream.write(_W_CLOSE)

    return _replace_member(_small_docx(), "word/document.xml", write)


# signature -> offsets of (uncompressed size, name length, file name) in that header
_HEADERS = {b"PK\x03\x04": (22, 26, 30), b"PK\x01\x02": (24, 28, 46)}


def docx_with_lying_directory(inflated_mb: int) -> bytes:
    """A DOCX whose zip headers say ``word/document.xml`` is 2 KB while it inflates to
    ``inflated_mb`` MB (the local header and the central directory both lie)."""
    package = bytearray(docx_bomb(inflated_mb))
    name = b"word/document.xml"
    for signature, (size_at, name_length_at, name_at) in _HEADERS.items():
        at = package.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", package, at + name_length_at)
            if package[at + name_at : at + name_at + length] == name:
                struct.pack_into("<I", package, at + size_at, 2048)
            at = package.find(signature, at + 4)
    return bytes(package)


_SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData><row>"
)
_SHEET_CLOSE = b"</row></sheetData></worksheet>"
_DIGITS = bytes(48 + byte % 10 for byte in range(256))


def _one_cell_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "placeholder"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_row_of_ones(cells: int) -> bytes:
    """The issue's XLSX: one row of ``cells`` cells holding 1 (3 M cells: ~330 KB)."""

    def write(stream: io.BufferedIOBase) -> None:
        stream.write(_SHEET_OPEN)
        for start in range(0, cells, 10_000):
            stream.write(b"<c><v>1</v></c>" * min(10_000, cells - start))
        stream.write(_SHEET_CLOSE)

    return _replace_member(_one_cell_workbook(), "xl/worksheets/sheet1.xml", write)


def xlsx_with_cells(cells: int, *, one_row: bool, seed: int = 0) -> bytes:
    """An XLSX whose first sheet holds ``cells`` number cells, in one row or ten columns.

    The values are random five-digit numbers, so the sheet does not compress like a bomb:
    only the cell count is hostile."""
    digits = random.Random(seed).randbytes(4 * cells).translate(_DIGITS)

    def write(stream: io.BufferedIOBase) -> None:
        stream.write(_SHEET_OPEN)
        row_break = b"<c><v>1%s</v></c>" if one_row else b"</row><row><c><v>1%s</v></c>"
        for start in range(0, cells, 10_000):  # written in blocks: a write per cell is slow
            stream.write(
                b"".join(
                    (row_break if index % 10 == 0 and index else b"<c><v>1%s</v></c>")
                    % digits[4 * index : 4 * index + 4]
                    for index in range(start, min(start + 10_000, cells))
                )
            )
        stream.write(_SHEET_CLOSE)

    return _replace_member(_one_cell_workbook(), "xl/worksheets/sheet1.xml", write, level=1)


def csv_of_fields(fields: int) -> bytes:
    """One CSV line of ``fields`` fields: ``a,a,a,...``."""
    return b"a," * fields
