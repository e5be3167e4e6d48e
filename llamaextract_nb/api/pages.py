"""``target_pages``: the one reading of a page selection such as ``"1,3,5-7"``.

The server checks it at create, the engine selects pages with it, the results map per-page
items to it and the Studio's options field checks it as you type: all through this module.
"""

from __future__ import annotations

import re

from llamaextract_nb.errors import LlamaExtractError

MAX_PAGE_NUMBER = 100_000
"""The highest page number a selection may name (no document the engine reads is longer)."""

# ASCII digits only: ``\d`` would accept other scripts' digits ("١-٣") as page numbers
_PART = re.compile(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?")
_HINT = 'use 1-based page numbers and ranges separated by commas, e.g. "1,3,5-7"'


class PageSpecError(LlamaExtractError, ValueError):
    """A ``target_pages`` value that does not name pages; the message says how to fix it."""


def parse_pages(spec: str) -> tuple[int, ...]:
    """The pages ``spec`` selects, ascending and each once: ``"5-7, 1"`` -> ``(1, 5, 6, 7)``.

    Raises :class:`PageSpecError` for anything but 1-based ASCII page numbers and low-high
    ranges up to :data:`MAX_PAGE_NUMBER`, separated by commas.
    """
    pages: set[int] = set()
    for part in spec.split(","):
        match = _PART.fullmatch(part)
        if match is None:
            raise PageSpecError(f"target_pages {spec!r} is not a page selection: {_HINT}")
        first_text, last_text = match[1], match[2] or match[1]
        if len(first_text) > 7 or len(last_text) > 7:  # before int(): no huge conversions
            raise PageSpecError(_too_high(spec))
        first, last = int(first_text), int(last_text)
        if first < 1:
            raise PageSpecError(f"target_pages {spec!r}: pages are numbered from 1; {_HINT}")
        if last < first:
            raise PageSpecError(
                f"target_pages {spec!r}: the range {part.strip()!r} runs backwards; "
                f"write it low to high ({last}-{first})"
            )
        if last > MAX_PAGE_NUMBER:
            raise PageSpecError(_too_high(spec))
        pages.update(range(first, last + 1))
    return tuple(sorted(pages))


def page_spec_problem(spec: str) -> str:
    """The reason ``spec`` is not a valid ``target_pages`` value, or ``""`` when it is."""
    try:
        parse_pages(spec)
    except PageSpecError as exc:
        return str(exc)
    return ""


def _too_high(spec: str) -> str:
    return f"target_pages {spec!r}: page numbers go up to {MAX_PAGE_NUMBER:,}"


def billed_pages(total: int, target_pages: str | None = None, max_pages: int | None = None) -> int:
    """How many of a document's ``total`` pages a job reads and is billed for: the
    ``target_pages`` that exist (all when None or blank), at most ``max_pages``.

    Pages as LlamaCloud counts them ("credits are billed per page"): a PDF page is a page,
    each sheet of a workbook is a page, a document without pages (TXT, Markdown, CSV, HTML,
    DOCX, an image) is one page. The client's estimate and the local server both use this.
    """
    selected = (
        frozenset(parse_pages(target_pages)) if target_pages and target_pages.strip() else None
    )
    return count_selected(total, selected, max_pages)


def count_selected(total: int, pages: frozenset[int] | None, max_pages: int | None) -> int:
    """:func:`billed_pages` with ``target_pages`` already parsed (None: every page)."""
    count = total if pages is None else sum(1 for page in pages if 1 <= page <= total)
    if max_pages is not None:
        count = min(count, max_pages)
    return max(count, 0)
