# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""extract() and extract_many() take the configuration options as real typed keyword
parameters (one per ExtractConfiguration field), send only those given, and say what they
return."""

from __future__ import annotations

import inspect
import json
from typing import Any, get_type_hints

import httpx
from client_fakes import (  # noqa: F401  (clock, make_runner are fixtures)
    FILE_ID,
    JOB_ID,
    FakeClock,
    ScriptedAPI,
    clock,
    example,
    job_json,
    make_runner,
)

from llamaextract_nb.api.models import ExtractConfiguration
from llamaextract_nb.client import AsyncClient, Client
from llamaextract_nb.client.configuration import OPTION_NAMES, ExtractOptions

METHODS = [
    (Client.extract, "ExtractResult"),
    (AsyncClient.extract, "ExtractResult"),
    (Client.extract_many, "BatchResult"),
    (AsyncClient.extract_many, "BatchResult"),
]


def test_options_are_the_configuration_fields() -> None:
    fields = [name for name in ExtractConfiguration.model_fields if name != "data_schema"]
    assert list(OPTION_NAMES) == fields
    assert list(get_type_hints(ExtractOptions)) == fields


def test_each_option_is_a_typed_keyword_parameter_defaulting_to_unset() -> None:
    declared = {  # TypedDict keeps string annotations as ForwardRefs
        name: getattr(hint, "__forward_arg__", hint)
        for name, hint in ExtractOptions.__annotations__.items()
    }
    for method, returns in METHODS:
        parameters = inspect.signature(method).parameters
        assert not any(p.kind is p.VAR_KEYWORD for p in parameters.values()), method
        assert inspect.signature(method).return_annotation == returns, method
        for name in OPTION_NAMES:
            parameter = parameters[name]
            wanted = declared[name]
            wanted = wanted if wanted.endswith("| None") else f"{wanted} | None"
            assert parameter.kind is parameter.KEYWORD_ONLY, (method, name)
            assert parameter.default is None, (method, name)
            assert parameter.annotation == wanted, (method, name)


def test_only_the_options_given_are_sent(make_runner: Any, clock: FakeClock) -> None:
    done = httpx.Response(200, json=example("04_job_completed_per_doc_expanded"))
    api = (
        ScriptedAPI()
        .on("GET", "/api/v2/extract", httpx.Response(200, json={"items": []}))
        .on("POST", "/api/v2/extract", httpx.Response(200, json=job_json("PENDING")))
        .on("GET", f"/api/v2/extract/{JOB_ID}", done)
    )
    schema = {"type": "object", "properties": {"total": {"type": "number"}}}
    make_runner(api)(
        "extract", FILE_ID, schema, tier="agentic", cite_sources=False, target_pages="1-2"
    )
    (create,) = api.calls("POST", "/api/v2/extract")
    sent = json.loads(create.content)["configuration"]
    assert sent == {
        "data_schema": schema,
        "tier": "agentic",
        "cite_sources": False,
        "target_pages": "1-2",
    }
