"""Execute a notebook for real, as a user would without a key: a fresh kernel, the embedded
local server in a temporary data directory, no LlamaCloud key in the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@dataclass
class Executed:
    """A notebook's outputs after running it top to bottom."""

    outputs: list[Any]

    @property
    def errors(self) -> list[Any]:
        return [out for out in self.outputs if out.output_type == "error"]

    @property
    def text(self) -> str:
        """Printed text and plain-text results, joined."""
        return "\n".join(
            out.get("text", "") or out.get("data", {}).get("text/plain", "") for out in self.outputs
        )

    @property
    def html(self) -> str:
        return "\n".join(out.get("data", {}).get("text/html", "") for out in self.outputs)

    def has(self, mime: str) -> bool:
        return any(mime in out.get("data", {}) for out in self.outputs)


def execute(name: str, tmp_path: Path, *, timeout: int = 300, **env: str) -> Executed:
    """Run ``notebooks/<name>`` with ``tmp_path`` as working directory and cache home."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LLAMA_CLOUD_API_KEY", "LLAMA_PARSE_API_KEY")
    }
    environment["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the embedded server's data dir
    environment.update(env)
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute(env=environment)
    return Executed(
        [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    )
