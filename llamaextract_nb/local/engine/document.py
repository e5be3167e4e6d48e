"""The parsed form of every document: pages of lines and words with boxes, and tables.

Coordinates are PDF points with a top-left origin; an image file's page coordinates are
its pixels as displayed (EXIF orientation applied), i.e. points at 72 dpi, and its words
come from OCR with their recogniser's confidence. Formats without pages (DOCX, HTML,
TXT, CSV, XLSX) produce a single page whose ``has_geometry`` is False: their words carry
no meaningful boxes and citations for them carry none.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in PDF points, top-left origin."""

    x: float
    y: float
    w: float
    h: float

    @property
    def x1(self) -> float:
        return self.x + self.w

    @property
    def y1(self) -> float:
        return self.y + self.h

    def union(self, other: Box) -> Box:
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        return Box(x0, y0, max(self.x1, other.x1) - x0, max(self.y1, other.y1) - y0)


@dataclass(slots=True)
class Word:
    text: str
    box: Box | None = None
    confidence: float = 1.0  # how sure the parser is of the text: OCR's score, else 1.0


@dataclass(slots=True)
class Line:
    """One visual line of text; ``words`` are in reading order and join to ``text``."""

    text: str
    words: list[Word] = field(default_factory=list)
    box: Box | None = None


@dataclass(slots=True)
class Cell:
    text: str
    box: Box | None = None


@dataclass(slots=True)
class Table:
    """A table as a header row and body rows of cells (already split into columns)."""

    header: list[Cell]
    rows: list[list[Cell]]
    page: int = 1
    name: str | None = None  # sheet name for spreadsheets


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(slots=True)
class Document:
    """A parsed document: what every parser returns and every extractor reads."""

    pages: list[Page]
    kind: str  # "pdf", "image", "docx", "html", "txt", "md", "csv", "xlsx"
    has_geometry: bool = False  # True when word boxes are real page coordinates
    has_text_layer: bool = True  # False for a PDF with no extractable text
    billing_pages: int | None = None  # pages as the service bills them, when not len(pages)

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)

    @property
    def tables(self) -> list[Table]:
        return [table for page in self.pages for table in page.tables]


class DocumentError(Exception):
    """A document cannot be read; the message is shown to the user as the job's error."""
