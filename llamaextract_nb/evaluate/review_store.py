"""Where review decisions live: the gold folder (truth, one ``<stem>.json`` per document,
written atomically by :func:`~llamaextract_nb.evaluate.truth.write_document`) and the
decision log ``_review_log.jsonl`` beside it (who, when, what; ignored by the truth loader).

The gold files are the truth of what was decided: a value present there is decided, whatever
the log says (so a hand edit counts, and a crash between the gold write and the log line loses
nothing). The log adds who and when, and remembers skips, which write no truth.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llamaextract_nb.evaluate.paths import set_path
from llamaextract_nb.evaluate.truth import Truth, TruthValue, stem, sync_folder, write_document

LOG_NAME = "_review_log.jsonl"


@dataclass(frozen=True)
class LogEntry:
    """One line of the decision log."""

    at: str
    who: str
    document: str
    path: str
    decision: str
    value: Any = None
    extracted: Any = None


class GoldStore:
    """The gold folder of a review: reads the truth decided so far, writes each decision."""

    def __init__(self, folder: str | os.PathLike[str], reviewer: str) -> None:
        self.folder = Path(folder).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.reviewer = reviewer
        self.log_path = self.folder / LOG_NAME
        self.truth = Truth.from_folder(self.folder)

    def document(self, name: str, empty: TruthValue) -> TruthValue:
        """The truth decided so far for document ``name`` (``empty`` when none)."""
        value = self.truth.get(name)
        return value if value is not None else empty

    def decide(
        self, name: str, path: str, value: Any, *, decision: str, extracted: Any, empty: TruthValue
    ) -> None:
        """Store ``value`` as the truth at ``path`` of document ``name`` (the gold file is
        replaced atomically), then log the decision."""
        data = json.loads(json.dumps(self.document(name, empty)))  # a copy to change
        data = set_path(data, path, value)
        write_document(self.folder, name, data)
        self.truth.set(name, data)
        self.log(name, path, decision, value=value, extracted=extracted)

    def decide_many(self, name: str, values: dict[str, Any], *, empty: TruthValue) -> None:
        """Store several values of one document in one gold write (``accept_rest``)."""
        if not values:
            return
        data = json.loads(json.dumps(self.document(name, empty)))
        for path, value in values.items():
            data = set_path(data, path, value)
        write_document(self.folder, name, data)
        self.truth.set(name, data)
        for path, value in values.items():
            self.log(name, path, "accept_rest", value=value, extracted=value)

    def log(
        self, name: str, path: str, decision: str, *, value: Any = None, extracted: Any = None
    ) -> None:
        """Append one line to the log and flush it to disk."""
        entry = {
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "who": self.reviewer,
            "document": name,
            "path": path,
            "decision": decision,
            "value": value,
            "extracted": extracted,
        }
        new = not self.log_path.exists()
        with self.log_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            out.flush()
            os.fsync(out.fileno())
        if new:
            sync_folder(self.folder)

    def entries(self) -> list[LogEntry]:
        """The log, oldest first (a line cut short by a crash is skipped)."""
        if not self.log_path.exists():
            return []
        found = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                raw = json.loads(line)
                found.append(LogEntry(**{k: raw.get(k) for k in LogEntry.__dataclass_fields__}))
            except (json.JSONDecodeError, TypeError):
                continue
        return found

    def last_decisions(self) -> dict[tuple[str, str], LogEntry]:
        """The latest log entry per (document stem, path)."""
        return {(stem(e.document), e.path): e for e in self.entries() if e.document and e.path}
