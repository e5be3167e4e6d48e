"""Caches that live as long as one extraction: emptied when it ends.

Generators cache what they derive from a page or a document (page text, line segments,
the prose text stream), keyed by identity and holding the object they were made from.
Kept after the extraction, they would keep whole documents in memory, and the cyclic
garbage collector would walk those objects again at every full pass (about 4 % of the
engine's time over the NDA corpus). Extractions running at once in threads only lose
cached entries to each other, which are then computed again.
"""

from __future__ import annotations

from typing import Protocol, TypeVar


class _Clearable(Protocol):
    def clear(self) -> None: ...


_Cache = TypeVar("_Cache", bound=_Clearable)
_CACHES: list[_Clearable] = []


def document_cache(cache: _Cache) -> _Cache:
    """Register ``cache`` (anything with ``clear()``) to be emptied after each extraction."""
    _CACHES.append(cache)
    return cache


def clear_document_caches() -> None:
    """Empty every registered cache (the pipeline calls this when an extraction ends)."""
    for cache in _CACHES:
        cache.clear()
