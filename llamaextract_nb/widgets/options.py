"""The options panel: the extraction settings the Studio sends, with the service's defaults."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from llamaextract_nb.api.combinations import unsupported_combinations
from llamaextract_nb.api.models import EXTRACTION_TARGETS, TIERS, ExtractConfiguration
from llamaextract_nb.api.pages import page_spec_problem
from llamaextract_nb.widgets._html import message

_DEFAULTS = {name: f.default for name, f in ExtractConfiguration.model_fields.items()}


class OptionsPanel(w.VBox):
    """Tier, target, citations, confidence, system prompt, target pages and max pages.

    ``options`` is the dict handed to ``build_configuration`` (``None`` for blank fields);
    setting it updates the widgets. Invalid page settings raise ``ValueError`` when read.
    """

    def __init__(self) -> None:
        style = {"description_width": "130px"}
        self.tier = w.Dropdown(
            options=TIERS, value=_DEFAULTS["tier"], description="Tier", style=style
        )
        self.extraction_target = w.Dropdown(
            options=EXTRACTION_TARGETS,
            value=_DEFAULTS["extraction_target"],
            description="Extraction target",
            style=style,
        )
        self.cite_sources = w.Checkbox(
            _DEFAULTS["cite_sources"], description="Cite sources", style=style
        )
        self.confidence_scores = w.Checkbox(
            _DEFAULTS["confidence_scores"], description="Confidence scores", style=style
        )
        self.system_prompt = w.Textarea(
            placeholder="Extra instructions, e.g. dates are day-first; amounts are in EUR",
            description="System prompt",
            style=style,
            layout=w.Layout(width="90%", height="70px"),
        )
        self.target_pages = w.Text(
            placeholder="all pages, or e.g. 1,3,5-7", description="Target pages", style=style
        )
        self.max_pages = w.Text(placeholder="no limit", description="Max pages", style=style)
        self.error = w.HTML()
        for widget in (self.tier, self.extraction_target, self.target_pages, self.max_pages):
            widget.observe(lambda _: self._check(), "value")
        super().__init__(
            [
                self.tier,
                self.extraction_target,
                self.cite_sources,
                self.confidence_scores,
                self.system_prompt,
                self.target_pages,
                self.max_pages,
                self.error,
            ]
        )
        self.add_class("lxnb-options")

    @property
    def options(self) -> dict[str, Any]:
        """The chosen options; raises ``ValueError`` naming the field when one is invalid."""
        problem = self._problem()
        if problem:
            raise ValueError(problem)
        return {
            "tier": self.tier.value,
            "extraction_target": self.extraction_target.value,
            "cite_sources": self.cite_sources.value,
            "confidence_scores": self.confidence_scores.value,
            "system_prompt": self.system_prompt.value.strip() or None,
            "target_pages": self.target_pages.value.strip() or None,
            "max_pages": int(self.max_pages.value) if self.max_pages.value.strip() else None,
        }

    @options.setter
    def options(self, values: dict[str, Any]) -> None:
        unknown = set(values) - set(self.options_names())
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(sorted(unknown))}; "
                f"the panel has {', '.join(self.options_names())}"
            )
        for name, value in values.items():
            widget = getattr(self, name)
            if name in ("system_prompt", "target_pages", "max_pages"):
                widget.value = "" if value is None else str(value)
            else:
                widget.value = value

    @staticmethod
    def options_names() -> tuple[str, ...]:
        """The option names this panel edits."""
        return (
            "tier",
            "extraction_target",
            "cite_sources",
            "confidence_scores",
            "system_prompt",
            "target_pages",
            "max_pages",
        )

    def _problem(self) -> str:
        pages = self.target_pages.value.strip()
        if pages:
            problem = page_spec_problem(pages)
            if problem:
                return problem
        max_pages = self.max_pages.value.strip()
        if max_pages and not _whole_number(max_pages):
            return f"Max pages {max_pages!r}: use a whole number of 1 or more, or leave it blank"
        chosen = {"tier": self.tier.value, "extraction_target": self.extraction_target.value}
        return next((message for _, message in unsupported_combinations(chosen)), "")

    def _check(self) -> None:
        self.error.value = message(self._problem())


def _whole_number(text: str) -> bool:
    """``text`` is a page count: ASCII digits, 1 to 999,999,999."""
    return text.isascii() and text.isdigit() and len(text) < 10 and int(text) >= 1
