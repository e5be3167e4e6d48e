"""Engines that misbehave on purpose, plugged into a real server with ``--engine``.

``tests/`` is on the server subprocess's PYTHONPATH (see conftest), so these are loaded as
``test_server_engines:crashing``. Documents without a marker go to the real engine.
"""

from __future__ import annotations

import os
import time
from typing import Any

from llamaextract_nb.local.engine.interface import EngineOutput

CRASH_MARKER = b"CRASH-THE-WORKER"
SLOW_MARKER = b"TAKE-YOUR-TIME"


def crashing(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    """Kill the worker process on documents holding :data:`CRASH_MARKER`; sleep 2 s on
    :data:`SLOW_MARKER`; otherwise extract with the real engine."""
    if CRASH_MARKER in data:
        os._exit(3)
    if SLOW_MARKER in data:
        time.sleep(2.0)
    from llamaextract_nb.local.engine import extract

    return extract(data, filename, configuration)
