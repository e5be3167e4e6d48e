# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""One source for both clients: the blocking modules are generated from the async ones and
kept in step, and Client / AsyncClient (and their resources) expose the same signatures."""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import re
from pathlib import Path
from typing import Any

import httpx
from client_fakes import (  # noqa: F401  (clock is a fixture)
    API_KEY,
    BASE_URL,
    FILE_ID,
    JOB_ID,
    FakeClock,
    ScriptedAPI,
    clock,
    example,
    job_json,
)

from llamaextract_nb.client import AsyncClient, Client

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "unasync.py"
RESOURCES = ("files", "jobs")


def _unasync_script() -> Any:
    spec = importlib.util.spec_from_file_location("unasync", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_modules_are_in_step_with_their_async_source() -> None:
    for path, text in _unasync_script().generated().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: edit its async source, then run python scripts/unasync.py"
        )


def _blocking(annotation: str) -> str:
    """An async annotation written as its blocking counterpart."""
    annotation = re.sub(r"\bAwaitable\[(.*)\]", r"\1", annotation)
    return re.sub(r"\bAsync(?=[A-Z])", "", annotation)


def _surface(obj: Any) -> dict[str, Any]:
    """Public callables of ``obj``'s class: name -> (parameters, return annotation)."""
    surface = {}
    for name, member in inspect.getmembers(type(obj)):
        if name.startswith("_") and name not in ("__enter__", "__aenter__"):
            continue
        if isinstance(member, property) or not callable(member):
            continue
        signature = inspect.signature(member)
        parameters = [
            (p.name, p.kind, repr(p.default), _blocking(str(p.annotation)))
            for p in signature.parameters.values()
        ]
        name = {"__aenter__": "__enter__"}.get(name, name)
        surface[name] = (parameters, _blocking(str(signature.return_annotation)))
    return surface


def test_client_and_async_client_have_the_same_signatures() -> None:
    sync, async_ = (
        Client(base_url="http://x", api_key="k"),
        AsyncClient(base_url="http://x", api_key="k"),
    )
    pairs = [(sync, async_)] + [(getattr(sync, r), getattr(async_, r)) for r in RESOURCES]
    for blocking, asynchronous in pairs:
        mine, theirs = _surface(blocking), _surface(asynchronous)
        assert sorted(mine) == sorted(theirs), type(blocking).__name__
        for name, signature in mine.items():
            assert signature == theirs[name], f"{type(blocking).__name__}.{name}"
    assert [r for r in RESOURCES if hasattr(sync, r)] == list(RESOURCES)


def test_async_methods_are_coroutines_and_blocking_ones_are_not() -> None:
    sync, async_ = (
        Client(base_url="http://x", api_key="k"),
        AsyncClient(base_url="http://x", api_key="k"),
    )
    for name in ("wait", "extract", "extract_many", "close", "suggest_schema"):
        assert inspect.iscoroutinefunction(getattr(async_, name)), name
        assert not inspect.iscoroutinefunction(getattr(sync, name)), name
    assert inspect.iscoroutinefunction(async_.jobs.create)
    assert not inspect.iscoroutinefunction(sync.jobs.create)


def test_create_once_functions_have_blocking_twins_of_the_same_signature() -> None:
    from llamaextract_nb.client import create_once, create_once_sync

    functions = [
        n for n in create_once.__all__ if inspect.iscoroutinefunction(getattr(create_once, n))
    ]
    assert {"create_job_once", "upload_once", "start_extraction"} <= set(functions)
    for name in functions:
        asynchronous, blocking = getattr(create_once, name), getattr(create_once_sync, name)
        assert not inspect.iscoroutinefunction(blocking), name
        mine = [
            (p.name, repr(p.default), _blocking(str(p.annotation)))
            for p in inspect.signature(blocking).parameters.values()
        ]
        theirs = [
            (p.name, repr(p.default), _blocking(str(p.annotation)))
            for p in inspect.signature(asynchronous).parameters.values()
        ]
        assert [m[0] for m in mine] == [t[0] for t in theirs], name
        assert [m[2] for m in mine] == [t[2] for t in theirs], name


def test_the_blocking_client_works_inside_a_running_event_loop(clock: FakeClock) -> None:
    """As in a notebook, whose kernel runs an event loop in the main thread: the blocking
    client is plain blocking code, so it needs no nest_asyncio and no loop of its own."""
    done = httpx.Response(200, json=example("04_job_completed_per_doc_expanded"))
    api = (
        ScriptedAPI()
        .on("GET", "/api/v2/extract", httpx.Response(200, json={"items": []}))
        .on("POST", "/api/v2/extract", httpx.Response(200, json=job_json("PENDING")))
        .on("GET", f"/api/v2/extract/{JOB_ID}", done)
    )
    schema = {"type": "object", "properties": {"total": {"type": "number"}}}

    async def notebook_cell() -> Any:
        asyncio.get_running_loop()  # a loop runs here, as in Jupyter
        http = httpx.Client(transport=httpx.MockTransport(api))
        with Client(base_url=BASE_URL, api_key=API_KEY, http_client=http) as client:
            return client.extract(FILE_ID, schema, tier="agentic")

    result = asyncio.run(notebook_cell())
    assert result.job.id == JOB_ID and len(api.calls("POST", "/api/v2/extract")) == 1
