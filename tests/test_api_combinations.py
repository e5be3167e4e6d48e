"""Option combinations the service documents as unsupported (api/combinations.py)."""

from __future__ import annotations

from typing import Any

import pytest

from llamaextract_nb.api.combinations import spreadsheet_input_problem, unsupported_combinations


@pytest.mark.parametrize(
    ("configuration", "option"),
    [
        ({"tier": "agentic_plus", "extraction_target": "per_page"}, "extraction_target"),
        ({"tier": "agentic_plus", "extraction_target": "per_table_row"}, "extraction_target"),
        ({"spreadsheet_mode": True}, "spreadsheet_mode"),
        ({"tier": "agentic", "spreadsheet_mode": True}, "spreadsheet_mode"),
        ({"sheet_names": ["Sheet1"]}, "sheet_names"),
        ({"tier": "turbo", "parse_tier": "fast"}, "parse_tier"),
        ({"tier": "turbo", "parse_config_id": "cfg-1"}, "parse_config_id"),
    ],
)
def test_documented_unsupported_combinations_are_named(
    configuration: dict[str, Any], option: str
) -> None:
    assert [name for name, _ in unsupported_combinations(configuration)] == [option]


@pytest.mark.parametrize(
    "configuration",
    [
        {},
        {"tier": "agentic_plus", "extraction_target": "per_doc"},
        {"tier": "agentic", "extraction_target": "per_table_row"},
        {"tier": "agentic_plus", "spreadsheet_mode": True, "sheet_names": ["Q1"]},
        {"tier": "agentic", "parse_tier": "fast"},
        {"tier": "turbo", "parse_tier": None},
    ],
)
def test_supported_combinations_pass(configuration: dict[str, Any]) -> None:
    assert unsupported_combinations(configuration) == []


def test_spreadsheet_mode_reads_spreadsheets_only() -> None:
    on = {"tier": "agentic_plus", "spreadsheet_mode": True}
    assert spreadsheet_input_problem(on, "q1.XLSX") == ""
    assert "'q1.pdf' is not one" in spreadsheet_input_problem(on, "q1.pdf")
    assert spreadsheet_input_problem({}, "q1.pdf") == ""
