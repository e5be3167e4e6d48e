"""Option combinations the service documents as unsupported (spec section 4).

The local server refuses them at create (so work designed offline does not break on
LlamaCloud) and the Studio's options panel shows the same message before a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SPREADSHEET_EXTENSIONS = ("xlsx", "xls", "csv")
"""The inputs ``spreadsheet_mode`` reads."""


def unsupported_combinations(configuration: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(option, message)`` for each documented-unsupported combination in ``configuration``
    (a configuration dict with the service's option names; absent options take defaults)."""
    tier = configuration.get("tier") or "cost_effective"
    target = configuration.get("extraction_target") or "per_doc"
    spreadsheet = bool(configuration.get("spreadsheet_mode"))
    problems: list[tuple[str, str]] = []
    if tier == "agentic_plus" and target != "per_doc":
        problems.append(
            (
                "extraction_target",
                f"tier 'agentic_plus' supports extraction_target 'per_doc' only (got "
                f"{target!r}); use tier 'agentic' or 'cost_effective' for {target}",
            )
        )
    if spreadsheet and tier != "agentic_plus":
        problems.append(
            ("spreadsheet_mode", f"spreadsheet_mode needs tier 'agentic_plus' (got {tier!r})")
        )
    if configuration.get("sheet_names") and not spreadsheet:
        problems.append(("sheet_names", "sheet_names applies only with spreadsheet_mode: true"))
    for option in ("parse_tier", "parse_config_id"):
        if tier == "turbo" and configuration.get(option) is not None:
            problems.append((option, f"{option} is not supported with tier 'turbo'"))
    return problems


def spreadsheet_input_problem(configuration: Mapping[str, Any], file_name: str) -> str:
    """Why ``file_name`` cannot go through ``spreadsheet_mode``, or ``""``."""
    if not configuration.get("spreadsheet_mode"):
        return ""
    _, dot, extension = file_name.rpartition(".")
    if dot and extension.lower() in SPREADSHEET_EXTENSIONS:
        return ""
    return (
        f"spreadsheet_mode reads {', '.join('.' + e for e in SPREADSHEET_EXTENSIONS)} files; "
        f"{file_name!r} is not one (turn spreadsheet_mode off for other documents)"
    )
