"""Read the request's free-text ``system_prompt`` and options into :class:`Hints`.

Only hints the engine can act on are recognised (day-first dates, a currency, amounts
printed in thousands or millions); any other
instruction is ignored, as a person reading it would skip what does not apply.
"""

from __future__ import annotations

import re
from typing import Any

from llamaextract_nb.local.engine.currencies import currency_code
from llamaextract_nb.local.engine.types import Hints

_DAY_FIRST = re.compile(
    r"day[\s-]*first|\bdd[\s./-]*mm\b|\bd[\s./-]*m[\s./-]*y+\b|european\s+dates?"
    r"|british\s+dates?|dates?\s+(?:are|is)\s+(?:in\s+)?(?:uk|european|british)",
    re.IGNORECASE,
)
_MONTH_FIRST = re.compile(
    r"month[\s-]*first|\bmm[\s./-]*dd\b|\bm[\s./-]*d[\s./-]*y+\b|american\s+dates?|us\s+dates?",
    re.IGNORECASE,
)
_CURRENCY = re.compile(
    r"(?:amounts?|prices?|currency|values?|totals?|figures?)\b[^.;\n]{0,30}?\b(?:in|is|are)\s+"
    r"(?P<cur>[A-Za-z]{3}\b|euros?|dollars?|pounds?|sterling|yen|ringgit|francs|złoty|zł|[€$£¥₹])",
    re.IGNORECASE,
)
_SCALE = re.compile(
    r"(?:amounts?|figures?|values?|numbers?|totals?)\b[^.;\n]{0,30}?\bin\s+"
    r"(?P<scale>thousands|millions|billions)\b",
    re.IGNORECASE,
)
_SCALES = {"thousands": 1e3, "millions": 1e6, "billions": 1e9}


def parse_hints(configuration: dict[str, Any]) -> Hints:
    """Hints from a v2 configuration: day-first dates, a currency, a scale for amounts
    ("figures in thousands" -> ``extra["scale"] = 1000``), the tier."""
    prompt = str(configuration.get("system_prompt") or "")
    hints = Hints(tier=str(configuration.get("tier") or "cost_effective"))
    if _DAY_FIRST.search(prompt) and not _MONTH_FIRST.search(prompt):
        hints.day_first = True
    match = _CURRENCY.search(prompt)
    if match:
        hints.currency = currency_code(match.group("cur"))
    scale = _SCALE.search(prompt)
    if scale:
        hints.extra["scale"] = _SCALES[scale.group("scale").lower()]
    return hints


def effort(hints: Hints) -> int:
    """How hard generators should look: 1 for cost_effective/turbo, 2 agentic, 3 agentic_plus."""
    return {"agentic": 2, "agentic_plus": 3}.get(hints.tier, 1)
