"""Connection settings shared by the sync and async clients (the API key is kept out of sight)."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.cloud.llamaindex.ai"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 5
DEFAULT_CONCURRENCY = 8
"""Uploads and creates in flight at once in ``extract_many`` (and the Studio's runs)."""
ENV_BASE_URL = "LLAMA_CLOUD_BASE_URL"
ENV_API_KEY = "LLAMA_CLOUD_API_KEY"
ENV_API_KEY_FALLBACK = "LLAMA_PARSE_API_KEY"
ENV_PROJECT_ID = "LLAMA_CLOUD_PROJECT_ID"
ENV_ORGANIZATION_ID = "LLAMA_CLOUD_ORGANIZATION_ID"


@dataclass(frozen=True)
class Settings:
    """Where and as whom the client talks; ``api_key`` never appears in ``repr``."""

    base_url: str
    api_key: str = field(repr=False)
    project_id: str | None = None
    organization_id: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES

    @classmethod
    def resolve(
        cls,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        project_id: str | None = None,
        organization_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> Settings:
        """Fill what the arguments leave out from the environment and check the result."""
        key = api_key or os.environ.get(ENV_API_KEY) or os.environ.get(ENV_API_KEY_FALLBACK)
        if not key:
            raise ValueError(
                f"no API key: pass api_key=... or set {ENV_API_KEY} "
                "(keys start with 'llx-'; create one at https://cloud.llamaindex.ai)"
            )
        url = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https:// (got {url!r})")
        if timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds (got {timeout!r})")
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more (got {max_retries!r})")
        return cls(
            base_url=url,
            api_key=key,
            project_id=project_id or os.environ.get(ENV_PROJECT_ID) or None,
            organization_id=organization_id or os.environ.get(ENV_ORGANIZATION_ID) or None,
            timeout=float(timeout),
            max_retries=int(max_retries),
        )

    def describe(self) -> list[tuple[str, str]]:
        """The settings as (label, value) pairs fit to show a person; the key only as 'set'."""
        return [
            ("base_url", self.base_url),
            ("project_id", self.project_id or "(key's default project)"),
            ("organization_id", self.organization_id or "-"),
            ("api_key", "set (hidden)"),
            ("timeout", f"{self.timeout:g} s"),
            ("max_retries", str(self.max_retries)),
        ]

    def repr_for(self, class_name: str) -> str:
        """``ClassName(base_url=..., project_id=...)`` without the key."""
        return f"{class_name}(base_url={self.base_url!r}, project_id={self.project_id!r})"

    def html_for(self, class_name: str) -> str:
        """A small escaped HTML table of :meth:`describe` for notebooks."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.describe()
        )
        return f"<b>{html.escape(class_name)}</b><table>{rows}</table>"
