"""Truth: the expected extracted data of some documents, keyed by file name stem.

``invoice.pdf`` is graded against the truth stored for ``invoice`` (its stem), so the truth
of a folder of documents is a folder of ``<stem>.json`` files. Each holds the data an
extraction should return: a JSON object for a ``per_doc`` extraction, a JSON array (one
object per page, or per table row) for ``per_page`` / ``per_table_row``.

Partial truth is normal: a field the truth lacks is not graded, a document the truth lacks is
not graded. An explicit ``null`` means "no value expected": an extraction that finds one
there is graded *spurious*.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

TruthValue = dict[str, Any] | list[Any]

# Columns of result.df / result.tables that identify a row, not data.
_KEY_COLUMNS = ("file", "job_id", "job_status")
_ITEM_COLUMNS = ("page", "row")


def stem(file: str | os.PathLike[str]) -> str:
    """The key a document's truth is stored under: its file name without the extension."""
    name = Path(file).name
    if not name:
        raise ValueError(f"{str(file)!r} has no file name to key truth by")
    return Path(name).stem if "." in name.lstrip(".") else name


class Truth(Mapping[str, TruthValue]):
    """Expected values per document; ``truth["invoice.pdf"]`` and ``truth["invoice"]`` agree.

    Build one with :meth:`from_folder`, :meth:`from_jsonl`, :meth:`from_frame`,
    :meth:`from_csv`, :meth:`from_dict` or :meth:`load` (any of those inputs); save it with
    :meth:`to_folder`. ``truth_a | truth_b`` combines two (the right side wins on a clash).
    """

    def __init__(self, documents: Mapping[str, Any] | None = None) -> None:
        self._documents: dict[str, TruthValue] = {}
        for file, value in (documents or {}).items():
            self.set(file, value)

    # --- constructors ------------------------------------------------------------------

    @classmethod
    def from_dict(cls, documents: Mapping[str, Any]) -> Truth:
        """``{file or stem: expected data}``; two files with one stem must agree."""
        if not isinstance(documents, Mapping):
            raise TypeError(
                f"Truth.from_dict needs a dict of file -> expected data, got "
                f"{type(documents).__name__}"
            )
        truth = cls()
        for file, value in documents.items():
            key = stem(file)
            if key in truth._documents and truth._documents[key] != _checked(file, value):
                raise ValueError(
                    f"two entries share the stem {key!r} with different truth ({file!r}); "
                    "truth is keyed by file name without extension: rename one document"
                )
            truth.set(file, value)
        return truth

    @classmethod
    def from_folder(cls, path: str | os.PathLike[str]) -> Truth:
        """One ``<stem>.json`` per document. Files whose name starts with ``_`` or ``.``, and
        every non-JSON file (the documents themselves may sit beside), are ignored."""
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(
                f"truth folder {str(path)!r} does not exist; it should hold one <stem>.json "
                "per document"
            )
        truth = cls()
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() != ".json" or file.name[0] in "_." or not file.is_file():
                continue
            truth.set(file.stem, _read_json(file))
        return truth

    @classmethod
    def from_jsonl(cls, path: str | os.PathLike[str]) -> Truth:
        """Lines of ``{"file": "invoice.pdf", "truth": {...}}``; blank lines are skipped."""
        source = Path(path).expanduser()
        documents: dict[str, Any] = {}
        with source.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{source}:{number}: not JSON ({exc.msg})") from None
                if not isinstance(entry, dict) or "file" not in entry or "truth" not in entry:
                    raise ValueError(
                        f'{source}:{number}: each line must be {{"file": ..., "truth": ...}}'
                    )
                if stem(entry["file"]) in {stem(f) for f in documents}:
                    raise ValueError(f"{source}:{number}: {entry['file']!r} appears twice")
                documents[str(entry["file"])] = entry["truth"]
        return cls.from_dict(documents)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Truth:
        """One row per document with a ``file`` column and dotted columns (``buyer.name``),
        the shape of ``result.df``. Empty cells are not graded; a cell reading ``null`` means
        "no value expected"; a cell holding JSON text (``[...]`` / ``{...}``) is read as JSON.
        With a ``page`` column (per_page) the rows of a file make its list of pages (entry
        ``page - 1``; pages without a row are null, not graded); with a ``row`` column
        (per_table_row) its list of rows in that order. ``job_id`` / ``job_status`` columns
        are ignored."""
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"Truth.from_frame needs a DataFrame, got {type(frame).__name__}")
        if "file" not in frame.columns:
            raise ValueError(
                "the truth table needs a 'file' column naming each document (invoice.pdf); "
                f"its columns are: {', '.join(map(str, frame.columns))}"
            )
        item_column = next((c for c in _ITEM_COLUMNS if c in frame.columns), None)
        data_columns = [str(c) for c in frame.columns if c not in _KEY_COLUMNS and c != item_column]
        documents: dict[str, Any] = {}
        ordered = frame.sort_values(item_column, kind="stable") if item_column else frame
        for record in ordered.to_dict("records"):
            file = record["file"]
            if _absent(file):
                raise ValueError("a row of the truth table has no 'file'")
            row = _unflatten({c: record[c] for c in data_columns})
            if item_column == "page":
                pages = documents.setdefault(str(file), [])
                number = _page_number(record["page"], file)
                pages.extend([None] * (number - len(pages)))  # pages without truth: null
                if pages[number - 1] is not None:
                    raise ValueError(f"{file!r} has two rows for page {number}")
                pages[number - 1] = row
            elif item_column:
                documents.setdefault(str(file), []).append(row)
            elif str(file) in documents:
                raise ValueError(f"{file!r} has two rows; give one row per document")
            else:
                documents[str(file)] = row
        return cls.from_dict(documents)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], **read_csv: Any) -> Truth:
        """A CSV file in the shape of :meth:`from_frame` (cells are read as text, then typed:
        numbers, ``true`` / ``false``, JSON)."""
        frame = pd.read_csv(Path(path).expanduser(), dtype=str, keep_default_na=False, **read_csv)
        frame = frame.replace("", None)
        return cls.from_frame(frame.map(_typed_cell))

    @classmethod
    def load(cls, source: Any) -> Truth:
        """A Truth from whatever names one: a Truth, dict, DataFrame, or a path to a folder,
        ``.jsonl``, ``.csv`` or ``.json`` file (a JSON object of file -> truth)."""
        if isinstance(source, Truth):
            return source
        if isinstance(source, pd.DataFrame):
            return cls.from_frame(source)
        if isinstance(source, Mapping):
            return cls.from_dict(source)
        if isinstance(source, (str, os.PathLike)):
            path = Path(source).expanduser()
            if path.is_dir():
                return cls.from_folder(path)
            if not path.is_file():
                raise FileNotFoundError(f"no truth at {str(source)!r}: not a folder or a file")
            suffix = path.suffix.lower()
            if suffix == ".jsonl":
                return cls.from_jsonl(path)
            if suffix == ".csv":
                return cls.from_csv(path)
            if suffix == ".json":
                content = _read_json(path)
                if isinstance(content, dict):
                    return cls.from_dict(content)
                raise ValueError(
                    f"{path}: a .json truth file must be an object of file -> truth; for one "
                    "document per file, pass the folder instead"
                )
            raise ValueError(
                f"cannot read truth from {path.name}: use a folder of <stem>.json files, a "
                ".jsonl, .csv or .json file"
            )
        truth = getattr(source, "truth", None)
        if isinstance(truth, Truth):
            return truth
        raise TypeError(
            f"cannot make Truth from {type(source).__name__}: pass a folder, a .jsonl / .csv / "
            ".json path, a dict of file -> truth, a DataFrame or a Truth"
        )

    # --- access ------------------------------------------------------------------------

    @property
    def files(self) -> list[str]:
        """The document stems that have truth, sorted."""
        return sorted(self._documents)

    def set(self, file: str, value: Any) -> None:
        """Store (or replace) the truth of ``file``."""
        self._documents[stem(file)] = _checked(file, value)

    def get(self, file: str, default: Any = None) -> Any:
        """The truth of ``file`` (a file name or a stem), or ``default``."""
        return self._documents.get(stem(file), default)

    def __getitem__(self, file: str) -> TruthValue:
        try:
            return self._documents[stem(file)]
        except KeyError:
            raise KeyError(
                f"no truth for {file!r}; truth has: {', '.join(self.files[:20]) or 'nothing'}"
            ) from None

    def __contains__(self, file: object) -> bool:
        return isinstance(file, (str, os.PathLike)) and stem(file) in self._documents

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self._documents)

    def __or__(self, other: Truth) -> Truth:
        if not isinstance(other, Truth):
            return NotImplemented
        return Truth({**self._documents, **other._documents})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Truth) and self._documents == other._documents

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(self.files[:5]) + (", ..." if len(self) > 5 else "")
        return f"Truth({len(self)} documents: {shown})"

    # --- saving ------------------------------------------------------------------------

    def to_folder(self, path: str | os.PathLike[str], files: Iterable[str] | None = None) -> Path:
        """Write ``<stem>.json`` per document (or only ``files``) into ``path``; each file is
        written atomically (a temporary file renamed over it). Returns the folder."""
        folder = Path(path).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        for file in self.files if files is None else files:
            write_document(folder, file, self[file])
        return folder

    def to_jsonl(self, path: str | os.PathLike[str]) -> Path:
        """Write one ``{"file": stem, "truth": ...}`` line per document."""
        lines = [json.dumps({"file": f, "truth": self[f]}, ensure_ascii=False) for f in self.files]
        target = Path(path).expanduser()
        _atomic_write(target, "\n".join(lines) + "\n")
        return target


def write_document(folder: str | os.PathLike[str], file: str, value: Any) -> Path:
    """Write the truth of one document as ``<folder>/<stem>.json``, atomically."""
    target = Path(folder).expanduser() / f"{stem(file)}.json"
    text = json.dumps(_checked(file, value), indent=2, ensure_ascii=False) + "\n"
    _atomic_write(target, text)
    return target


def _atomic_write(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` so a crash leaves the old file or the new one, never a
    part: a temporary file beside it, flushed to disk (fsync), renamed over it, and the
    folder synced so the rename itself survives a power cut."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    """fsync a folder (makes a rename or a new file in it durable); a no-op where folders
    cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}: not valid JSON (line {exc.lineno}: {exc.msg})") from None


def _checked(file: Any, value: Any) -> TruthValue:
    """``value`` if it is an object, or a list of objects (per_page / per_table_row)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(isinstance(v, dict) or v is None for v in value):
        return value
    raise ValueError(
        f"truth of {str(file)!r} must be a JSON object (per_doc) or a list of objects (per_page "
        f"/ per_table_row), got {type(value).__name__}"
    )


def _page_number(value: Any, file: Any) -> int:
    number = _plain(value)
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ValueError(f"{file!r}: page must be a whole number >= 1, got {value!r}")
    return number


def _absent(value: Any) -> bool:
    if value is None:
        return True
    return (isinstance(value, float) and math.isnan(value)) or value is pd.NaT or value is pd.NA


def _unflatten(row: dict[str, Any]) -> dict[str, Any]:
    """Dotted columns -> nested objects; empty cells dropped (not graded)."""
    nested: dict[str, Any] = {}
    for column, cell in row.items():
        if _absent(cell):
            continue
        value = _plain(cell)
        parts = column.split(".")
        target = nested
        for part in parts[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValueError(f"column {column!r} nests under {part!r}, which has a value")
            target = child
        target[parts[-1]] = value
    return nested


def _plain(cell: Any) -> Any:
    """A frame cell as a JSON value: ``null`` -> None, JSON text read, numpy / pandas scalars
    as Python ones, timestamps as ISO dates."""
    if isinstance(cell, str):
        text = cell.strip()
        if text == "null":
            return None
        if text[:1] in "[{":
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return cell
        return cell
    if isinstance(cell, pd.Timestamp | datetime):
        stamp = pd.Timestamp(cell)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    item = getattr(cell, "item", None)  # numpy scalars
    return item() if callable(item) else cell


def _typed_cell(cell: Any) -> Any:
    """A CSV cell (text) as the JSON value it spells."""
    if not isinstance(cell, str):
        return cell
    lowered = cell.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        number = float(cell)
    except ValueError:
        return cell
    if not math.isfinite(number):
        return cell
    stripped = cell.strip()
    if stripped.lstrip("+-").isdigit() and not (len(stripped) > 1 and stripped.startswith("0")):
        return int(stripped)
    return number if stripped[:1] != "0" or "." in stripped[:2] else cell
