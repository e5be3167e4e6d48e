"""Spreadsheet-like formats: CSV (one table) and XLSX (one table per sheet).

Each table is also rendered into its page as row lines (``"a | b | c"``). Sheets longer
than :data:`MAX_ROWS` rows fail with a clear message instead of exhausting memory or
time: the local engine is meant for documents, not databases.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from llamaextract_nb.local.engine.document import Cell, Document, DocumentError, Line, Page, Table
from llamaextract_nb.local.engine.parsers.cellformat import display_text
from llamaextract_nb.local.engine.parsers.detect import decode_text, sniff_delimiter
from llamaextract_nb.local.engine.parsers.plain import (
    clean,
    make_table,
    page_of,
    row_line,
    table_lines,
)

MAX_ROWS = 10_000
MAX_COLUMNS = 200


def parse_csv(data: bytes, filename: str) -> Document:
    """Parse CSV/TSV bytes: the delimiter is sniffed, the first row is the header."""
    text = decode_text(data)
    head = [line for line in text[: 64 * 1024].splitlines()[:50] if line.strip()]
    default = "\t" if filename.lower().endswith(".tsv") else ","
    delimiter = sniff_delimiter(head) or default
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = _bounded(reader, filename, None)
    except csv.Error as exc:
        raise DocumentError(f"{filename} is not valid CSV: {exc}.") from exc
    table = make_table(rows)
    if table is None:  # a single row or a single column: just lines
        lines = [row_line([Cell(clean(text)) for text in row]) for row in rows]
        return Document(pages=[page_of(1, [line for line in lines if line.text])], kind="csv")
    return Document(pages=[page_of(1, table_lines(table), [table])], kind="csv")


def parse_xlsx(data: bytes, filename: str) -> Document:
    """Parse an XLSX workbook: every non-empty sheet is a table named after the sheet.

    The workbook is read in read-only mode with cached formula values; cells are shown as
    Excel would display them (number formats, dates). All sheets go on one page, in order.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError, TypeError) as exc:
        raise DocumentError(f"{filename} is not a readable XLSX workbook: {exc}.") from exc
    except Exception as exc:  # openpyxl raises assorted errors on damaged packages
        raise DocumentError(
            f"{filename} is a damaged XLSX workbook ({type(exc).__name__})."
        ) from exc
    lines: list[Line] = []
    tables: list[Table] = []
    try:
        for sheet in workbook.worksheets:
            _check_declared_size(sheet, filename)
            rows = _bounded(_sheet_rows(sheet), filename, sheet.title)
            table = make_table(rows, name=sheet.title)
            if table is None:
                continue
            tables.append(table)
            lines.extend(table_lines(table))
    finally:
        workbook.close()
    page: Page = page_of(1, lines, tables)
    return Document(pages=[page], kind="xlsx")


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
    if isinstance(declared, int) and declared > MAX_ROWS + 1:
        raise _too_long(f"sheet {sheet.title!r} of {filename}", declared)


def _too_long(where: str, rows: int | None = None) -> DocumentError:
    count = f"{rows:,} rows" if rows else f"more than {MAX_ROWS:,} rows"
    return DocumentError(
        f"{where} has {count}; the local engine reads at most {MAX_ROWS:,} rows per "
        "table. Split or filter the data and upload the part you need."
    )


def _bounded(rows: Iterable[list[str]], filename: str, sheet: str | None) -> list[list[str]]:
    """At most :data:`MAX_ROWS` non-empty rows, else a :class:`DocumentError`."""
    result: list[list[str]] = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(result) > MAX_ROWS:  # the header row comes on top of MAX_ROWS body rows
            raise _too_long(f"sheet {sheet!r} of {filename}" if sheet else filename)
        result.append(row)
    return result
