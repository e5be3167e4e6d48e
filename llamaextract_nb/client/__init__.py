"""Sync and async clients for the LlamaExtract v2 REST API.

``Client`` and ``AsyncClient`` share one request layer (:mod:`.request`): bearer auth,
``project_id`` / ``organization_id`` on every route, retries with jittered backoff honouring
``Retry-After``, and one exception family (:class:`LlamaExtractError`).
"""

from llamaextract_nb.client.async_client import AsyncClient
from llamaextract_nb.client.configuration import OPTION_NAMES, build_configuration
from llamaextract_nb.client.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    JobFailedError,
    LlamaExtractError,
    NotFoundError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    WaitTimeout,
)
from llamaextract_nb.client.settings import DEFAULT_BASE_URL, Settings
from llamaextract_nb.client.sync_client import Client

__all__ = [
    "DEFAULT_BASE_URL",
    "OPTION_NAMES",
    "APIConnectionError",
    "APIStatusError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "InternalServerError",
    "JobFailedError",
    "LlamaExtractError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "Settings",
    "WaitTimeout",
    "build_configuration",
]
