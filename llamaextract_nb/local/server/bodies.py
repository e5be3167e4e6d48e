"""Request bodies the server accepts, with the service's enums and defaults."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Tier = Literal["cost_effective", "agentic", "agentic_plus", "turbo"]
Target = Literal["per_doc", "per_page", "per_table_row"]
ParseTier = Literal["fast", "cost_effective", "agentic", "agentic_plus"]
Status = Literal["PENDING", "THROTTLED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]

_PAGES = re.compile(r"^\s*\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*$")


class ConfigurationIn(BaseModel):
    """An inline ``configuration`` (spec section 4); unknown and legacy keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    data_schema: dict[str, Any]
    tier: Tier = "cost_effective"
    version: str = "latest"
    extraction_target: Target = "per_doc"
    cite_sources: bool = False
    confidence_scores: bool = False
    advanced_citations: bool = True
    system_prompt: str | None = None
    target_pages: str | None = None
    max_pages: int | None = Field(default=None, ge=1)
    parse_tier: ParseTier | None = None
    parse_config_id: str | None = None
    disable_cache: bool = False
    spreadsheet_mode: bool = False
    sheet_names: list[str] | None = None

    @field_validator("target_pages")
    @classmethod
    def _pages(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _PAGES.match(value) or any(int(n) < 1 for n in re.findall(r"\d+", value)):
            raise ValueError('use 1-based pages and ranges separated by commas, e.g. "1,3,5-7"')
        return value.strip()


class JobCreateIn(BaseModel):
    """Body of ``POST /api/v2/extract``; ``document_input_value`` is accepted for ``file_input``."""

    model_config = ConfigDict(extra="ignore")

    file_input: str = Field(max_length=200, description="A file id (dfl-...) or parse job id.")
    configuration: ConfigurationIn | None = None
    configuration_id: str | None = None
    webhook_configurations: list[dict[str, Any]] | None = None
    webhook_configuration_ids: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_input_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and "file_input" not in data and "document_input_value" in data:
            return {**data, "file_input": data["document_input_value"]}
        return data


class SchemaIn(BaseModel):
    """Body of ``POST /api/v2/extract/schema/validation``."""

    data_schema: dict[str, Any]
