"""How each field's grades moved from one run to the next, on the same truth:
``total_amount 7/10 -> 9/10``. The Studio's Evaluation tab shows it after every run."""

from __future__ import annotations

import pandas as pd

from llamaextract_nb.evaluate.evaluation import Evaluation
from llamaextract_nb.results.html import escape, wrap

DELTA_COLUMNS = ("field", "correct_before", "graded_before", "correct_after", "graded_after")


def field_delta(before: Evaluation, after: Evaluation) -> pd.DataFrame:
    """One row per field graded in either run: correct and graded counts before and after,
    ``change`` (correct after minus before, as shares of the graded values) and ``trend``
    (``improved``, ``regressed`` or ``same``); regressions first, then improvements."""
    sides = []
    for evaluation, side in ((before, "before"), (after, "after")):
        summary = evaluation.summary
        sides.append(
            pd.DataFrame(
                {
                    "field": summary["field"],
                    f"correct_{side}": summary["correct"].astype(int),
                    f"graded_{side}": summary["graded"].astype(int),
                    f"accuracy_{side}": summary["accuracy"].astype(float),
                }
            )
        )
    frame = sides[0].merge(sides[1], on="field", how="outer")
    for column in DELTA_COLUMNS[1:]:
        frame[column] = frame[column].fillna(0).astype(int)
    frame["change"] = frame["accuracy_after"].fillna(0.0) - frame["accuracy_before"].fillna(0.0)
    frame["trend"] = "same"
    frame.loc[frame["change"] > 1e-9, "trend"] = "improved"
    frame.loc[frame["change"] < -1e-9, "trend"] = "regressed"
    order = frame["trend"].map({"regressed": 0, "improved": 1, "same": 2})
    frame = frame.assign(_order=order).sort_values(["_order", "change", "field"], kind="stable")
    columns = [*DELTA_COLUMNS, "accuracy_before", "accuracy_after", "change", "trend"]
    return frame[columns].reset_index(drop=True)


def field_delta_html(delta: pd.DataFrame, before: str, after: str) -> str:
    """The delta as lines ``field  7/10 -> 9/10``: improvements green, regressions red."""
    if delta.empty:
        return wrap('<div class="lx-note">Nothing was graded in either run.</div>')
    moved = delta[delta["trend"] != "same"]
    rows = []
    for row in delta.itertuples(index=False):
        trend = str(row.trend)
        css = {"improved": "lx-better", "regressed": "lx-worse"}.get(trend, "lx-muted")
        arrow = {"improved": "▲", "regressed": "▼"}.get(trend, "=")
        rows.append(
            f'<tr class="lx-delta-{trend}"><td><code>{escape(row.field)}</code></td>'
            f"<td>{row.correct_before}/{row.graded_before}</td><td>→</td>"
            f'<td class="{css}">{row.correct_after}/{row.graded_after} {arrow}</td></tr>'
        )
    head = (
        f"<div><b>Against run {escape(before)}</b> (same documents, same truth): "
        f"{(moved['trend'] == 'improved').sum()} field(s) improved, "
        f"{(moved['trend'] == 'regressed').sum()} regressed, "
        f"{len(delta) - len(moved)} unchanged.</div>"
    )
    table = (
        f'<table class="lx-summary lx-delta"><thead><tr><th>field</th><th>run {escape(before)}</th>'
        f"<th></th><th>run {escape(after)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    style = (
        "<style>.lxnb .lx-better{color:var(--jp-success-color1,#2e9d4a);font-weight:600}"
        ".lxnb .lx-worse{color:var(--jp-error-color1,#d9453c);font-weight:600}</style>"
    )
    return wrap(style + head + table)
