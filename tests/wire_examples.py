"""Wire payloads the tests read, kept in the repository (``tests/data/``) so the suite runs on a
clean clone without the shared folder:

- ``spec_examples/``: copies of the spec's example payloads (``shared/spec/examples``);
- ``service_shaped/``: responses shaped like the real service's, built from the official SDK's
  types and the service's documented examples (nulls, absent metadata, other shapes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SPEC_EXAMPLES = DATA / "spec_examples"
SERVICE_SHAPED = DATA / "service_shaped"


def example(name: str) -> Any:
    """A spec example payload by file stem (``03_job_running``) or by number (``03``)."""
    exact = SPEC_EXAMPLES / f"{name}.json"
    path = exact if exact.is_file() else next(SPEC_EXAMPLES.glob(f"{name}_*.json"))
    return json.loads(path.read_text())
