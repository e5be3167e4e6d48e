"""The HTML views: pure HTML + CSS (no scripts, no external resources), every text escaped.

Colours come from JupyterLab's CSS variables with translucent fallbacks, so the views read
well in light and dark themes, in VS Code, and in nbconvert exports.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llamaextract_nb.results.matching import citation_mismatch, locate
from llamaextract_nb.results.metadata import Leaf
from llamaextract_nb.results.options import DisplayOptions
from llamaextract_nb.results.pages import Mark, page_kind, render_pages

if TYPE_CHECKING:
    from llamaextract_nb.results.batch import BatchResult
    from llamaextract_nb.results.result import ExtractResult

CSS = """
.lxnb{font-family:var(--jp-ui-font-family,system-ui,-apple-system,"Segoe UI",sans-serif);
 font-size:var(--jp-ui-font-size1,13px);color:var(--jp-content-font-color1,inherit);line-height:1.45}
.lxnb table{border-collapse:collapse;margin:6px 0;font-size:inherit;table-layout:auto}
.lxnb th,.lxnb td{border:0;border-bottom:1px solid var(--jp-border-color2,rgba(128,128,128,.3));
 padding:3px 8px;text-align:left;vertical-align:top;max-width:36em;overflow-wrap:anywhere}
.lxnb th,.lxnb td.lx-num,.lxnb td.lx-key{white-space:nowrap;overflow-wrap:normal}
.lxnb th{font-weight:600;background:var(--jp-layout-color2,rgba(128,128,128,.12))}
.lxnb tr.lx-low>td:first-child{box-shadow:inset 3px 0 0 var(--jp-error-color1,#d9453c)}
.lxnb .lx-head{margin:2px 0 4px}
.lxnb .lx-title{font-weight:600;font-size:1.1em}
.lxnb .lx-muted,.lxnb .lx-num{color:var(--jp-content-font-color2,rgba(128,128,128,.95))}
.lxnb .lx-null{color:var(--jp-content-font-color3,rgba(128,128,128,.9));font-style:italic}
.lxnb code{font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:.95em;
 background:transparent;color:inherit}
.lxnb .lx-status{display:inline-block;padding:0 6px;border-radius:8px;font-size:.85em;
 font-weight:600;border:1px solid currentColor}
.lxnb .lx-COMPLETED{color:var(--jp-success-color1,#2e9d4a)}
.lxnb .lx-FAILED,.lxnb .lx-CANCELLED{color:var(--jp-error-color1,#d9453c)}
.lxnb .lx-bar{display:inline-block;width:64px;height:8px;border-radius:4px;vertical-align:middle;
 background:rgba(128,128,128,.25);overflow:hidden;margin-right:6px}
.lxnb .lx-bar>span{display:block;height:100%}
.lxnb .lx-ok>span{background:var(--jp-success-color1,#2e9d4a)}
.lxnb .lx-under>span{background:var(--jp-error-color1,#d9453c)}
.lxnb mark{background:rgba(255,190,0,.45);color:inherit;padding:0 1px;border-radius:2px}
.lxnb .lx-page{display:inline-block;padding:0 4px;margin-right:4px;border-radius:3px;
 font-size:.85em;background:rgba(128,128,128,.2)}
.lxnb .lx-warn{color:var(--jp-warn-color0,#c77700);font-size:.9em}
.lxnb .lx-error{border-left:3px solid var(--jp-error-color1,#d9453c);padding:2px 8px;margin:4px 0;
 background:rgba(217,69,60,.08)}
.lxnb details{margin:4px 0}
.lxnb details.lx-doc[open]{border-left:2px solid rgba(128,128,128,.35);padding-left:8px}
.lxnb summary{cursor:pointer}
.lxnb img{display:block;max-width:100%;height:auto;margin:4px 0;
 border:1px solid rgba(128,128,128,.4)}
.lxnb td.lx-cell-low{background:rgba(217,69,60,.16)}
.lxnb .lx-note{margin:4px 0;font-size:.9em;
 color:var(--jp-content-font-color2,rgba(128,128,128,.95))}
"""


def escape(value: Any) -> str:
    """Text safe inside HTML elements and quoted attributes."""
    return html.escape(str(value), quote=True)


class ImageBudget:
    """How many page images an output may still embed."""

    def __init__(self, count: int) -> None:
        self.left = count


def wrap(body: str) -> str:
    """The outer block with the stylesheet (scoped to ``.lxnb``)."""
    return f'<div class="lxnb"><style>{CSS}</style>{body}</div>'


# --- one result ------------------------------------------------------------------------


def result_html(result: ExtractResult, options: DisplayOptions) -> str:
    return wrap(result_body(result, options, ImageBudget(options.max_page_images)))


def result_body(result: ExtractResult, options: DisplayOptions, budget: ImageBudget) -> str:
    """Header, errors, per-field summary (for many items), the value table and page images."""
    leaves = result._extraction.leaves
    parts = [_result_header(result, options.threshold)]
    if result.job.error_message:
        parts.append(f'<div class="lx-error">{escape(result.job.error_message)}</div>')
    for error in result._extraction.errors:
        parts.append(f'<div class="lx-error">{escape(error)}</div>')
    if not leaves:
        if result.status == "COMPLETED":
            parts.append('<div class="lx-note">No values were extracted.</div>')
        return "".join(parts)
    shown = leaves[: options.max_fields]
    table = _fields_table(result, shown, options)
    if len(leaves) > len(shown):
        per = {"per_page": "page", "per_table_row": "row"}.get(result.target, "document")
        table += (
            f'<div class="lx-note">Showing the first {len(shown):,} of {len(leaves):,} values. '
            f"All of them: <code>.fields</code> (one row per value) and <code>.df</code> "
            f"(one row per {per}); or raise <code>.options.max_fields</code>.</div>"
        )
    if len(result._extraction.items) > 1:
        parts.append(field_summary(leaves, options))
        parts.append(_rows_grid(result, options))
        state = " open" if len(leaves) <= len(shown) else ""
        table = (
            f'<details class="lx-values"{state}><summary>Values with confidence and citations'
            f"</summary>{table}</details>"
        )
    parts.append(table)
    parts.append(_page_images(result, shown, options, budget))
    return "".join(parts)


def _rows_grid(result: ExtractResult, options: DisplayOptions) -> str:
    """The first rows (or pages) as a grid; a cell's tooltip holds its confidence and citation."""
    items = result._extraction.items
    shown = min(len(items), options.max_rows)
    cells: list[dict[str, Leaf]] = [{} for _ in range(shown)]
    columns: dict[str, None] = {}
    for leaf in result._extraction.leaves:  # in item order
        if leaf.item >= shown:
            break
        if "[" not in leaf.path:
            cells[leaf.item][leaf.path] = leaf
            columns.setdefault(leaf.path)
    key = {"per_page": "Page", "per_table_row": "Row"}.get(result.target, "Item")
    head = f"<th>{key}</th>" + "".join(f"<th>{escape(c)}</th>" for c in columns)
    rows = []
    for item, row in enumerate(cells):
        tds = [f'<td class="lx-num">{escape(result._item_label(item))}</td>']
        for column in columns:
            cell = row.get(column)
            tds.append(_grid_cell(cell, options) if cell else "<td></td>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    note = ""
    if len(items) > shown:
        note = (
            f'<div class="lx-note">Showing the first {shown:,} of {len(items):,} rows: '
            "<code>.df</code> has them all (raise <code>.options.max_rows</code> to show more). "
            "Hover a cell for its confidence and citation.</div>"
        )
    return (
        f'<table class="lx-grid"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _grid_cell(leaf: Leaf, options: DisplayOptions) -> str:
    tip = [f"confidence {leaf.confidence:.3f}" if leaf.confidence is not None else "no confidence"]
    for citation in leaf.citations:
        page = f"p. {citation.page}: " if citation.page else ""
        tip.append(page + shorten(citation.text or "", options.max_text))
    low = leaf.confidence is not None and leaf.confidence < options.threshold
    return (
        f'<td class="{"lx-cell-low" if low else "lx-cell"}" title="{escape(chr(10).join(tip))}">'
        f"{_value(leaf.value, options.max_text)}</td>"
    )


def _result_header(result: ExtractResult, threshold: float) -> str:
    leaves = result._extraction.leaves
    stats = _stats(leaves, threshold)
    status = escape(result.status)
    bits = [
        f'<span class="lx-title">{escape(result.name)}</span>',
        f'<span class="lx-status lx-{status}">{status}</span>',
        f'<span class="lx-muted">{escape(result.target)} · {escape(result.job.id)}</span>',
    ]
    if leaves:
        bits.append(
            f"<span>{stats.found:,} of {stats.total:,} values found · mean confidence "
            f"{_fmt(stats.mean)} · {stats.low:,} below {threshold:g}</span>"
        )
    return f'<div class="lx-head">{" ".join(bits)}</div>'


def _fields_table(result: ExtractResult, shown: Sequence[Leaf], options: DisplayOptions) -> str:
    item_header = {"per_page": "Page", "per_table_row": "Row"}.get(result.target)
    head = "".join(
        f"<th>{h}</th>"
        for h in ("#", item_header, "Field", "Value", "Confidence", "Reasoning", "Citation")
        if h
    )
    rows = []
    for number, leaf in enumerate(shown, start=1):
        low = leaf.confidence is not None and leaf.confidence < options.threshold
        cells = [f'<td class="lx-num">{number}</td>']
        if item_header:
            cells.append(f"<td>{escape(result._item_label(leaf.item))}</td>")
        cells += [
            f'<td class="lx-key"><code>{escape(leaf.path)}</code></td>',
            f"<td>{_value(leaf.value, options.max_text)}</td>",
            f'<td class="lx-key">{_confidence(leaf, options.threshold)}</td>',
            f"<td>{escape(leaf.reasoning) if leaf.reasoning else ''}</td>",
            f"<td>{_citations(leaf, options.max_text)}</td>",
        ]
        rows.append(f'<tr class="{"lx-low" if low else "lx-row"}">{"".join(cells)}</tr>')
    body = "".join(rows)
    return f'<table class="lx-fields"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _value(value: Any, max_text: int) -> str:
    if value is None:
        return '<span class="lx-null">not found</span>'
    return escape(shorten(str(value), max_text))


def _confidence(leaf: Leaf, threshold: float) -> str:
    if leaf.confidence is None:
        return '<span class="lx-muted">—</span>'
    detail = [f"confidence {leaf.confidence:.3f}"]
    if leaf.extraction_confidence is not None:
        detail.append(f"extraction {leaf.extraction_confidence:.3f}")
    if leaf.parsing_confidence is not None:
        detail.append(f"parsing {leaf.parsing_confidence:.3f}")
    return bar(leaf.confidence, threshold, title=" · ".join(detail))


def bar(confidence: float | None, threshold: float, *, title: str = "") -> str:
    """A confidence bar, red below ``threshold``, with the number beside it."""
    if confidence is None:
        return '<span class="lx-muted">—</span>'
    width = max(0, min(100, round(confidence * 100)))
    state = "lx-under" if confidence < threshold else "lx-ok"
    return (
        f'<span class="lx-bar {state}" title="{escape(title or f"{confidence:.3f}")}">'
        f'<span style="width:{width}%"></span></span>{confidence:.2f}'
    )


def _citations(leaf: Leaf, max_text: int) -> str:
    quoted = [c for c in leaf.citations if c.text or c.page]
    if not quoted:
        return '<span class="lx-muted">—</span>'
    lines = []
    for citation in quoted:
        page = f'<span class="lx-page">p.&nbsp;{citation.page}</span>' if citation.page else ""
        lines.append(f"<div>{page}{highlight(leaf.value, citation.text or '', max_text)}</div>")
    texts = "\n".join(c.text for c in quoted if c.text)
    if citation_mismatch(leaf.value, texts):
        lines.append('<div class="lx-warn">⚠ value not found in the cited text</div>')
    return "".join(lines)


def highlight(value: Any, text: str, max_text: int) -> str:
    """``text`` escaped and shortened around ``value``, which is marked where it is printed."""
    span = locate(value, text)
    if span is None:
        return escape(shorten(text, max_text))
    start, end = span
    margin = max(0, (max_text - (end - start)) // 2)
    before = text[max(0, start - margin) : start]
    after = text[end : end + margin]
    lead = "…" if start - margin > 0 else ""
    tail = "…" if end + margin < len(text) else ""
    middle = shorten(text[start:end], max_text)
    return f"{escape(lead + before)}<mark>{escape(middle)}</mark>{escape(after + tail)}"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def _page_images(
    result: ExtractResult, shown: Sequence[Leaf], options: DisplayOptions, budget: ImageBudget
) -> str:
    marks: dict[int, list[Mark]] = {}
    for number, leaf in enumerate(shown, start=1):
        low = leaf.confidence is not None and leaf.confidence < options.threshold
        for citation in leaf.citations:
            for box in citation.boxes:
                if citation.page:
                    marks.setdefault(citation.page, []).append(
                        Mark(box.x, box.y, box.w, box.h, citation.page_size, str(number), low)
                    )
    if not marks or not options.page_images:
        return ""
    source = result.source
    if source is None or page_kind(source) is None:
        return (
            '<div class="lx-note">Cited boxes are available: pass <code>source=</code> '
            "(the PDF or image) to see the cited pages with the boxes drawn.</div>"
        )
    pages = list(marks)[: budget.left]
    budget.left -= len(pages)
    note = ""
    if len(pages) < len(marks):
        note = (
            f'<div class="lx-note">{len(marks) - len(pages)} more cited page(s) not rendered; '
            "raise <code>.options.max_page_images</code> to see them.</div>"
        )
    if not pages:
        return note
    try:
        images = render_pages(source, {p: marks[p] for p in pages}, options.image_width)
    except Exception as exc:  # a display must never raise; say why the pages are missing
        return f'<div class="lx-note">Could not render the cited pages: {escape(exc)}</div>'
    blocks = []
    for page, uri in images.items():
        numbers = list(dict.fromkeys(m.label for m in marks[page]))
        labels = ", ".join(f"#{n}" for n in numbers[:20])
        more = "…" if len(numbers) > 20 else ""
        blocks.append(
            f'<details class="lx-pagebox"><summary>Page {page} — {len(numbers)} cited '
            f"value(s): {escape(labels)}{more}</summary>"
            f'<img src="{escape(uri)}" width="{options.image_width}" '
            f'alt="Page {page} with the cited values boxed"></details>'
        )
    return "".join(blocks) + note


# --- summaries -------------------------------------------------------------------------


@dataclass
class Stats:
    total: int = 0
    found: int = 0
    low: int = 0
    scored: int = 0
    confidence_sum: float = 0.0

    @property
    def mean(self) -> float | None:
        return self.confidence_sum / self.scored if self.scored else None

    def add(self, leaf: Leaf, threshold: float) -> None:
        self.total += 1
        self.found += leaf.value is not None
        if leaf.confidence is not None:
            self.scored += 1
            self.confidence_sum += leaf.confidence
            self.low += leaf.confidence < threshold


def _stats(leaves: Iterable[Leaf], threshold: float) -> Stats:
    stats = Stats()
    for leaf in leaves:
        stats.add(leaf, threshold)
    return stats


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def field_summary(leaves: Iterable[Leaf], options: DisplayOptions) -> str:
    """Per field: values found, mean confidence (bar), count below the threshold."""
    by_field: dict[str, Stats] = {}
    for leaf in leaves:
        by_field.setdefault(leaf.field, Stats()).add(leaf, options.threshold)
    rows = []
    for name, stats in list(by_field.items())[: options.max_fields]:
        low = f'<span class="lx-warn">{stats.low:,}</span>' if stats.low else "0"
        rows.append(
            f"<tr><td><code>{escape(name)}</code></td><td>{stats.found:,} / {stats.total:,}</td>"
            f"<td>{bar(stats.mean, options.threshold)}</td><td>{low}</td></tr>"
        )
    note = ""
    if len(by_field) > options.max_fields:
        hidden = len(by_field) - options.max_fields
        note = f'<div class="lx-note">{hidden:,} more fields not listed.</div>'
    return (
        f'<table class="lx-summary"><thead><tr><th>Field</th><th>Found</th><th>Mean confidence</th>'
        f"<th>Below {options.threshold:g}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


# --- many documents ----------------------------------------------------------------------


def batch_html(batch: BatchResult, options: DisplayOptions) -> str:
    results = list(batch)
    leaves = [leaf for r in results for leaf in r._extraction.leaves]
    stats = _stats(leaves, options.threshold)
    done = sum(r.status == "COMPLETED" for r in results)
    other = len(results) - done
    head = [
        f'<span class="lx-title">{len(results):,} document(s)</span>',
        f"<span>{done:,} completed{f' · {other:,} not completed' if other else ''}</span>",
    ]
    if leaves:
        head.append(
            f"<span>{stats.found:,} of {stats.total:,} values found · mean confidence "
            f"{_fmt(stats.mean)} · {stats.low:,} below {options.threshold:g}</span>"
        )
    parts = [f'<div class="lx-head">{" · ".join(head)}</div>']
    if leaves:
        parts.append(field_summary(leaves, options))
    failures = [r for r in results if r.status != "COMPLETED"]
    if failures:
        rows = "".join(
            f"<tr><td>{escape(r.name)}</td><td><code>{escape(r.job.id)}</code></td>"
            f'<td><span class="lx-status lx-{escape(r.status)}">{escape(r.status)}</span></td>'
            f"<td>{escape(r.job.error_message or '')}</td></tr>"
            for r in failures[: options.max_fields]
        )
        parts.append(
            '<table class="lx-failures"><thead><tr><th>File</th><th>Job</th><th>Status</th>'
            f"<th>Error</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    budget = ImageBudget(options.max_page_images)
    for result in results[: options.max_documents]:
        doc = _stats(result._extraction.leaves, options.threshold)
        status = escape(result.status)
        summary = (
            f"<b>{escape(result.name)}</b> "
            f'<span class="lx-status lx-{status}">{status}</span> '
            f'<span class="lx-muted">{doc.found:,}/{doc.total:,} values · mean confidence '
            f"{_fmt(doc.mean)} · {doc.low:,} low</span>"
        )
        parts.append(
            f'<details class="lx-doc"><summary>{summary}</summary>'
            f"{result_body(result, options, budget)}</details>"
        )
    if len(results) > options.max_documents:
        parts.append(
            f'<div class="lx-note">{len(results) - options.max_documents:,} more documents not '
            "shown: index the batch (<code>batch[i]</code>) to see one, or use <code>.df</code> / "
            "<code>.fields</code>.</div>"
        )
    return wrap("".join(parts))
