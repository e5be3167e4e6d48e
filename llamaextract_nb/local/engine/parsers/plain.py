"""Building blocks for formats without page geometry (TXT, Markdown, CSV, XLSX, DOCX, HTML).

Such documents become pages whose lines are meaningful units: a paragraph line, or a table
row rendered as ``"Description | Qty | Amount"``. Words carry no boxes and the page has no
size (width and height 0).
"""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.document import Cell, Line, Page, Table, Word
from llamaextract_nb.local.engine.parsers.spaced_letters import SPACE, WIDE, spaced_words

CELL_SEPARATOR = " | "
WIDE_GAP = "  "
_SPACE = re.compile(r"\s+")
_WIDE = re.compile(r"\s*\t\s*|[ \u00a0]{2,}")
_SPACES = re.compile(r"(\s+)")
_LETTER_PAIR = re.compile(r"(?<!\S)[^\W\d_] [^\W\d_](?!\S)")  # "R E ...": maybe letter-spaced


def clean(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _SPACE.sub(" ", text.replace("\xad", "")).strip()


def text_line(text: str) -> Line:
    """A line without geometry whose words are ``text`` split on whitespace.

    A tab or a run of spaces (aligned columns, ``Label:<tab>value``) becomes two spaces,
    the same wide-gap mark the PDF parser uses; other whitespace becomes one space.
    Letter-spaced words ("R E C I T A L S") are joined first (:mod:`.spaced_letters`).
    """
    text = text.replace("\xad", "")
    if _LETTER_PAIR.search(text):
        text = _join_spaced_letters(text)
    parts = (clean(part) for part in _WIDE.split(text))
    text = WIDE_GAP.join(part for part in parts if part)
    return Line(text=text, words=[Word(word) for word in text.split()])


def _join_spaced_letters(text: str) -> str:
    """``"I N V O I C E   N O :   7"`` -> ``"INVOICE NO:   7"``: letter-spaced words joined.

    One space is a narrow gap, more (or a tab) a column gap; two spaced words apart by two
    or three spaces are one phrase ("B I L L   T O" -> "BILL TO")."""
    pieces = _SPACES.split(text.strip())
    texts, separators = pieces[::2], pieces[1::2]
    gaps = [SPACE if len(sep) == 1 and sep != "\t" else WIDE for sep in separators]
    words = spaced_words(texts, gaps)
    if not words:
        return text
    ends = dict(words)
    out = []
    index = 0
    joined_before = False
    while index < len(texts):
        end = ends.get(index, index + 1)
        joined = end > index + 1
        if index:
            separator = separators[index - 1]
            phrase = joined and joined_before and len(separator) <= 3 and separator.isspace()
            out.append(" " if phrase and "\t" not in separator else separator)
        out.append("".join(texts[index:end]))
        joined_before = joined
        index = end
    return "".join(out)


def row_line(cells: list[Cell]) -> Line:
    """A table row as one line: non-empty cells joined with ``" | "``."""
    parts = [cell.text for cell in cells if cell.text]
    text = CELL_SEPARATOR.join(parts)
    words: list[Word] = []
    for index, part in enumerate(parts):
        if index:
            words.append(Word("|"))
        words.extend(Word(word) for word in part.split())
    return Line(text=text, words=words)


def table_lines(table: Table) -> list[Line]:
    """The lines a table contributes to its page: the header row, then each body row."""
    rows = [table.header, *table.rows] if table.header else table.rows
    return [line for line in (row_line(row) for row in rows) if line.text]


def make_table(rows: list[list[str]], *, page: int = 1, name: str | None = None) -> Table | None:
    """A :class:`Table` from rows of cell texts, the first non-empty row as the header.

    Rows are padded to the widest row; empty rows are dropped. Returns None when fewer
    than one body row remains or every row has a single cell.
    """
    cleaned = [[clean(cell) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if len(cleaned) < 2:
        return None
    width = max(len(row) for row in cleaned)
    while width > 1 and not any(len(row) >= width and row[width - 1] for row in cleaned):
        width -= 1
    if width < 2:
        return None
    grid = [[*row[:width], *([""] * (width - len(row)))] for row in cleaned]
    header = [Cell(text) for text in grid[0]]
    body = [[Cell(text) for text in row] for row in grid[1:]]
    return Table(header=header, rows=body, page=page, name=name)


def is_grid(rows: list[list[str]]) -> bool:
    """Whether rows of cell texts form a table rather than a form laid out in cells: not
    label/value pairs (``Invoice Number: | INV-1``) and not mostly one cell per row (a
    title over address lines)."""
    filled = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    multi = sum(len(cells) >= 2 for cells in filled)
    labelled = sum(bool(cells) and cells[0].endswith(":") for cells in filled)
    narrow = max((len(cells) for cells in filled), default=0) <= 2
    return multi * 2 >= len(rows) and not (narrow and labelled * 2 > len(rows))


def page_of(number: int, lines: list[Line], tables: list[Table] | None = None) -> Page:
    """A page without geometry."""
    return Page(number=number, width=0.0, height=0.0, lines=lines, tables=tables or [])
