"""The cost estimate beside the Studio's Run button ("3 documents, 14 pages, about 210 credits").

It follows the chosen files and the options that change the cost (tier, target pages, max
pages) and is recounted whenever one of them changes; pages are counted on the kernel's disk
(:mod:`llamaextract_nb.client.estimate`), no request is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from llamaextract_nb.client.estimate import Estimate, estimate
from llamaextract_nb.widgets._html import MUTED, message
from llamaextract_nb.widgets.files import ChosenFile, FilePicker
from llamaextract_nb.widgets.options import OptionsPanel

if TYPE_CHECKING:
    from llamaextract_nb.results import ExtractResult

COST_OPTIONS = ("tier", "target_pages", "max_pages")


class EstimateView:
    """Keeps ``label`` (an HTML widget) showing the estimate of the files and options chosen."""

    def __init__(self, label: w.HTML, files: FilePicker, options: OptionsPanel) -> None:
        self.label = label
        self.files = files
        self.options = options
        self.estimate: Estimate | None = None
        files.observe(lambda _: self.refresh(), "files")
        for name in COST_OPTIONS:
            getattr(options, name).observe(lambda _: self.refresh(), "value")
        self.refresh()

    def refresh(self) -> None:
        """Recount and show the estimate (or why there is none)."""
        self.estimate = None
        chosen = list(self.files.files)
        if not chosen:
            self.label.value = ""
            return
        try:
            options = self.options.options
            settings = {name: options[name] for name in COST_OPTIONS if options[name] is not None}
            self.estimate = estimate([_as_file(f) for f in chosen], **settings)
        except Exception as exc:  # shown beside Run, never a traceback
            self.label.value = message(f"no estimate: {exc}", "warning")
            return
        self.label.value = (
            f'<span class="lxnb-estimate" style="color:{MUTED}" '
            f'title="lx.pricing.rates() has the rates; lx.pricing.set_rates(...) changes them">'
            f"{escape(self.estimate.headline)} (~${self.estimate.dollars:,.2f})</span>"
        )

    def show_usage(self, results: Sequence[ExtractResult]) -> None:
        """After a run: what the service reported (pages billed, credits when it said) beside
        the estimate, until the files or options change."""
        if self.estimate is None:
            return
        usage = [result.usage for result in results]
        pages = sum(u["pages_billed"] or 0 for u in usage)
        credits = [u["credits"] for u in usage if u["credits"] is not None]
        spent = f"{sum(credits):,.0f} credits" if credits else "credits not reported"
        self.label.value = (
            f'<span class="lxnb-estimate" style="color:{MUTED}">estimated '
            f"{escape(self.estimate.headline)} · reported: {pages:,} "
            f"page{'s' if pages != 1 else ''} billed, {escape(spent)}</span>"
        )


def _as_file(chosen: ChosenFile) -> Any:
    if chosen.path is not None:
        return chosen.path
    return {"name": chosen.name, "content": chosen.content or b""}
