"""Candidate generators: each module offers ``generate(doc, spec, hints) -> list[Candidate]``.

The pipeline runs every generator in :data:`GENERATORS` for every leaf field outside
arrays of objects (those are filled from tables by :mod:`.table`).
"""

from __future__ import annotations

from collections.abc import Callable

from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.generators import (
    header_zone,
    kv,
    label,
    prose,
    recipient,
    title_line,
    totals,
    typed,
)
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

Generator = Callable[[Document, FieldSpec, Hints], list[Candidate]]

GENERATORS: tuple[Generator, ...] = (
    label.generate,
    kv.generate,
    typed.generate,
    prose.generate,
    header_zone.generate,
    totals.generate,
    title_line.generate,
    recipient.generate,
)
