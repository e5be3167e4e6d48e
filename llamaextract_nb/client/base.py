"""What the sync and async clients share besides the request layer: settings and display."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llamaextract_nb.client.request import RequestLayer
from llamaextract_nb.client.settings import Settings
from llamaextract_nb.client.uploads import existing_file_id

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from llamaextract_nb.client.async_client import AsyncClient
    from llamaextract_nb.client.configuration import ExtractOptions
    from llamaextract_nb.client.estimate import Estimate
    from llamaextract_nb.client.sync_client import Client


class ClientBase:
    """Settings access, ``repr`` and notebook HTML (all without the API key)."""

    _settings: Settings
    _layer: RequestLayer
    _single_attempt_layer: RequestLayer

    def _configure(self, settings: Settings) -> None:
        self._settings = settings
        self._layer = RequestLayer(settings)
        # Uploads and creates of extract() are retried by .create_once, with a look-up first.
        self._single_attempt_layer = RequestLayer(replace(settings, max_retries=0))

    @property
    def settings(self) -> Settings:
        """The resolved connection settings (``repr`` hides the key)."""
        return self._settings

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def project_id(self) -> str | None:
        return self._settings.project_id

    @property
    def organization_id(self) -> str | None:
        return self._settings.organization_id

    def estimate(
        self, files: Any, configuration: Any = None, **options: Unpack[ExtractOptions]
    ) -> Estimate:
        """Expected pages and credits of extracting from ``files`` with ``configuration`` (or
        keyword options such as ``tier="agentic"``), counted on this machine; no request is
        sent. See :func:`llamaextract_nb.client.estimate.estimate`."""
        from llamaextract_nb.client.estimate import estimate

        return estimate(files, configuration, **options)

    def to_sync(self) -> Client:
        """A :class:`Client` with the same settings."""
        from llamaextract_nb.client.sync_client import Client

        return Client._from_settings(self._settings)

    def to_async(self) -> AsyncClient:
        """An :class:`AsyncClient` with the same settings."""
        from llamaextract_nb.client.async_client import AsyncClient

        return AsyncClient._from_settings(self._settings)

    def __repr__(self) -> str:
        return self._settings.repr_for(type(self).__name__)

    def _repr_html_(self) -> str:
        return self._settings.html_for(type(self).__name__)


def result_source(file: Any) -> str | Path | bytes | None:
    """What an ExtractResult may keep to show the document: a path or the bytes."""
    if existing_file_id(file) is not None:
        return None
    if isinstance(file, (str, Path, bytes)):
        return file
    if isinstance(file, Mapping) and "content" in file:  # an ipywidgets FileUpload value
        return bytes(file["content"])
    return None
