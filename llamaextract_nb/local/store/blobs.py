"""Uploaded bytes on disk, stored once under their sha256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class TooLarge(Exception):
    """The upload went past the size limit (the partial temp file is already removed)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than the limit of {limit:,} bytes")
        self.limit = limit


class BlobWriter:
    """Streams one upload to a temp file while hashing it; ``finish`` files it under its hash."""

    def __init__(self, store: BlobStore, limit: int) -> None:
        self._store = store
        self._limit = limit
        self._hash = hashlib.sha256()
        self.size = 0
        fd, name = tempfile.mkstemp(dir=store.tmp_dir, prefix="upload-")
        self._file = os.fdopen(fd, "wb")
        self._tmp = Path(name)

    def write(self, chunk: bytes) -> None:
        """Append ``chunk``; raises :class:`TooLarge` (and cleans up) past the limit."""
        self.size += len(chunk)
        if self.size > self._limit:
            self.discard()
            raise TooLarge(self._limit)
        self._hash.update(chunk)
        self._file.write(chunk)

    def finish(self) -> str:
        """Close the temp file and move it to its content address; return the sha256."""
        self._file.close()
        digest = self._hash.hexdigest()
        target = self._store.path(digest)
        if target.exists():
            self._tmp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._tmp, target)
        return digest

    def discard(self) -> None:
        """Drop the partial upload."""
        if not self._file.closed:
            self._file.close()
        self._tmp.unlink(missing_ok=True)


class BlobStore:
    """Content-addressed files: ``<root>/<sha[:2]>/<sha>``."""

    def __init__(self, root: Path, *, clean: bool = False) -> None:
        """Open the store at ``root``; ``clean`` drops partial uploads a killed server left."""
        self.root = root
        self.tmp_dir = root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        if clean:
            for stale in self.tmp_dir.iterdir():
                stale.unlink(missing_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def writer(self, limit: int) -> BlobWriter:
        return BlobWriter(self, limit)

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)
