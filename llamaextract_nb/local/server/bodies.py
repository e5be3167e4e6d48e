"""Request bodies the server accepts, with the service's enums and defaults."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from llamaextract_nb.api.combinations import unsupported_combinations
from llamaextract_nb.api.models import ExtractionTarget, ParseTier, Tier
from llamaextract_nb.api.pages import parse_pages
from llamaextract_nb.local.server.limits import MAX_SYSTEM_PROMPT_CHARS
from llamaextract_nb.schema.refs import SchemaError, check_expandable

SCHEMA_LIMIT = "schema_limit"
"""The error type of a schema refused before anything recursive reads it (answered 400)."""


def bounded_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` if its nesting and ``$ref`` expansion are within bounds (checked without
    recursion, before pydantic or the routes serialise it), else a ``schema_limit`` error."""
    try:
        check_expandable(schema)
    except SchemaError as exc:
        raise PydanticCustomError(SCHEMA_LIMIT, "{reason}", {"reason": str(exc)}) from None
    return schema


DataSchema = Annotated[dict[str, Any], AfterValidator(bounded_schema)]


class ConfigurationIn(BaseModel):
    """An inline ``configuration`` (spec section 4); unknown and legacy keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    data_schema: DataSchema
    tier: Tier = "cost_effective"
    version: str = "latest"
    extraction_target: ExtractionTarget = "per_doc"
    cite_sources: bool = False
    confidence_scores: bool = False
    advanced_citations: bool = True
    system_prompt: str | None = Field(default=None, max_length=MAX_SYSTEM_PROMPT_CHARS)
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
        parse_pages(value)  # a PageSpecError (ValueError) becomes the 422's message
        return value.strip()

    @model_validator(mode="after")
    def _supported(self) -> ConfigurationIn:
        problems = unsupported_combinations(self.model_dump())
        if problems:
            raise ValueError("; ".join(message for _, message in problems))
        return self


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

    data_schema: DataSchema
