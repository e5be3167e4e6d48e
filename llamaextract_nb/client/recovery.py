"""What finds an upload or a create again after an ambiguous failure, and when to try again.

No I/O here: :mod:`.create_once` (async) and :mod:`.create_once_sync` (generated from it) send
the requests and use these rules to look their effect up.

* An upload is found by the ``external_file_id`` it was sent under
  (:func:`new_external_file_id`).
* A create is found by what identifies it, not by the configuration the service echoes
  (a service may fill in defaults or rewrite the schema): its file, its time window (our
  send time minus :data:`CLOCK_SKEW`), the jobs known to be another's (:class:`JobMatcher`),
  the options we set ourselves where the echo carries them, and the schema only as far as
  the echo lets it be compared (the same digest, else the same fields, else unknown).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable

from llamaextract_nb.api.models import ExtractConfiguration, ExtractJob, File
from llamaextract_nb.client.endpoints import FileFilters, JobFilters
from llamaextract_nb.client.errors import (
    APIConnectionError,
    APIStatusError,
    LlamaExtractError,
    RateLimitError,
)
from llamaextract_nb.client.retry import backoff, is_retryable_status
from llamaextract_nb.schema.identity import field_paths, schema_digest

POST_ATTEMPTS = 10
"""Attempts (sends and look-ups) at one upload or one create before giving up."""
CLOCK_SKEW = 300.0
"""Seconds subtracted from our clock when looking a job up by its creation time."""
EXTERNAL_ID_PREFIX = "llamaextract-nb:"
FAILURES = (APIConnectionError, APIStatusError)
"""What a send or a look-up may fail with and still be tried again (see :func:`transient`)."""


def new_external_file_id() -> str:
    """A fresh ``external_file_id`` that finds one upload again: ``llamaextract-nb:<uuid4>``."""
    return f"{EXTERNAL_ID_PREFIX}{uuid.uuid4()}"


def transient(error: LlamaExtractError) -> bool:
    """Failures worth another try (after a look-up): lost connections, 408, 409, 429, 5xx."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, APIStatusError):
        return is_retryable_status(error.status_code) or error.status_code == 409
    return False


def retry_delay(retry_index: int, error: LlamaExtractError | None) -> float:
    """The server's ``Retry-After`` when it gave one, else jittered backoff (>= 1 s on 429)."""
    if isinstance(error, APIStatusError) and error.retry_after is not None:
        return error.retry_after
    delay = backoff(min(retry_index, 4))
    return max(delay, 1.0) if isinstance(error, RateLimitError) else delay


class Withdrawn(LlamaExtractError):
    """Not sent again: the caller withdrew the request, and it had not taken effect."""

    def __init__(self) -> None:
        super().__init__("withdrawn: the request had not reached the service")


class Tries:
    """The failures of one upload or create so far."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"attempts must be at least 1 (got {limit!r})")
        self.limit = limit
        self.count = 0

    def failed(self, error: APIConnectionError | APIStatusError) -> float:
        """Seconds to wait before looking up; re-raises ``error`` when it is final."""
        self.count += 1
        if not transient(error) or self.count >= self.limit:
            raise error
        return retry_delay(self.count - 1, error)


# --- files -----------------------------------------------------------------------------------


def upload_filters(external_id: str) -> FileFilters:
    """The ``files.list`` filters that return the upload sent under ``external_id``."""
    return {"external_file_id": external_id, "page_size": 10}


def pick_upload(files: Iterable[File], external_id: str) -> str | None:
    """The id of the file uploaded under ``external_id`` among ``files``, or None."""
    for file in files:
        if file.external_file_id == external_id:
            return str(file.id)
    return None


# --- jobs ------------------------------------------------------------------------------------


def jobs_since(file_id: str, sent_at: float) -> JobFilters:
    """The ``jobs.list`` filters for the jobs on ``file_id`` a create sent at ``sent_at``
    may have made."""
    since = dt.datetime.fromtimestamp(sent_at - CLOCK_SKEW, tz=dt.timezone.utc)
    return {"file_input": file_id, "created_at_on_or_after": since}


_SAME_SCHEMA, _SAME_FIELDS, _UNKNOWN_SCHEMA = 0, 1, 2  # how well an echo shows our schema


class JobMatcher:
    """Recognises, among the jobs on one file, the one a create request of ours made.

    A candidate was created on ``file_id`` no earlier than ``sent_at`` minus
    :data:`CLOCK_SKEW` and is not :meth:`excluded` (known to be another's). A candidate is
    not ours when its echo contradicts what we sent: an option we set ourselves (not
    ``version``, which a server resolves) echoed with another value (an option the echo
    leaves out has its default), or a schema whose fields differ from ours. Of the rest, the
    one echoing our schema byte for byte (canonical digest) is taken first, then one with our
    fields (a rewritten schema), then one echoing no schema; the earliest on a tie. When
    :meth:`sole_create` holds (nobody else creates jobs on this file) any candidate is ours.
    Subclasses draw both answers from elsewhere (the batch: from its ledger).
    """

    def __init__(
        self,
        file_id: str,
        configuration: ExtractConfiguration,
        sent_at: float,
        *,
        excluded: Collection[str] = (),
        sole_create: bool = False,
    ) -> None:
        self.file_id = file_id
        self.configuration = configuration
        self.sent_at = sent_at
        self._excluded = frozenset(excluded)
        self._sole_create = sole_create
        self._digest = schema_digest(configuration.data_schema)
        self._fields = field_paths(configuration.data_schema)
        sent = configuration.model_dump(mode="json", exclude_unset=True)
        self._options = {k: v for k, v in sent.items() if k not in ("data_schema", "version")}

    def excluded(self) -> Collection[str]:
        """Ids of jobs on the file known not to come from our create."""
        return self._excluded

    def sole_create(self) -> bool:
        """True when every candidate job on the file can only come from our create."""
        return self._sole_create

    def filters(self) -> JobFilters:
        """The ``jobs.list`` filters that return the candidates (with their configuration)."""
        return {**jobs_since(self.file_id, self.sent_at), "expand": "configuration"}

    def pick(self, jobs: Iterable[ExtractJob]) -> ExtractJob | None:
        """The matching job among ``jobs`` (see the class docstring), or None."""
        excluded = self.excluded()
        candidates = [job for job in jobs if job.id not in excluded]
        ranked = [(rank, job) for job in candidates if (rank := self._rank(job)) is not None]
        if ranked:
            return min(ranked, key=lambda pair: (pair[0], pair[1].created_at or ""))[1]
        if candidates and self.sole_create():
            return min(candidates, key=lambda job: job.created_at or "")
        return None

    def _rank(self, job: ExtractJob) -> int | None:
        """How well ``job``'s echo shows our create (lower is better); None: not ours."""
        if job.configuration is None:
            return _UNKNOWN_SCHEMA
        echo = job.configuration.model_dump(mode="json")  # an option left out is its default
        if any(echo.get(k) != v for k, v in self._options.items()):
            return None
        schema = echo.get("data_schema")
        if not isinstance(schema, dict):
            return _UNKNOWN_SCHEMA
        if schema_digest(schema) == self._digest:
            return _SAME_SCHEMA
        fields = field_paths(schema)
        if fields is None or self._fields is None:
            return _UNKNOWN_SCHEMA
        return _SAME_FIELDS if fields == self._fields else None
