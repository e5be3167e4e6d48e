"""What ``extract_many`` accepts as "files", turned into a list of hashed documents.

Accepted, alone or mixed in a list/tuple: a path, a folder (its files, not recursive), a glob
(``"docs/**/*.pdf"``), and ipywidgets 8 ``FileUpload`` values (dicts or objects with ``name`` and
``content``) or the ``FileUpload`` widget itself. Every document is identified by the sha256 of
its bytes, read in chunks (paths are never loaded whole into memory).
"""

from __future__ import annotations

import glob
import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

_CHUNK = 1 << 20
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class BatchFile:
    """One document of a batch."""

    label: str
    """What the ``file`` column shows: the path as given, or the upload's name."""
    name: str
    """The file name sent to the server (its extension tells the type)."""
    sha256: str
    size: int
    path: Path | None = None
    content: bytes | None = field(default=None, repr=False)

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """The document's bytes as a binary stream (a file on disk is streamed, not read)."""
        if self.path is not None:
            with self.path.open("rb") as stream:
                yield stream
        else:
            yield io.BytesIO(self.content or b"")


def collect_files(files: Any) -> list[BatchFile]:
    """Expand ``files`` (see the module docstring) into hashed documents, in the order given.

    The same path or upload given twice counts once. Raises ``FileNotFoundError`` for a missing
    path or a glob that matches nothing, ``ValueError`` when nothing is left, and ``TypeError``
    for values that are not files.
    """
    found: dict[str, BatchFile] = {}
    for item in _flatten(files):
        document = _upload_value(item) if _is_upload_value(item) else None
        if document is not None:
            found.setdefault(document.label, document)
            continue
        for path in _expand_path(item):
            label = str(path)
            if label not in found:
                found[label] = _from_path(path)
    if not found:
        raise ValueError("no documents to extract: pass paths, a folder, a glob or upload values")
    return list(found.values())


def _flatten(files: Any) -> Iterator[Any]:
    if isinstance(files, (list, tuple)):
        for item in files:
            yield from _flatten(item)
    elif _is_upload_widget(files):
        yield from _flatten(files.value)
    else:
        yield files


def _is_upload_widget(value: Any) -> bool:
    """An ipywidgets ``FileUpload``: its ``value`` is the tuple of uploaded files."""
    return (
        hasattr(value, "value")
        and hasattr(value, "accept")
        and isinstance(getattr(value, "value", None), (tuple, list))
    )


def _is_upload_value(value: Any) -> bool:
    if isinstance(value, dict):
        return "content" in value and "name" in value
    return hasattr(value, "content") and hasattr(value, "name")


def _upload_value(value: Any) -> BatchFile:
    get = value.get if isinstance(value, dict) else lambda key: getattr(value, key, None)
    name, content = get("name"), get("content")
    if not isinstance(name, str) or not name:
        raise ValueError(f"an upload value needs a non-empty 'name' (got {name!r})")
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"upload {name!r}: 'content' must be bytes or a memoryview "
            f"(got {type(content).__name__})"
        )
    return hashed(name, content=bytes(content))


def _expand_path(item: Any) -> list[Path]:
    if not isinstance(item, (str, os.PathLike)):
        raise TypeError(
            f"cannot read a {type(item).__name__} as a document: pass a path, a folder, a glob "
            "or a FileUpload value ({'name': ..., 'content': bytes})"
        )
    text = os.fspath(item)
    path = Path(text).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise FileNotFoundError(f"folder {text!r} has no files in it")
        return files
    if path.is_file():
        return [path]
    if _GLOB_CHARS & set(text):
        matches = sorted(Path(p) for p in glob.glob(os.path.expanduser(text), recursive=True))
        files = [p for p in matches if p.is_file()]
        if not files:
            raise FileNotFoundError(f"no files match {text!r}")
        return files
    raise FileNotFoundError(f"no such file or folder: {text!r}")


def _from_path(path: Path) -> BatchFile:
    return hashed(str(path), path=path)


def hashed(label: str, *, path: Path | None = None, content: bytes | None = None) -> BatchFile:
    """One document, on disk (``path``, read in chunks) or in memory (``content``), hashed;
    its name is the path's file name, or ``label``'s last part."""
    if path is None:
        data = content or b""
        digest = hashlib.sha256(data).hexdigest()
        return BatchFile(label, os.path.basename(label), digest, len(data), content=data)
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return BatchFile(label, path.name, sha.hexdigest(), size, path=path)
