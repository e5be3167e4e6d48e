"""Plain text and Markdown: lines, form-feed pages and pipe tables."""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.document import Document, DocumentError, Line, Page, Table
from llamaextract_nb.local.engine.parsers.detect import decode_text
from llamaextract_nb.local.engine.parsers.plain import make_table, page_of, table_lines, text_line
from llamaextract_nb.local.engine.parsers.tables import TEXT_BLANK_GAP, find_tables, text_rows

MAX_PIECES = 2_000_000
"""Words and pipe-table cells a text may hold: each becomes an object, so this bounds memory
(a page of a book holds a few hundred words)."""

# matched on the stripped row: "\s*\|?\s*" at the start was quadratic on leading spaces
_PIPE_RULE = re.compile(r"\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+(\[[ xX]\]\s+)?")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`)")
# link text stops at the next "[" and the target at the next "(": each scan ends where the
# next candidate begins, so hostile input ("[[[[...", "[a]([a](...") stays linear
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")


def parse_text(data: bytes, *, kind: str, pages: set[int] | None = None) -> Document:
    """Parse TXT (``kind="txt"``) or Markdown (``kind="md"``) bytes.

    Form feeds split pages (as ``pdftotext`` writes them); otherwise the text is one page.
    Runs of pipe-delimited rows become tables, their rows kept as lines ``"a | b | c"``;
    columns aligned with spaces or tabs become tables too (see :mod:`.tables`), their lines
    kept as written (runs of spaces shown as two).
    """
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    _check_pieces(text)
    result: list[Page] = []
    for number, chunk in enumerate(text.split("\f"), start=1):
        if pages is not None and number not in pages:
            continue
        result.append(_page(number, chunk.split("\n"), markdown=kind == "md"))
    return Document(pages=result, kind=kind, has_geometry=False)


def _check_pieces(text: str) -> None:
    """Refuse a text of more than :data:`MAX_PIECES` words and cells, counted before any is
    made: string counts, so a run of spaces counts about half its length (an upper bound)."""
    gaps = text.count(" ") - text.count("  ") + text.count("\t") + text.count("\n")
    pieces = gaps + text.count("|") + 1
    if pieces > MAX_PIECES:
        raise DocumentError(
            f"the text holds about {pieces:,} words and table cells; the local engine reads "
            f"at most {MAX_PIECES:,}. Split it and upload the part you need."
        )


def _page(number: int, raw_lines: list[str], *, markdown: bool) -> Page:
    lines: list[Line] = []
    tables: list[Table] = []
    unpiped = list(raw_lines)  # the page with pipe tables blanked, for aligned columns
    index = 0
    while index < len(raw_lines):
        end = index
        while end < len(raw_lines) and _is_pipe_row(raw_lines[end]):
            end += 1
        table = _pipe_table(raw_lines[index:end], number) if end - index >= 2 else None
        if table is not None:
            tables.append(table)
            lines.extend(table_lines(table))
            unpiped[index:end] = [""] * (end - index)
            index = end
            continue
        raw = raw_lines[index]
        line = text_line(_strip_markdown(raw) if markdown else raw)
        if line.text:
            lines.append(line)
        index += 1
    tables += find_tables(text_rows(unpiped), number, blank_gap=TEXT_BLANK_GAP)
    return page_of(number, lines, tables)


def _is_pipe_row(line: str) -> bool:
    """A table row: ``| a | b |`` (pipes at both ends), ``a | b | c`` (text before the first
    of two pipes) or any line with three pipes. String methods, not a regex: the backtracking
    pattern this replaces took minutes on one long line without pipes."""
    pipes = line.count("|")
    if pipes >= 3:
        return True
    if pipes < 2:
        return False
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        return True
    return bool(line[: line.index("|")].strip())


def _pipe_table(rows: list[str], page: int) -> Table | None:
    cells = [_split_pipes(row) for row in rows if not _PIPE_RULE.fullmatch(row.strip())]
    return make_table(cells, page=page)


def _split_pipes(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)]


def _strip_markdown(line: str) -> str:
    line = _MD_HEADING.sub("", line)
    line = _MD_BULLET.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    return _MD_EMPHASIS.sub("", line)
