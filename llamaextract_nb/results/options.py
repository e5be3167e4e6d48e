"""Display settings shared by the HTML views of one result and of a batch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DisplayOptions:
    """How much the HTML view shows; every limit keeps notebook outputs small.

    ``threshold``: confidences below it are flagged (red bar, counted as low).
    ``max_fields``: value rows in a field table before truncating with a note.
    ``max_rows``: rows (or pages) shown in the grid of a per_table_row / per_page result.
    ``max_text``: characters of a value or cited text before shortening it.
    ``page_images``: render cited PDF pages (locally, pypdfium2) with the boxes drawn.
    ``max_page_images``: pages rendered per output (a batch shares this budget).
    ``image_width``: width of a rendered page in pixels.
    ``max_documents``: documents given a drill-down block in a batch view.
    """

    threshold: float = 0.8
    max_fields: int = 200
    max_rows: int = 30
    max_text: int = 300
    page_images: bool = True
    max_page_images: int = 3
    image_width: int = 640
    max_documents: int = 50

    def __post_init__(self) -> None:
        self.threshold = check_threshold(self.threshold)
        for name in (
            "max_fields",
            "max_rows",
            "max_text",
            "max_page_images",
            "image_width",
            "max_documents",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(
                    f"DisplayOptions.{name} must be a whole number >= 0, got {value!r}"
                )


def check_threshold(value: object) -> float:
    """Return ``value`` as a float in [0, 1] or raise a ValueError saying so."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"threshold must be a number between 0 and 1 (e.g. 0.8), got {value!r}")
    return float(value)
