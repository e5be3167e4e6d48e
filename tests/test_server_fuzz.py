"""Schemathesis against the server's own OpenAPI document: no input makes it answer 5xx,
and documented answers match their declared schemas and content types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from servers import start_server

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES_PER_OPERATION = 25  # per operation and generation mode (valid and invalid input)


def test_no_generated_request_gets_a_server_error(tmp_path: Path) -> None:
    server = start_server(tmp_path / "fuzz", workers=1)
    headers = {"Authorization": f"Bearer {server.api_key}"}
    try:
        schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 19  # files 6 + download link, extract 7, configurations 5
        for operation in operations:
            strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
                GenerationMode.NEGATIVE
            )

            @given(case=strategy)
            @settings(
                max_examples=2 * EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def check(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            check()
    finally:
        server.stop()
