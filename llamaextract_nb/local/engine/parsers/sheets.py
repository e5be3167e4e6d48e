"""Spreadsheet-like formats: CSV (one table) and XLSX (a named table per sheet, or per
tabular block of a sheet laid out like a form).

Each table is also rendered into its page as row lines (``"a | b | c"``). Sheets longer
than :data:`MAX_ROWS` rows, or with more than :data:`MAX_CELLS` cells, fail with a clear
message instead of exhausting memory or time: the local engine is meant for documents, not
databases. Cells are counted before a sheet or CSV is parsed (openpyxl builds a whole row
at once, so one row of millions of cells would otherwise be in memory before any check).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from llamaextract_nb.local.engine.document import Cell, Document, DocumentError, Line, Table
from llamaextract_nb.local.engine.parsers.archive import member_names, read_member_chunks
from llamaextract_nb.local.engine.parsers.cellformat import display_text
from llamaextract_nb.local.engine.parsers.detect import decode_text, sniff_delimiter
from llamaextract_nb.local.engine.parsers.plain import (
    clean,
    is_grid,
    make_table,
    page_of,
    row_line,
    table_lines,
)

MAX_ROWS = 10_000
MAX_SCANNED_ROWS = 5 * MAX_ROWS  # rows read at most, empty ones included
MAX_COLUMNS = 200
MAX_CELLS = 500_000  # per sheet or CSV file, empty ones included

_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_TAG_CARRY = 64  # bytes kept between chunks so a tag split across them is seen whole
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


def parse_csv(data: bytes, filename: str) -> Document:
    """Parse CSV/TSV bytes: the delimiter is sniffed, the first row is the header."""
    text = decode_text(data)
    head = [line for line in text[: 64 * 1024].splitlines()[:50] if line.strip()]
    default = "\t" if filename.lower().endswith(".tsv") else ","
    delimiter = sniff_delimiter(head) or default
    cells = text.count(delimiter) + text.count("\n") + 1  # at least as many as csv will make
    if cells > MAX_CELLS:
        raise _too_many_cells(filename, cells)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = _bounded(reader, filename, None)
    except csv.Error as exc:
        raise DocumentError(f"{filename} is not valid CSV: {exc}.") from exc
    rows = [row for row in rows if row]
    table = make_table(rows)
    if table is None:  # a single row or a single column: just lines
        lines = [row_line([Cell(clean(text)) for text in row]) for row in rows]
        return Document(pages=[page_of(1, [line for line in lines if line.text])], kind="csv")
    return Document(pages=[page_of(1, table_lines(table), [table])], kind="csv")


def parse_xlsx(data: bytes, filename: str) -> Document:
    """Parse an XLSX workbook: each sheet's blocks of cells become tables and lines.

    A data sheet (one block) is one table named after the sheet; a sheet laid out like a
    form (blocks separated by empty rows: a title, label/value pairs, an item table) gives
    a table per tabular block and lines for the rest. The workbook is read in read-only
    mode with cached formula values; cells show as Excel displays them (number formats,
    dates). All sheets go on one page, in order.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_cell_counts(data, filename)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises assorted errors on damaged packages
        kind = "" if isinstance(exc, InvalidFileException) else f"{type(exc).__name__}: "
        raise DocumentError(
            f"{filename} is not a readable XLSX workbook, it may be damaged ({kind}{exc})."
        ) from exc
    lines: list[Line] = []
    tables: list[Table] = []
    sheets = len(workbook.worksheets)
    try:
        for sheet in workbook.worksheets:
            _check_declared_size(sheet, filename)
            try:
                rows = _bounded(_sheet_rows(sheet), filename, sheet.title)
            except DocumentError:
                raise
            except Exception as exc:  # a damaged sheet part inside a readable package
                raise DocumentError(
                    f"sheet {sheet.title!r} of {filename} cannot be read, it may be damaged "
                    f"({type(exc).__name__}: {exc})."
                ) from exc
            for block in _blocks(rows):
                table = make_table(block, name=sheet.title)
                if table is None or not is_grid(block):
                    lines.extend(row_line([Cell(clean(text)) for text in row]) for row in block)
                    continue
                tables.append(table)
                lines.extend(table_lines(table))
    finally:
        workbook.close()
    page = page_of(1, [line for line in lines if line.text], tables)
    return Document(pages=[page], kind="xlsx", billing_pages=sheets)


def _blocks(rows: list[list[str]]) -> list[list[list[str]]]:
    """Runs of non-empty rows (empty rows separate blocks), without all-empty columns."""
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if any(cell.strip() for cell in row):
            blocks[-1].append(row)
        elif blocks[-1]:
            blocks.append([])
    return [_drop_empty_columns(block) for block in blocks if block]


def _drop_empty_columns(block: list[list[str]]) -> list[list[str]]:
    width = max(len(row) for row in block)
    keep = [
        column
        for column in range(width)
        if any(column < len(row) and row[column].strip() for row in block)
    ]
    return [[row[column] if column < len(row) else "" for column in keep] for row in block]


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    for row in sheet.iter_rows():
        yield [
            display_text(cell.value, getattr(cell, "number_format", None))
            for cell in row[:MAX_COLUMNS]
        ]


def _check_declared_size(sheet: Any, filename: str) -> None:
    """Fail at once when the sheet's own dimension record says it is too long."""
    try:
        declared = sheet.max_row
    except (ValueError, TypeError):  # a missing or malformed dimension record
        return
    if isinstance(declared, int) and declared > MAX_SCANNED_ROWS:
        raise _too_long(f"sheet {sheet.title!r} of {filename}", declared)


def _check_cell_counts(data: bytes, filename: str) -> None:
    """Count each worksheet's cell tags as its XML inflates (a megabyte at a time)."""
    for member in member_names(data, filename):
        if not _SHEET_PART.fullmatch(member):
            continue
        cells = 0
        carry = b""
        for chunk in read_member_chunks(data, filename, member):
            buffer = carry + chunk
            cut = max(len(buffer) - _TAG_CARRY, 0)  # tags starting after it are counted next
            cells += sum(1 for tag in _CELL_TAG.finditer(buffer) if tag.start() < cut)
            carry = buffer[cut:]
            if cells > MAX_CELLS:
                raise _too_many_cells(f"sheet part {member!r} of {filename}", None)
        cells += len(_CELL_TAG.findall(carry))
        if cells > MAX_CELLS:
            raise _too_many_cells(f"sheet part {member!r} of {filename}", cells)


def _too_many_cells(where: str, cells: int | None) -> DocumentError:
    """The error for a sheet of ``cells`` cells (None: more than the limit, counting stopped)."""
    count = f"{cells:,}" if cells is not None else f"more than {MAX_CELLS:,}"
    return DocumentError(
        f"{where} has {count} cells; the local engine reads at most {MAX_CELLS:,} cells per "
        "sheet. Split or filter the data and upload the part you need."
    )


def _too_long(where: str, rows: int | None = None) -> DocumentError:
    count = f"{rows:,} rows" if rows else f"more than {MAX_ROWS:,} rows"
    return DocumentError(
        f"{where} has {count}; the local engine reads at most {MAX_ROWS:,} rows per "
        "table. Split or filter the data and upload the part you need."
    )


def _bounded(rows: Iterable[list[str]], filename: str, sheet: str | None) -> list[list[str]]:
    """The rows (empty ones as ``[]``), or a :class:`DocumentError` past the limits:
    :data:`MAX_ROWS` non-empty rows after the header, :data:`MAX_SCANNED_ROWS` in all."""
    result: list[list[str]] = []
    filled = 0
    for count, row in enumerate(rows):
        if any(cell.strip() for cell in row):
            filled += 1
            result.append(row)
        else:
            result.append([])
        # the header row comes on top of MAX_ROWS body rows
        if count >= MAX_SCANNED_ROWS or filled > MAX_ROWS + 1:
            raise _too_long(f"sheet {sheet!r} of {filename}" if sheet else filename)
    return result
