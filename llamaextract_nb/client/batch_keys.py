"""The keys the ledger files things under: cache keys, batches, servers, uploads.

Equal inputs give equal keys across processes and versions: JSON is canonicalised, options are
compared with their defaults filled in, and a local server is keyed without its port.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from llamaextract_nb.api.models import ExtractConfiguration
from llamaextract_nb.client.create_once import EXTERNAL_ID_PREFIX
from llamaextract_nb.client.ledger import Ledger
from llamaextract_nb.client.settings import Settings

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(*parts: str) -> str:
    """sha256 hex of the parts joined by newlines."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def server_key(settings: Settings) -> str:
    """What scopes ledger rows, so that ids from one server (or project) are not used on another.

    A server on this machine is keyed without its port: the embedded server comes back on a new
    port after a kernel restart, with the same data. Should it be another local server, its
    404s for unknown ids make the batch upload and create again (see ``LOST``).
    """
    url = httpx.URL(settings.base_url)
    where = settings.base_url
    if url.host in _LOOPBACK_HOSTS:
        where = f"{url.scheme}://loopback{url.path.rstrip('/')}"
    return f"{where}|project={settings.project_id or ''}|org={settings.organization_id or ''}"


def external_file_id(ledger: Ledger, sha256: str) -> str:
    """The ``external_file_id`` a ledger's upload of this content is sent with.

    It names the ledger, so every file a ledger uploads is its own: a job found on that file
    and missing from the ledger can only come from one of its own ambiguous creates.
    """
    return f"{EXTERNAL_ID_PREFIX}{ledger.ledger_id}:{sha256}"


def configuration_fingerprint(configuration: ExtractConfiguration) -> str:
    """Hash of every option except the schema, defaults filled (so explicit == default)."""
    options = configuration.model_dump(mode="json")
    options.pop("data_schema", None)
    return digest(canonical_json(options))
