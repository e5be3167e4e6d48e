"""Build the inline extraction configuration from a schema and keyword options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

from typing_extensions import Unpack

from llamaextract_nb.api.models import ExtractConfiguration, ExtractionTarget, ParseTier, Tier
from llamaextract_nb.schema import to_json_schema


class ExtractOptions(TypedDict, total=False):
    """The configuration options accepted next to a schema (spec section 4); each one left
    out is not sent, so the service applies its own default."""

    tier: Tier
    version: str
    extraction_target: ExtractionTarget
    cite_sources: bool
    confidence_scores: bool
    advanced_citations: bool
    system_prompt: str | None
    target_pages: str | None
    max_pages: int | None
    parse_tier: ParseTier | None
    parse_config_id: str | None
    disable_cache: bool
    spreadsheet_mode: bool
    sheet_names: list[str] | None


OPTION_NAMES: tuple[str, ...] = tuple(
    name for name in ExtractConfiguration.model_fields if name != "data_schema"
)
"""Every keyword option accepted next to the schema (the fields of ExtractConfiguration)."""


def given_options(arguments: Mapping[str, Any]) -> ExtractOptions:
    """The options among a call's ``arguments`` (its ``locals()``) that were given, i.e. not
    None: how ``extract()`` and ``extract_many()`` turn their keyword parameters into the
    options to send."""
    chosen = {name: arguments[name] for name in OPTION_NAMES if arguments.get(name) is not None}
    return cast(ExtractOptions, chosen)


def build_configuration(schema: Any, **options: Unpack[ExtractOptions]) -> ExtractConfiguration:
    """An :class:`ExtractConfiguration` from any schema input and configuration options.

    ``schema`` is a dict, JSON string, ``.json`` path or pydantic model class (see
    :func:`~llamaextract_nb.schema.to_json_schema`); ``options`` are configuration fields such
    as ``tier="agentic"``, ``cite_sources=True``, ``target_pages="1-3"``. Only the options given
    are sent, so the service applies its own defaults to the rest.
    """
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(
            f"unknown extraction option{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}; valid options are: {', '.join(OPTION_NAMES)}"
        )
    return ExtractConfiguration(data_schema=to_json_schema(schema), **options)


def coerce_configuration(
    configuration: ExtractConfiguration | Mapping[str, Any],
) -> ExtractConfiguration:
    """Accept a ready configuration or a dict of its fields (``data_schema`` in any schema form)."""
    if isinstance(configuration, ExtractConfiguration):
        return configuration
    if isinstance(configuration, Mapping):
        fields = dict(configuration)
        if "data_schema" not in fields:
            raise TypeError("a configuration dict needs a 'data_schema' (the JSON schema)")
        schema = fields.pop("data_schema")
        return build_configuration(schema, **fields)
    raise TypeError(
        "configuration must be an ExtractConfiguration or a dict, "
        f"not {type(configuration).__name__}"
    )


def configuration_body(configuration: ExtractConfiguration) -> dict[str, Any]:
    """The JSON sent for ``configuration``: the fields that were set (plus any extra keys)."""
    return configuration.model_dump(mode="json", exclude_unset=True)
