"""HTML: visible text in block order and ``<table>`` elements as tables (BeautifulSoup + lxml)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from llamaextract_nb.local.engine.document import Document, Line, Table
from llamaextract_nb.local.engine.parsers.plain import (
    is_grid,
    make_table,
    page_of,
    table_lines,
    text_line,
)

_HIDDEN = {
    "script", "style", "noscript", "template", "head", "svg", "canvas", "iframe", "object",
    "button", "select", "input", "textarea", "meta", "link",
}  # fmt: skip
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "ul", "tr",
}  # fmt: skip


def parse_html(data: bytes, filename: str) -> Document:
    """Parse HTML bytes into one page without geometry.

    Scripts, styles, form controls and elements hidden with ``hidden`` or
    ``display:none`` are dropped. Block elements and ``<br>`` end lines; each ``<table>``
    becomes a :class:`Table` (first row the header; ``colspan`` repeated as empty cells)
    whose rows are also lines.
    """
    soup = BeautifulSoup(data, "lxml")  # bytes: the declared <meta charset> is honoured
    walker = _Walker(_tables_holding_tables(soup))
    walker.visit(soup)
    walker.flush()
    return Document(pages=[page_of(1, walker.lines, walker.tables)], kind="html")


def _tables_holding_tables(root: Tag) -> set[int]:
    """Ids of the tables that hold another table, found in one pass over the tree (asking
    each table for a nested one rescans its subtree: quadratic on deeply nested tables)."""
    holders: set[int] = set()
    stack: list[tuple[Tag, Tag | None]] = [(root, None)]
    while stack:
        element, enclosing = stack.pop()
        if element.name == "table":
            if enclosing is not None:
                holders.add(id(enclosing))
            enclosing = element
        stack.extend((child, enclosing) for child in element.children if isinstance(child, Tag))
    return holders


class _Walker:
    def __init__(self, layout_tables: set[int]) -> None:
        self.layout_tables = layout_tables
        self.lines: list[Line] = []
        self.tables: list[Table] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        if self.buffer:
            line = text_line("".join(self.buffer))
            if line.text:
                self.lines.append(line)
            self.buffer = []

    def visit(self, root: Tag) -> None:
        """Walk ``root``'s subtree in document order (iteratively: pages can nest deeply)."""
        stack: list[tuple[Iterator[PageElement], Callable[[], None] | None]] = [
            (iter(root.children), None)
        ]
        while stack:
            children, on_exit = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if on_exit is not None:
                    on_exit()
                continue
            if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag) or _is_hidden(child):
                continue
            name = child.name
            if name == "br":
                self.flush()
            elif name == "table" and self._table(child):
                continue
            elif name == "table":  # a layout table (or a form's label/value pairs): blocks
                self.flush()
                stack.append((iter(child.children), self.flush))
            elif name in ("td", "th"):  # cells of a table-less row: keep them apart
                self.buffer.append("\t")
                stack.append((iter(child.children), self._tab))
            elif name in _BLOCK:
                self.flush()
                stack.append((iter(child.children), self.flush))
            else:
                stack.append((iter(child.children), None))

    def _tab(self) -> None:
        self.buffer.append("\t")

    def _table(self, element: Tag) -> bool:
        """Add ``element`` as a table; False when it is a layout table, to be read as text."""
        if self._is_layout(element):
            return False
        rows: list[list[str]] = []
        for row in _own_rows(element):
            cells: list[str] = []
            for cell in row.find_all(["td", "th"], recursive=False):
                if _is_hidden(cell):
                    continue
                cells.append(cell.get_text(" ", strip=True))
                span = _int_attr(cell, "colspan")
                cells.extend([""] * (min(span, 50) - 1))
            rows.append(cells)
        table = make_table(rows)
        if table is None or not is_grid(rows):
            return False
        self.flush()
        self.tables.append(table)
        self.lines.extend(table_lines(table))
        return True

    def _is_layout(self, table: Tag) -> bool:
        """A table that arranges the page: it holds other tables, or says it is presentational."""
        return table.get("role") in ("presentation", "none") or id(table) in self.layout_tables


def _own_rows(table: Tag) -> list[Tag]:
    """The table's rows (a table holding no other table, so every row below it is its own)."""
    return list(table.find_all("tr"))


def _int_attr(tag: Tag, name: str) -> int:
    value = tag.get(name)
    try:
        return max(int(str(value)), 1)
    except ValueError:
        return 1


def _is_hidden(tag: Tag) -> bool:
    if tag.name in _HIDDEN or tag.has_attr("hidden"):
        return True
    if tag.get("aria-hidden") == "true":
        return True
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style
