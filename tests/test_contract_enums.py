"""The configuration enums and fields are written once (api/models.py), agree with the spec,
and are the very objects the local server's bodies, engine and store use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from llamaextract_nb.api import models
from llamaextract_nb.local.engine import pipeline
from llamaextract_nb.local.server import bodies
from llamaextract_nb.local.store import db

SPEC = Path(__file__).resolve().parent / "spec" / "extract-configuration.md"


def spec_rows() -> dict[str, list[str]]:
    """Each table row of the excerpt: the field name and its cells."""
    rows: dict[str, list[str]] = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        match = re.fullmatch(r"`(\w+)`", cells[0]) if cells else None
        if match and len(cells) > 2:
            rows[match.group(1)] = cells
    return rows


def allowed(cell: str) -> tuple[str, ...]:
    """The backticked values of a cell, in order (notes in parentheses ignored)."""
    return tuple(re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", cell)))


def test_enums_agree_with_the_spec() -> None:
    rows = spec_rows()
    assert allowed(rows["tier"][3]) == models.TIERS
    assert allowed(rows["extraction_target"][3]) == models.EXTRACTION_TARGETS
    assert allowed(rows["parse_tier"][3]) == models.PARSE_TIERS
    assert allowed(rows["status"][1]) == models.JOB_STATUSES
    assert set(models.UNFINISHED_STATUSES) | models.TERMINAL_STATUSES == set(models.JOB_STATUSES)


def test_configuration_fields_agree_with_the_spec() -> None:
    fields = [name for name in spec_rows() if name not in ("status", "configuration_id")]
    fields = fields[fields.index("data_schema") :]
    assert list(models.ExtractConfiguration.model_fields) == fields
    assert list(bodies.ConfigurationIn.model_fields) == fields


def test_the_local_server_uses_the_same_definitions() -> None:
    config = bodies.ConfigurationIn.model_fields
    assert config["tier"].annotation is models.Tier
    assert config["extraction_target"].annotation is models.ExtractionTarget
    assert get_args(config["parse_tier"].annotation)[0] is models.ParseTier
    assert pipeline.EXTRACTION_TARGETS is models.EXTRACTION_TARGETS
    assert db.NON_TERMINAL is models.UNFINISHED_STATUSES
    for name, field in models.ExtractConfiguration.model_fields.items():
        assert config[name].default == field.default, name
