"""Choosing which pages of a document to read (``target_pages`` / ``max_pages``)."""

from __future__ import annotations

from llamaextract_nb.local.engine.document import DocumentError


def select_pages(
    total: int, pages: set[int] | None, max_pages: int | None, filename: str = "the document"
) -> list[int]:
    """1-based page numbers to read: ``pages`` (or all) in order, at most ``max_pages``.

    Raises :class:`DocumentError` when none of the requested pages exists.
    """
    if pages is None:
        numbers = list(range(1, total + 1))
    else:
        numbers = sorted(number for number in pages if 1 <= number <= total)
        if not numbers:
            requested = ", ".join(str(number) for number in sorted(pages)[:10])
            raise DocumentError(
                f"none of the requested pages ({requested}) exist: {filename} has "
                f"{total} page{'s' if total != 1 else ''}."
            )
    if max_pages is not None:
        if max_pages < 1:
            raise DocumentError(f"max_pages must be at least 1 (got {max_pages}).")
        numbers = numbers[:max_pages]
    return numbers
