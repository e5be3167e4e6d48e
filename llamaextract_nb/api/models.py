"""Pydantic models of the LlamaExtract v2 wire contract.

Tolerant by design: unknown keys are kept (``extra="allow"``), status and tier strings
are plain ``str`` (the known values are listed as constants), optional keys may be missing
or null. Every parsed object keeps the JSON it came from in ``.raw``.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

# --- the contract's enums: defined here once, imported by every layer and the local server

Tier = Literal["cost_effective", "agentic", "agentic_plus", "turbo"]
ExtractionTarget = Literal["per_doc", "per_page", "per_table_row"]
ParseTier = Literal["fast", "cost_effective", "agentic", "agentic_plus"]
KnownStatus = Literal["PENDING", "THROTTLED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]

JobStatus = str
"""A job status: one of :data:`JOB_STATUSES` or any string the service adds later."""

JOB_STATUSES: tuple[KnownStatus, ...] = get_args(KnownStatus)
TERMINAL_STATUSES: frozenset[str] = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
UNFINISHED_STATUSES: tuple[KnownStatus, ...] = ("PENDING", "THROTTLED", "RUNNING")
TIERS: tuple[Tier, ...] = get_args(Tier)
EXTRACTION_TARGETS: tuple[ExtractionTarget, ...] = get_args(ExtractionTarget)
PARSE_TIERS: tuple[ParseTier, ...] = get_args(ParseTier)
FILE_PURPOSES = ("user_data", "parse", "extract", "split", "classify", "sheet", "agent_app")
EXPAND_VALUES = ("configuration", "extract_metadata", "usage", "metadata")


class WireModel(BaseModel):
    """Base of every wire model: keeps unknown keys and the raw JSON it was parsed from."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    _raw: Any = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler: Any) -> Any:
        obj = handler(data)
        if isinstance(obj, WireModel) and isinstance(data, dict):
            obj._raw = data
        return obj

    @property
    def raw(self) -> Any:
        """The JSON this object was parsed from (or its dump when built in code)."""
        return self._raw if self._raw is not None else self.model_dump(mode="json")


# --- files ---------------------------------------------------------------------------


class PresignedURL(WireModel):
    url: str
    expires_at: str
    form_fields: dict[str, str] | None = None


class File(WireModel):
    """An uploaded file (``/api/v1/beta/files``)."""

    id: str
    name: str
    project_id: str | None = None
    file_type: str | None = None
    purpose: str | None = None
    external_file_id: str | None = None
    last_modified_at: str | None = None
    expires_at: str | None = None
    download_url: PresignedURL | None = None


class Page(WireModel):
    """A cursor page envelope: ``items``, ``next_page_token``, ``total_size``."""

    items: list[Any] = Field(default_factory=list)
    next_page_token: str | None = None
    total_size: int | None = None


# --- configuration -------------------------------------------------------------------


class ExtractConfiguration(WireModel):
    """Inline extraction configuration (spec section 4), with the service's defaults."""

    data_schema: dict[str, Any]
    tier: str = "cost_effective"
    version: str = "latest"
    extraction_target: str = "per_doc"
    cite_sources: bool = False
    confidence_scores: bool = False
    advanced_citations: bool = True
    system_prompt: str | None = None
    target_pages: str | None = None
    max_pages: int | None = Field(default=None, ge=1)
    parse_tier: str | None = None
    parse_config_id: str | None = None
    disable_cache: bool = False
    spreadsheet_mode: bool = False
    sheet_names: list[str] | None = None


class WebhookConfiguration(WireModel):
    webhook_url: str | None = None
    webhook_headers: dict[str, str] | None = None
    webhook_events: list[str] | None = None
    webhook_output_format: str | None = None
    webhook_signing_secret: str | None = None


class JobCreate(WireModel):
    """Body of ``POST /api/v2/extract``: exactly one of ``configuration`` / ``configuration_id``."""

    file_input: str = Field(max_length=200)
    configuration: ExtractConfiguration | None = None
    configuration_id: str | None = None
    webhook_configurations: list[WebhookConfiguration] | None = None
    webhook_configuration_ids: list[str] | None = None


# --- metadata ------------------------------------------------------------------------


class BoundingBox(WireModel):
    x: float
    y: float
    w: float
    h: float


class PageDimensions(WireModel):
    width: float
    height: float


class Citation(WireModel):
    """Where a value came from: 1-based page, verbatim text, boxes in PDF points."""

    page: int | None = None
    matching_text: str | None = None
    bounding_boxes: list[BoundingBox] | None = None
    page_dimensions: PageDimensions | None = None


class FieldMetadata(WireModel):
    """Per-field metadata entry; every key may be absent."""

    citation: list[Citation] | None = None
    confidence: float | None = None
    extraction_confidence: float | None = None
    parsing_confidence: float | None = None
    reasoning: str | None = None


class FieldMetadataTree(WireModel):
    """``extract_metadata.field_metadata``: one of the three layouts is filled."""

    document_metadata: dict[str, Any] | None = None
    page_metadata: list[Any] | None = None
    row_metadata: list[Any] | None = None


class ExtractMetadata(WireModel):
    field_metadata: FieldMetadataTree | None = None
    parse_job_id: str | None = None
    parse_tier: str | None = None


class JobUsageCounts(WireModel):
    num_pages_extracted: int | None = None
    num_pages_billed: int | None = None


class JobMetadata(WireModel):
    usage: JobUsageCounts | None = None


class Usage(WireModel):
    credits: float | None = None
    extract_credits: float | None = None
    parse_credits: float | None = None


# --- jobs ----------------------------------------------------------------------------


class ExtractJob(WireModel):
    """An extraction job (``ExtractV2Job``)."""

    id: str
    status: JobStatus
    file_input: str | None = None
    project_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    configuration_id: str | None = None
    configuration: ExtractConfiguration | None = None
    error_message: str | None = None
    extract_result: dict[str, Any] | list[Any] | None = None
    extract_metadata: ExtractMetadata | None = None
    metadata: JobMetadata | None = None
    usage: Usage | None = None

    @property
    def is_terminal(self) -> bool:
        """True once the job is COMPLETED, FAILED or CANCELLED."""
        return self.status in TERMINAL_STATUSES


class SchemaValidation(WireModel):
    """Body and answer of ``POST /api/v2/extract/schema/validation``."""

    data_schema: dict[str, Any]


class ValidationErrorItem(WireModel):
    """One entry of a FastAPI 422 ``detail`` list."""

    type: str | None = None
    loc: list[str | int] = Field(default_factory=list)
    msg: str = ""
    input: Any = None
    ctx: dict[str, Any] | None = None


class ErrorBody(WireModel):
    """Every error body: ``{"detail": str}`` or a 422 list."""

    detail: str | list[ValidationErrorItem] | Any = None


ExpandValue = Literal["configuration", "extract_metadata", "usage", "metadata"]
