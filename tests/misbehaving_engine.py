"""An engine that misbehaves on purpose, plugged into a real server with ``--engine``.

``tests/`` is on the server subprocess's PYTHONPATH (see conftest), so it is loaded as
``misbehaving_engine:crashing``. Documents without a marker go to the real engine.
"""

from __future__ import annotations

import os
import time
from typing import Any

from llamaextract_nb.local.engine.interface import EngineOutput

CRASH_MARKER = b"CRASH-THE-WORKER"
SLOW_MARKER = b"TAKE-YOUR-TIME"
NAN_MARKER = b"NOT-A-NUMBER"
HANG_MARKER = b"NEVER-FINISH"
HOG_MARKER = b"EAT-ALL-MEMORY"
GROW_MARKER = b"KEEP-300-MB"

_kept: list[bytearray] = []  # what GROW_MARKER leaves behind, as a leak would


def _allocate(megabytes: int) -> list[bytearray]:
    """``megabytes`` MB in 16 MB blocks, each written so it is resident."""
    blocks = []
    for _ in range(megabytes // 16):
        block = bytearray(16 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])
        blocks.append(block)
    return blocks


def crashing(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    """Kill the worker process on documents holding :data:`CRASH_MARKER`; sleep 1 s on
    :data:`SLOW_MARKER`, an hour on :data:`HANG_MARKER`; answer NaN (not JSON) on
    :data:`NAN_MARKER`; allocate until memory runs out on :data:`HOG_MARKER`; keep 300 MB
    after the job on :data:`GROW_MARKER`; otherwise extract with the real engine."""
    if CRASH_MARKER in data:
        os._exit(3)
    if HANG_MARKER in data:
        time.sleep(3600)
    if NAN_MARKER in data:
        return EngineOutput({"invoice_number": float("nan")}, {})
    if HOG_MARKER in data:
        _allocate(1 << 20)
    if GROW_MARKER in data:
        _kept.extend(_allocate(300))
    if SLOW_MARKER in data:
        time.sleep(1.0)
    from llamaextract_nb.local.engine import extract

    return extract(data, filename, configuration)


def waiting(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    """Like :func:`crashing`, for an engine that says it mostly waits: a worker runs up to 4
    of its jobs at once."""
    return crashing(data, filename, configuration)


waiting.concurrent_jobs = 4  # type: ignore[attr-defined]
