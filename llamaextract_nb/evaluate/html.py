"""HTML views of an Evaluation and a Comparison: tables, bars and an inline SVG reliability
diagram. No scripts; every piece of document text is escaped (``results.html`` helpers)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from llamaextract_nb.results.html import escape, highlight, shorten, wrap

if TYPE_CHECKING:
    from llamaextract_nb.evaluate.compare import Comparison
    from llamaextract_nb.evaluate.evaluation import Evaluation

EXTRA_CSS = """
.lxnb .lx-acc{display:inline-block;width:90px;height:9px;border-radius:4px;vertical-align:middle;
 background:rgba(128,128,128,.25);overflow:hidden;margin-right:6px}
.lxnb .lx-acc>span{display:block;height:100%;background:var(--jp-success-color1,#2e9d4a)}
.lxnb .lx-acc.lx-mid>span{background:var(--jp-warn-color1,#e0a100)}
.lxnb .lx-acc.lx-bad>span{background:var(--jp-error-color1,#d9453c)}
.lxnb .lx-better{color:var(--jp-success-color1,#2e9d4a);font-weight:600}
.lxnb .lx-worse{color:var(--jp-error-color1,#d9453c);font-weight:600}
.lxnb tr.lx-improved>td:first-child{box-shadow:inset 3px 0 0 var(--jp-success-color1,#2e9d4a)}
.lxnb tr.lx-regressed>td:first-child{box-shadow:inset 3px 0 0 var(--jp-error-color1,#d9453c)}
.lxnb .lx-o-correct{color:var(--jp-success-color1,#2e9d4a)}
.lxnb .lx-o-wrong,.lxnb .lx-o-spurious{color:var(--jp-error-color1,#d9453c)}
.lxnb .lx-o-missed{color:var(--jp-warn-color1,#c77700)}
.lxnb .lx-cols{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.lxnb svg text{font-family:inherit;font-size:10px;fill:currentColor}
"""

_MAX_TEXT = 160


def evaluation_html(
    evaluation: Evaluation, *, max_fields: int = 100, max_examples: int = 20
) -> str:
    """Header, scoreboard (fields worst first), reliability diagram and the worst examples."""
    details = evaluation.details
    parts = [_evaluation_head(evaluation)]
    if details.empty:
        parts.append('<div class="lx-note">Nothing was graded.</div>')
        return _wrap("".join(parts))
    parts.append('<div class="lx-cols">')
    parts.append(f"<div>{scoreboard(evaluation.summary, max_fields=max_fields)}</div>")
    parts.append(f"<div>{_calibration(evaluation)}</div>")
    parts.append("</div>")
    parts.append(_worst_examples(details, max_examples))
    return _wrap("".join(parts))


def _wrap(body: str) -> str:
    return wrap(f"<style>{EXTRA_CSS}</style>{body}")


def _evaluation_head(evaluation: Evaluation) -> str:
    counts = evaluation.counts
    graded = sum(counts.values())
    bits = [
        '<span class="lx-title">Evaluation</span>',
        f"<span>{len(evaluation.documents):,} document(s) · {graded:,} values graded</span>",
    ]
    if graded:
        bits.append(f"<span>accuracy <b>{evaluation.accuracy:.1%}</b></span>")
        bits.append(
            "<span>"
            + " · ".join(f'<span class="lx-o-{k}">{v:,} {k}</span>' for k, v in counts.items())
            + "</span>"
        )
    notes = []
    if evaluation.without_truth:
        notes.append(
            f"{len(evaluation.without_truth):,} result(s) without truth not graded: "
            + escape(", ".join(evaluation.without_truth[:5]))
            + ("…" if len(evaluation.without_truth) > 5 else "")
        )
    if evaluation.not_extracted:
        notes.append(
            f"{len(evaluation.not_extracted):,} document(s) of the truth have no result: "
            + escape(", ".join(evaluation.not_extracted[:5]))
            + ("…" if len(evaluation.not_extracted) > 5 else "")
        )
    note = "".join(f'<div class="lx-note">{n}</div>' for n in notes)
    return f'<div class="lx-head">{" · ".join(bits)}</div>{note}'


def accuracy_bar(value: float) -> str:
    """A bar for an accuracy (green >= 90 %, amber >= 70 %, else red) with the percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<span class="lx-muted">—</span>'
    state = "" if value >= 0.9 else " lx-mid" if value >= 0.7 else " lx-bad"
    width = max(0, min(100, round(value * 100)))
    return f'<span class="lx-acc{state}"><span style="width:{width}%"></span></span>{value:.0%}'


def scoreboard(summary: pd.DataFrame, *, max_fields: int = 100) -> str:
    """The per-field table: accuracy bar, outcome counts, precision / recall / F1."""
    head = (
        "<th>Field</th><th>Accuracy</th><th>Graded</th><th>Correct</th><th>Wrong</th>"
        "<th>Missed</th><th>Spurious</th><th>Precision</th><th>Recall</th><th>F1</th>"
    )
    rows = []
    for row in _records(summary.head(max_fields)):
        rows.append(
            f'<tr><td class="lx-key"><code>{escape(row.field)}</code></td>'
            f'<td class="lx-key">{accuracy_bar(row.accuracy)}</td>'
            f'<td class="lx-num">{row.graded:,}</td>'
            f'<td class="lx-num lx-o-correct">{row.correct:,}</td>'
            f'<td class="lx-num{" lx-o-wrong" if row.wrong else ""}">{row.wrong:,}</td>'
            f'<td class="lx-num{" lx-o-missed" if row.missed else ""}">{row.missed:,}</td>'
            f'<td class="lx-num{" lx-o-spurious" if row.spurious else ""}">{row.spurious:,}</td>'
            f'<td class="lx-num">{_percent(row.precision)}</td>'
            f'<td class="lx-num">{_percent(row.recall)}</td>'
            f'<td class="lx-num">{_percent(row.f1)}</td></tr>'
        )
    note = ""
    if len(summary) > max_fields:
        note = (
            f'<div class="lx-note">{len(summary) - max_fields:,} more fields: see '
            "<code>.summary</code>.</div>"
        )
    return (
        '<table class="lx-scoreboard"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _records(frame: pd.DataFrame) -> list[Any]:
    """Rows as objects with attribute access (``row.field``)."""
    return list(frame.itertuples(index=False))


def _percent(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.0%}"


def _calibration(evaluation: Evaluation) -> str:
    bands = evaluation.by_confidence
    if bands.empty:
        return '<div class="lx-note">No confidences to calibrate (enable confidence scores).</div>'
    chosen = evaluation.threshold()
    return (
        f"<div><b>Calibration</b> · ECE {evaluation.ece:.3f}</div>"
        f"{reliability_svg(bands)}"
        '<div class="lx-note">Bars: accuracy per confidence band (hover for counts), dots at the '
        "band's mean confidence; dashed: perfect calibration;<br>red: over-confident, amber: "
        "under-confident.</div>"
        f'<div class="lx-note">For ≤ {chosen.max_error:.0%} error: {escape(str(chosen))}.</div>'
    )


def reliability_svg(bands: pd.DataFrame, *, width: int = 300, height: int = 230) -> str:
    """Accuracy per confidence band as bars against the diagonal of perfect calibration."""
    left, bottom, top, right = 34, 30, 10, 10
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(value: float) -> float:
        return left + value * plot_w

    def y(value: float) -> float:
        return top + (1 - value) * plot_h

    shapes = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="rgba(128,128,128,.5)"/>'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        shapes.append(
            f'<text x="{x(tick):.1f}" y="{height - bottom + 13}" text-anchor="middle">'
            f"{tick:g}</text>"
            f'<text x="{left - 4}" y="{y(tick) + 3:.1f}" text-anchor="end">{tick:g}</text>'
        )
    for row in _records(bands):
        bar_x, bar_w = x(row.low) + 1, (row.high - row.low) * plot_w - 2
        colour = "#2e9d4a" if abs(row.gap) <= 0.05 else "#e0a100" if row.gap < 0 else "#d9453c"
        shapes.append(
            f'<rect x="{bar_x:.1f}" y="{y(row.accuracy):.1f}" width="{bar_w:.1f}" '
            f'height="{row.accuracy * plot_h:.1f}" fill="{colour}" fill-opacity=".75">'
            f"<title>confidence {escape(row.band)}: {row.correct:,} of {row.values:,} correct "
            f"({row.accuracy:.0%}); mean confidence {row.mean_confidence:.2f}</title></rect>"
            f'<circle cx="{x(row.mean_confidence):.1f}" cy="{y(row.accuracy):.1f}" r="2.5" '
            'fill="currentColor"/>'
        )
    shapes.append(
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="currentColor" '
        'stroke-dasharray="4 3" stroke-opacity=".6"/>'
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 3}" text-anchor="middle">'
        "confidence</text>"
        f'<text x="10" y="{top + plot_h / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 10 {top + plot_h / 2:.0f})">accuracy</text>'
    )
    return (
        f'<svg class="lx-reliability" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Reliability diagram: accuracy per confidence band">'
        f"{''.join(shapes)}</svg>"
    )


def _worst_examples(details: pd.DataFrame, limit: int) -> str:
    """Values not correct, the most confident first (confidently wrong is worst)."""
    bad = details[details["outcome"] != "correct"]
    if bad.empty:
        return '<div class="lx-note">Every graded value is correct.</div>'
    ranked = bad.assign(_c=bad["confidence"].fillna(-1.0)).sort_values(
        ["_c", "file", "path"], ascending=[False, True, True], kind="stable"
    )
    rows = []
    for row in _records(ranked.head(limit)):
        rows.append(
            f'<tr><td>{escape(row.file)}</td><td class="lx-key"><code>{escape(row.path)}</code>'
            f"</td><td>{_value(row.expected)}</td><td>{_value(row.extracted)}</td>"
            f'<td class="lx-o-{escape(row.outcome)}">{escape(row.outcome)}</td>'
            f'<td class="lx-num">{_confidence(row.confidence)}</td>'
            f"<td>{_citation(row.extracted, row.page, row.matching_text)}</td></tr>"
        )
    more = ""
    if len(bad) > limit:
        more = (
            f'<div class="lx-note">{len(bad) - limit:,} more: '
            "<code>.details.query(\"outcome != 'correct'\")</code>.</div>"
        )
    return (
        f"<details open><summary><b>Worst examples</b> ({len(bad):,} values not correct, "
        "most confident first)</summary>"
        '<table class="lx-examples"><thead><tr><th>File</th><th>Field</th><th>Expected</th>'
        "<th>Extracted</th><th>Outcome</th><th>Confidence</th><th>Citation</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{more}</details>"
    )


def _value(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<span class="lx-null">none</span>'
    return escape(shorten(str(value), _MAX_TEXT))


def _confidence(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.2f}"


def _citation(value: Any, page: Any, text: Any) -> str:
    if not isinstance(text, str) or not text:
        return '<span class="lx-muted">—</span>'
    where = f'<span class="lx-page">p.&nbsp;{int(page)}</span>' if pd.notna(page) else ""
    return where + highlight(value, text, _MAX_TEXT)


# --- comparison ------------------------------------------------------------------------


def comparison_html(comparison: Comparison, *, max_fields: int = 100, max_changes: int = 30) -> str:
    """Per field: changes between the runs and, with truth, accuracy per run with the delta
    (improved fields green, regressions red); then the changed values side by side."""
    names = comparison.names
    summary = comparison.summary
    with_truth = comparison.evaluations is not None
    head = "<th>Field</th><th>Documents</th><th>Changed</th><th>Gained</th><th>Lost</th>"
    if with_truth:
        head += "".join(f"<th>Accuracy {escape(n)}</th>" for n in names) + "<th>Δ</th>"
    rows = []
    for row in summary.head(max_fields).to_dict("records"):
        delta = row.get("delta")
        state = ""
        if with_truth and delta is not None and not math.isnan(delta):
            state = "lx-improved" if delta > 1e-9 else "lx-regressed" if delta < -1e-9 else ""
        cells = [
            f'<td class="lx-key"><code>{escape(row["field"])}</code></td>',
            f'<td class="lx-num">{row["documents"]:,}</td>',
            f'<td class="lx-num">{row["changed"]:,}</td>',
            f'<td class="lx-num">{row["gained"]:,}</td>',
            f'<td class="lx-num">{row["lost"]:,}</td>',
        ]
        if with_truth:
            cells += [
                f'<td class="lx-key">{accuracy_bar(row[f"accuracy_{n}"])}</td>' for n in names
            ]
            cells.append(f'<td class="lx-num">{_delta(delta)}</td>')
        rows.append(f'<tr class="{state}">{"".join(cells)}</tr>')
    title = " → ".join(escape(n) for n in names)
    overall = ""
    if with_truth:
        accuracies = comparison.accuracy
        overall = " · accuracy " + " → ".join(f"{escape(n)} {accuracies[n]:.1%}" for n in names)
    parts = [
        f'<div class="lx-head"><span class="lx-title">Comparison {title}</span> '
        f"<span>{comparison.documents:,} document(s) · {len(comparison.changes):,} changed "
        f"value(s){overall}</span></div>",
        '<table class="lx-comparison"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
        _changes_table(comparison, max_changes),
    ]
    return _wrap("".join(parts))


def _delta(delta: Any) -> str:
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return "—"
    if delta > 1e-9:
        return f'<span class="lx-better">▲ {delta:+.0%}</span>'
    if delta < -1e-9:
        return f'<span class="lx-worse">▼ {delta:+.0%}</span>'
    return '<span class="lx-muted">=</span>'


def _changes_table(comparison: Comparison, limit: int) -> str:
    changes = comparison.changes
    if changes.empty:
        return '<div class="lx-note">No value changed.</div>'
    first, last = comparison.names[0], comparison.names[-1]
    rows = []
    for row in changes.head(limit).to_dict("records"):
        sides = "".join(
            f"<td>{_value(row[f'value_{n}'])} "
            f'<span class="lx-muted">{_confidence(row[f"confidence_{n}"])}</span><br>'
            f"{_citation(row[f'value_{n}'], row[f'page_{n}'], row[f'matching_text_{n}'])}</td>"
            for n in (first, last)
        )
        expected = f"<td>{_value(row['expected'])}</td>" if "expected" in row else ""
        rows.append(
            f"<tr><td>{escape(row['file'])}</td>"
            f'<td class="lx-key"><code>{escape(row["path"])}</code></td>'
            f'<td class="lx-key">{escape(row["change"])}</td>{sides}{expected}</tr>'
        )
    truth_head = "<th>Expected</th>" if "expected" in changes.columns else ""
    more = ""
    if len(changes) > limit:
        more = f'<div class="lx-note">{len(changes) - limit:,} more: <code>.changes</code>.</div>'
    return (
        f"<details open><summary><b>Changed values</b> ({len(changes):,})</summary>"
        '<table class="lx-changes"><thead><tr><th>File</th><th>Field</th><th>Change</th>'
        f"<th>{escape(first)}</th><th>{escape(last)}</th>{truth_head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{more}</details>"
    )
