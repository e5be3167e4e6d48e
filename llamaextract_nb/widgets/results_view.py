"""The results view: the DataFrame of every finished document, and the citations of a choice.

Pick a document (a row of the table) and one of its fields to see the value, its confidence
and every citation (page and matching text). The full HTML view of the chosen document (the
results package's citations/confidence view) sits below in a collapsible block.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from llamaextract_nb.widgets._html import TABLE_CSS

if TYPE_CHECKING:
    from llamaextract_nb.results import BatchResult, ExtractResult

MAX_TABLE_ROWS = 50


class ResultsView(w.VBox):
    """Shows a list of :class:`ExtractResult`; ``show(results)`` replaces what is shown."""

    def __init__(self) -> None:
        self.results: list[ExtractResult] = []
        self.table = w.HTML()
        self.document = w.Dropdown(description="Document", layout=w.Layout(width="420px"))
        self.field = w.Dropdown(description="Field", layout=w.Layout(width="420px"))
        self.citations = w.HTML()
        self.detail = w.HTML()
        self.detail_box = w.Accordion([self.detail], titles=("Full view of this document",))
        self.detail_box.selected_index = None
        self._quiet = False  # set while options are replaced, so each choice renders once
        self.document.observe(self._on_document, "value")
        self.field.observe(self._on_field, "value")
        self.detail_box.observe(lambda _: self._render_detail(), "selected_index")
        super().__init__(
            [self.table, w.HBox([self.document, self.field]), self.citations, self.detail_box]
        )
        self.add_class("lxnb-results")
        self.show([])

    def show(self, results: list[ExtractResult]) -> None:
        """Show ``results`` (the table of all of them; the first one chosen)."""
        self.results = list(results)
        self._quiet = True
        try:
            self.document.options = [(_label(r, i), i) for i, r in enumerate(self.results)]
            self.document.value = 0 if self.results else None
        finally:
            self._quiet = False
        if not self.results:
            self.table.value = "<i>No results yet: choose documents and click Run.</i>"
            self.field.options = []
            self.citations.value = ""
            self.detail.value = ""
            return
        self.table.value = _table_html(self.batch().df)
        self._document_chosen()

    def batch(self) -> BatchResult:
        """The shown results as one :class:`BatchResult`."""
        from llamaextract_nb.results import BatchResult

        return BatchResult(self.results)

    def _on_document(self, _: Any) -> None:
        if not self._quiet:
            self._document_chosen()

    def _on_field(self, _: Any) -> None:
        if not self._quiet:
            self._field_chosen()

    def _chosen(self) -> ExtractResult | None:
        index = self.document.value
        return self.results[index] if isinstance(index, int) and index < len(self.results) else None

    def _document_chosen(self) -> None:
        result = self._chosen()
        if result is None:
            return
        fields = result.fields
        paths = list(dict.fromkeys(fields["path"])) if "path" in fields else []
        self._quiet = True
        try:
            self.field.options = paths
            self.field.value = paths[0] if paths else None
        finally:
            self._quiet = False
        self._field_chosen()
        self._render_detail()

    def _render_detail(self) -> None:
        """Fill the full view only while it is open (it may hold page images)."""
        result = self._chosen()
        open_ = self.detail_box.selected_index == 0
        self.detail.value = result._repr_html_() if open_ and result is not None else ""

    def _field_chosen(self) -> None:
        result = self._chosen()
        if result is None or self.field.value is None:
            self.citations.value = "<i>No field chosen.</i>"
            return
        fields = result.fields
        self.citations.value = _citations_html(fields[fields["path"] == self.field.value])


def _label(result: ExtractResult, index: int) -> str:
    return f"{index + 1}. {result.name} ({result.status})"


def _table_html(frame: pd.DataFrame) -> str:
    shown = frame.head(MAX_TABLE_ROWS)
    note = (
        f"<div><small>First {MAX_TABLE_ROWS} of {len(frame)} rows; "
        "use studio.results.df for all of them.</small></div>"
        if len(frame) > MAX_TABLE_ROWS
        else ""
    )
    html = shown.to_html(
        escape=True,
        index=False,
        na_rep="",
        border=0,
        justify="left",
        classes="lxnb-result-table lxnb-table",
    )
    return f'{TABLE_CSS}<div style="overflow-x:auto;max-height:360px">{html}</div>{note}'


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return escape(str(value))


def _citations_html(rows: pd.DataFrame) -> str:
    """Value, confidence and every citation of one field (one row per cited place)."""
    if rows.empty:
        return "<i>No metadata for this field.</i>"
    first = rows.iloc[0]
    confidence = first.get("confidence")
    head = (
        f"<div><b>Value:</b> {_cell(first.get('value'))} &nbsp; "
        f"<b>Confidence:</b> {_cell(None if confidence is None else round(float(confidence), 3))}"
        "</div>"
        if confidence is not None and not pd.isna(confidence)
        else f"<div><b>Value:</b> {_cell(first.get('value'))}</div>"
    )
    cited = [
        (r.get("page"), r.get("matching_text"))
        for _, r in rows.iterrows()
        if r.get("matching_text") is not None and not pd.isna(r.get("matching_text"))
    ]
    if not cited:
        return head + "<div><i>No citation for this field (turn on Cite sources).</i></div>"
    items = "".join(
        f"<tr><td style='text-align:right;padding-right:8px'>{_cell(page)}</td>"
        f"<td class='lxnb-citation' style='white-space:pre-wrap'>{_cell(text)}</td></tr>"
        for page, text in cited
    )
    return (
        f"{head}{TABLE_CSS}<table class='lxnb-citations lxnb-table'><thead><tr><th>Page</th>"
        f"<th>Matching text</th></tr></thead><tbody>{items}</tbody></table>"
    )
