"""Credit rates per page, by tier, and the credit-to-dollar rate: the table cost estimates use.

Published rates (read 2026-12-02; prices change, so every number here can be overridden with
:func:`set_rates`):

- **Extract tiers**, credits per page on top of the parse: ``cost_effective`` 5, ``agentic`` 15
  (LlamaCloud plans, https://www.llamaindex.ai/pricing and
  https://developers.llamaindex.ai/python/cloud/general/pricing: "LlamaExtract adds an extract
  tier (Cost-effective 5, Agentic 15) on top of the parse tier"); ``agentic_plus`` 50 and
  ``turbo`` 35 (the tier list of the v2 API reference, SDK 2.19 ``ExtractConfiguration``).
- **Parse tiers**, credits per page: ``fast`` 1, ``cost_effective`` 3, ``agentic`` 10,
  ``agentic_plus`` 45 (LlamaParse glossary, https://developers.llamaindex.ai/llamaparse/general/glossary/).
- A job's parse tier is its ``parse_tier``, else the extract tier itself (the API's default);
  ``turbo`` runs no separate parse (the API refuses a parse tier with it), so it adds none.
- **Dollars**: $1.25 per 1,000 credits, the pay-as-you-go rate
  (https://developers.llamaindex.ai/llamaparse/general/faq/).

Cached results and plan discounts are not modelled: an estimate is an upper bound for one run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from llamaextract_nb.errors import LlamaExtractError

EXTRACT_CREDITS_PER_PAGE: Mapping[str, float] = {
    "cost_effective": 5,
    "agentic": 15,
    "agentic_plus": 50,
    "turbo": 35,
}
PARSE_CREDITS_PER_PAGE: Mapping[str, float] = {
    "fast": 1,
    "cost_effective": 3,
    "agentic": 10,
    "agentic_plus": 45,
}
DOLLARS_PER_CREDIT = 1.25 / 1000
TIERS_WITHOUT_PARSE = frozenset({"turbo"})
SOURCES_READ = "2026-12-02"


class UnknownRateError(LlamaExtractError, ValueError):
    """The rate table has no rate for a tier; :func:`set_rates` adds one."""


@dataclass(frozen=True)
class Rates:
    """Credits per page by extract tier and by parse tier, and dollars per credit."""

    extract: Mapping[str, float] = field(default_factory=lambda: dict(EXTRACT_CREDITS_PER_PAGE))
    parse: Mapping[str, float] = field(default_factory=lambda: dict(PARSE_CREDITS_PER_PAGE))
    dollars_per_credit: float = DOLLARS_PER_CREDIT

    def per_page(self, tier: str, parse_tier: str | None = None) -> tuple[float, float]:
        """(extract, parse) credits per page of a job on ``tier`` (parse tier as the API picks
        it: ``parse_tier``, else the extract tier; none for ``turbo``)."""
        if tier not in self.extract:
            raise UnknownRateError(
                f"no credit rate for extract tier {tier!r} (known: {', '.join(self.extract)}); "
                f"set one with lx.pricing.set_rates(extract={{{tier!r}: credits_per_page}})"
            )
        implied = parse_tier or (None if tier in TIERS_WITHOUT_PARSE else tier)
        if implied is None:
            return float(self.extract[tier]), 0.0
        if implied not in self.parse:
            raise UnknownRateError(
                f"no credit rate for parse tier {implied!r} (known: {', '.join(self.parse)}); "
                f"set one with lx.pricing.set_rates(parse={{{implied!r}: credits_per_page}})"
            )
        return float(self.extract[tier]), float(self.parse[implied])


_current = Rates()


def rates() -> Rates:
    """The rates in use (the published defaults unless :func:`set_rates` changed them)."""
    return _current


def set_rates(
    *,
    extract: Mapping[str, float] | None = None,
    parse: Mapping[str, float] | None = None,
    dollars_per_credit: float | None = None,
) -> Rates:
    """Override some rates (merged into the current ones) and return the new table.

    ``lx.pricing.set_rates(extract={"agentic": 12}, dollars_per_credit=0.001)``.
    """
    global _current
    for name, table in (("extract", extract), ("parse", parse)):
        for tier, rate in (table or {}).items():
            _check_rate(f"{name} rate of {tier!r}", rate)
    if dollars_per_credit is not None:
        _check_rate("dollars_per_credit", dollars_per_credit)
    _current = replace(
        _current,
        extract={**_current.extract, **(extract or {})},
        parse={**_current.parse, **(parse or {})},
        dollars_per_credit=(
            _current.dollars_per_credit if dollars_per_credit is None else dollars_per_credit
        ),
    )
    return _current


def reset_rates() -> Rates:
    """Back to the published defaults above."""
    global _current
    _current = Rates()
    return _current


def _check_rate(what: str, rate: object) -> None:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate >= 0:
        raise ValueError(f"{what} must be a number >= 0, got {rate!r}")
