"""``suggest_schema``: one schema suggested from several documents, for both clients.

The v2 ``schema/generate`` call reads one ``file_id``. Several documents are combined in
one request through the local server's ``file_ids`` extension; a server that answers
without naming every file it read (LlamaCloud ignores ``file_ids``) is asked again for each
remaining file with the schema so far as ``data_schema`` (the contract's "refine"), so the
last answer covers every document. Sources of fields (local server only) are collected
from every answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llamaextract_nb.client import endpoints
from llamaextract_nb.client.batch_sources import BatchFile, collect_files
from llamaextract_nb.client.request import Call
from llamaextract_nb.client.uploads import existing_file_id
from llamaextract_nb.schema.suggestion import FieldSource, SchemaSuggestion


class SuggestPlan:
    """The requests of one suggestion: :meth:`first_call`, then :meth:`next_call` with each
    answer until it returns None; :meth:`result` is the combined suggestion."""

    def __init__(
        self, file_ids: Sequence[str], prompt: str | None, schema: Any, name: str | None
    ) -> None:
        if not file_ids:
            raise ValueError("suggest_schema() needs at least one document")
        self._file_ids = list(dict.fromkeys(file_ids))
        self._prompt = prompt
        self._name = name
        self._schema = schema
        self._read: set[str] = set()
        self._sources: dict[str, list[FieldSource]] = {}
        self._last: SchemaSuggestion | None = None

    def first_call(self) -> Call[dict[str, Any]]:
        ids = self._file_ids
        return endpoints.generate_schema(
            ids[0],
            file_ids=ids if len(ids) > 1 else None,
            prompt=self._prompt,
            data_schema=self._schema,
            name=self._name,
        )

    def next_call(self, answer: dict[str, Any], sent_file_id: str) -> Call[dict[str, Any]] | None:
        """Record ``answer`` (to the request for ``sent_file_id``); the next request, if any."""
        suggestion = SchemaSuggestion.from_response(answer)
        self._read.update(suggestion.file_ids or [sent_file_id])
        for path, found in suggestion.sources.items():
            self._sources.setdefault(path, []).extend(found)
        self._last = suggestion
        remaining = [f for f in self._file_ids if f not in self._read]
        if not remaining:
            return None
        return endpoints.generate_schema(
            remaining[0],
            prompt=self._prompt,
            data_schema=suggestion.to_json_schema(),
            name=self._name or suggestion.name,
        )

    def result(self) -> SchemaSuggestion:
        assert self._last is not None, "result() before any answer"
        self._last.sources = self._sources
        self._last.file_ids = list(self._file_ids)
        return self._last


def sent_file_id(call: Call[dict[str, Any]]) -> str:
    """The ``file_id`` a generate call sends."""
    return str((call.json or {}).get("file_id"))


def documents(files: Any) -> list[str | BatchFile]:
    """``files`` as ids already on the service (kept) and documents to upload, in order:
    a path, folder, glob, bytes-free upload value, File or id, alone or in a list."""
    items = list(files) if isinstance(files, (list, tuple)) else [files]
    found: list[str | BatchFile] = []
    for item in items:
        file_id = existing_file_id(item)
        found.extend([file_id] if file_id is not None else collect_files(item))
    if not found:
        raise ValueError("suggest_schema() needs at least one document")
    return found
