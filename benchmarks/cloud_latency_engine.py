"""An engine plugin for the local server that takes as long as LlamaCloud's jobs do.

Plugged in with ``llamaextract-nb serve --engine cloud_latency_engine:wait_like_the_cloud``
(``benchmarks/`` on the server's ``PYTHONPATH``). Each job sleeps for a time drawn from a
log-normal distribution, then answers a small result read from the document (no real
extraction, so the CPU stays free for the API and the clients being measured):

* median ``LXNB_LATENCY_MEDIAN`` seconds (default 6), sigma ``LXNB_LATENCY_SIGMA`` (default
  0.9: the 90th percentile is about 3.2x the median, the 99th about 8x), capped at
  ``LXNB_LATENCY_CAP`` seconds (default 60) - a few seconds typically, a long tail to a minute,
  as extraction jobs on the service behave;
* seeded: the time is drawn from a generator seeded with ``LXNB_LATENCY_SEED`` (default 0)
  and the document's sha256, so the same document waits as long in every run and for every
  client, and the comparison is fair.

:func:`at_once` answers without waiting (``cloud_latency_engine:at_once``). The worker sleeps,
so it holds no CPU; a server with one worker process per job in flight
(``--workers``) runs every job at once, as the service does.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import re
import time
from typing import Any

from llamaextract_nb.local.engine.interface import EngineOutput

_NUMBER = re.compile(rb"Invoice Number:\s*(\S+)")


def job_seconds(data: bytes) -> float:
    """How long the job on this document takes (see the module docstring)."""
    median = float(os.environ.get("LXNB_LATENCY_MEDIAN", "6"))
    sigma = float(os.environ.get("LXNB_LATENCY_SIGMA", "0.9"))
    cap = float(os.environ.get("LXNB_LATENCY_CAP", "60"))
    seed = os.environ.get("LXNB_LATENCY_SEED", "0")
    generator = random.Random(f"{seed}:{hashlib.sha256(data).hexdigest()}")
    return min(generator.lognormvariate(math.log(median), sigma), cap)


def wait_like_the_cloud(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    """Sleep :func:`job_seconds`, then answer the document's invoice number."""
    time.sleep(job_seconds(data))
    return at_once(data, filename, configuration)


wait_like_the_cloud.concurrent_jobs = 100  # type: ignore[attr-defined]


def at_once(data: bytes, filename: str, configuration: dict[str, Any]) -> EngineOutput:
    """No wait at all: the document's invoice number (for benchmarks of the client's own
    cost, e.g. ``batch_scale.py``)."""
    found = _NUMBER.search(data)
    return EngineOutput({"invoice_number": found.group(1).decode() if found else None}, {})
