"""Small HTML helpers shared by the Studio parts (everything user-provided is escaped)."""

from __future__ import annotations

from html import escape

STATUS_COLOURS = {
    "UPLOADING": "#6b7280",
    "PENDING": "#6b7280",
    "THROTTLED": "#b45309",
    "RUNNING": "#1d4ed8",
    "COMPLETED": "#15803d",
    "FAILED": "#b91c1c",
    "CANCELLED": "#6b7280",
}


TABLE_CSS = (
    "<style>.lxnb-table{border-collapse:collapse;font-size:13px}"
    ".lxnb-table th,.lxnb-table td{padding:3px 10px;text-align:left;vertical-align:top;"
    "border-bottom:1px solid var(--jp-border-color2,#d1d5db)}"
    ".lxnb-table th{font-weight:600}"
    ".lxnb-result-table td{white-space:nowrap;max-width:320px;overflow:hidden;"
    "text-overflow:ellipsis}</style>"
)
"""Styles of the tables the Studio draws (theme colours where JupyterLab provides them)."""

MUTED = "var(--jp-ui-font-color2,#4b5563)"


def badge(status: str) -> str:
    """A coloured status label."""
    colour = STATUS_COLOURS.get(status, "#6b7280")
    return (
        f'<span class="lxnb-status" style="display:inline-block;min-width:88px;text-align:center;'
        f"padding:1px 6px;border-radius:4px;color:#fff;background:{colour};"
        f'font-size:12px;font-weight:600">{escape(status)}</span>'
    )


def message(text: str, kind: str = "error") -> str:
    """A one-line message: ``error``, ``warning`` or ``info``."""
    if not text:
        return ""
    colour = {"error": "#b91c1c", "warning": "#b45309", "info": "#374151"}.get(kind, "#374151")
    return f'<div style="color:{colour};white-space:pre-wrap">{escape(text)}</div>'


def human_size(size: int) -> str:
    """``1.2 MB`` style size."""
    if size < 1000:
        return f"{size} B"
    value = size / 1000
    for unit in ("KB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
