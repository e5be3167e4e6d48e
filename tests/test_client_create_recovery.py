# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""After an ambiguous create, the job is found by what identifies the create, not by the
echoed configuration: a service that fills in defaults and rewrites the schema (keys
reordered, descriptions and additionalProperties added, nullable respelled) is still
recognised, so no second job is made; echoes that contradict what was sent are not taken.
Sync and async, through a stateful fake service."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
from client_fakes import (  # noqa: F401  (clock, make_runner are fixtures)
    FILE_ID,
    FakeClock,
    clock,
    example,
    make_runner,
)

from llamaextract_nb.api.models import ExtractConfiguration, ExtractJob
from llamaextract_nb.client.recovery import JobMatcher

EXTRACT = "/api/v2/extract"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "total": {"type": ["number", "null"], "description": "Amount due"},
        "vendor": {"type": "object", "properties": {"name": {"type": "string"}}},
    },
}
DEFAULTS = {
    "tier": "cost_effective",
    "extraction_target": "per_doc",
    "cite_sources": False,
    "confidence_scores": False,
    "advanced_citations": True,
    "system_prompt": None,
    "target_pages": None,
    "max_pages": None,
    "parse_tier": None,
    "parse_config_id": None,
    "disable_cache": False,
    "spreadsheet_mode": False,
    "sheet_names": None,
}


def rewritten(schema: Any) -> Any:
    """What a normalising service might echo: keys reversed, each object closed and
    described, ``type: [X, "null"]`` spelled as ``anyOf``."""
    if isinstance(schema, list):
        return [rewritten(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    node = {key: rewritten(schema[key]) for key in reversed(list(schema))}
    if isinstance(node.get("type"), list):
        kinds = node.pop("type")
        node["anyOf"] = [{"type": kind} for kind in kinds]
    if node.get("type") == "object":
        node.setdefault("additionalProperties", False)
        node.setdefault("description", "")
    return node


@dataclass
class RewritingService:
    """Creates the job, rewrites its configuration, then loses the create's answer once."""

    jobs: list[dict[str, Any]] = field(default_factory=list)
    creates: int = 0
    lose_next_answer: bool = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == EXTRACT:
            return self.create(request)
        if request.method == "GET" and request.url.path == EXTRACT:
            params = parse_qs(request.url.query.decode())
            items = [j for j in self.jobs if j["file_input"] == params["file_input"][0]]
            return httpx.Response(200, json={"items": items[::-1], "next_page_token": None})
        if request.method == "GET" and request.url.path.startswith(EXTRACT + "/"):
            job_id = request.url.path.rsplit("/", 1)[1]
            assert any(j["id"] == job_id for j in self.jobs)
            done = example("04_job_completed_per_doc_expanded")
            return httpx.Response(200, json={**done, "id": job_id, "status": "COMPLETED"})
        return httpx.Response(404, json={"detail": "no route"})

    def create(self, request: httpx.Request) -> httpx.Response:
        self.creates += 1
        body = json.loads(request.content)
        sent = body["configuration"]
        echo = {**DEFAULTS, **sent, "version": "2.19.0"}
        echo["data_schema"] = rewritten(copy.deepcopy(sent["data_schema"]))
        job = {
            "id": f"ext-00000000-0000-4000-8000-{self.creates:012d}",
            "status": "PENDING",
            "file_input": body["file_input"],
            "created_at": f"2026-04-12T10:00:{self.creates:02d}Z",
            "configuration": echo,
        }
        self.jobs.append(job)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise httpx.ReadError("connection reset by peer", request=request)
        return httpx.Response(200, json=job)


def test_a_rewritten_echo_is_recognised_and_no_second_job_is_made(
    make_runner: Any, clock: FakeClock
) -> None:
    service = RewritingService()
    result = make_runner(service)("extract", FILE_ID, SCHEMA, tier="agentic", cite_sources=True)
    assert service.creates == 1  # before: the echo did not match, and a second job was made
    assert result.job.id == service.jobs[0]["id"]


def test_a_create_that_never_landed_is_sent_again_despite_a_strangers_job(
    make_runner: Any, clock: FakeClock
) -> None:
    service = RewritingService(lose_next_answer=False)
    stranger = {"type": "object", "properties": {"iban": {"type": "string"}}}
    service.jobs.append(
        {
            "id": "ext-99999999-0000-4000-8000-000000000000",
            "status": "PENDING",
            "file_input": FILE_ID,
            "created_at": "2026-04-12T10:00:30Z",
            "configuration": {**DEFAULTS, "data_schema": stranger},
        }
    )

    def lost_before_landing(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and not getattr(lost_before_landing, "failed", False):
            lost_before_landing.failed = True  # type: ignore[attr-defined]
            raise httpx.ConnectError("connection refused", request=request)
        return service(request)

    runner = make_runner(lost_before_landing)
    result = runner("extract", FILE_ID, SCHEMA)
    assert service.creates == 1 and result.job.id == service.jobs[-1]["id"]


def matcher(**options: Any) -> JobMatcher:
    return JobMatcher(FILE_ID, ExtractConfiguration(data_schema=SCHEMA, **options), 0.0)


def job(job_id: str, created: str, schema: Any, **options: Any) -> ExtractJob:
    config = {**DEFAULTS, "data_schema": schema, **options}
    return ExtractJob.model_validate(
        {"id": job_id, "status": "PENDING", "created_at": created, "configuration": config}
    )


def test_the_schema_counts_as_far_as_the_echo_lets_it_be_compared() -> None:
    exact = job("ext-3", "2026-04-12T10:00:03Z", SCHEMA)
    same_fields = job("ext-2", "2026-04-12T10:00:02Z", rewritten(SCHEMA))
    no_schema = ExtractJob.model_validate(
        {"id": "ext-1", "status": "PENDING", "created_at": "2026-04-12T10:00:01Z"}
    )
    other_fields = job("ext-0", "2026-04-12T10:00:00Z", {"type": "object", "properties": {}})
    everything = [other_fields, no_schema, same_fields, exact]
    assert matcher().pick(everything) is exact  # byte for byte first, though latest
    assert matcher().pick(everything[:3]) is same_fields  # then the same fields
    assert matcher().pick(everything[:2]) is no_schema  # then an echo without a schema
    assert matcher().pick(everything[:1]) is None  # other fields: another create's


def test_options_sent_are_compared_and_defaults_filled_in_are_not() -> None:
    filled = job("ext-1", "2026-04-12T10:00:01Z", SCHEMA, tier="agentic")
    assert matcher(tier="agentic").pick([filled]) is filled
    assert matcher().pick([filled]) is filled  # tier was not sent: the service chose it
    assert matcher(tier="agentic", cite_sources=True).pick([filled]) is None
