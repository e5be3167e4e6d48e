"""Caches that belong to one extraction: each extraction has its own, dropped when it ends.

Generators cache what they derive from a page or a document (page text, line segments,
the prose text stream), keyed by identity and holding the object they were made from.
Kept after the extraction, they would keep whole documents in memory, and the cyclic
garbage collector would walk those objects again at every full pass (about 4 % of the
engine's time over the NDA corpus). The current extraction's caches live in a
:class:`~contextvars.ContextVar`, so extractions running at once in threads (or in tasks
with their own context) neither see nor drop each other's entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")
_CURRENT: ContextVar[dict[ExtractionCache[Any], Any] | None] = ContextVar(
    "extraction_caches", default=None
)


class ExtractionCache(Generic[_T]):
    """A cache made by ``factory`` (an ``OrderedDict``, a list...) for each extraction.

    :meth:`get` gives the running extraction's own cache. Outside :func:`extraction_caches`
    (a generator called on its own) it gives a fresh one each time: nothing is kept.
    """

    __slots__ = ("_factory",)

    def __init__(self, factory: Callable[[], _T]) -> None:
        self._factory = factory

    def get(self) -> _T:
        """This cache for the extraction running in the current context."""
        caches = _CURRENT.get()
        if caches is None:
            return self._factory()
        cache = caches.get(self)
        if cache is None:
            cache = caches[self] = self._factory()
        return cache


@contextmanager
def extraction_caches() -> Iterator[None]:
    """Give the extraction run in the ``with`` block its own caches, dropped at its end."""
    token = _CURRENT.set({})
    try:
        yield
    finally:
        _CURRENT.reset(token)
