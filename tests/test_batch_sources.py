"""What extract_many accepts as files: paths, folders, globs, FileUpload values and widgets."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from llamaextract_nb.client import Settings
from llamaextract_nb.client.batch_keys import canonical_json, configuration_fingerprint, server_key
from llamaextract_nb.client.batch_sources import collect_files
from llamaextract_nb.client.configuration import build_configuration

SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text("Total: 1")
    (tmp_path / "b.txt").write_text("Total: 2")
    (tmp_path / "c.md").write_text("Total: 3")
    (tmp_path / ".hidden").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("Total: 4")
    return tmp_path


def test_a_path_is_hashed_from_disk(folder: Path) -> None:
    (doc,) = collect_files(folder / "a.txt")
    assert doc.sha256 == hashlib.sha256(b"Total: 1").hexdigest()
    assert (doc.size, doc.name, doc.path, doc.content) == (8, "a.txt", folder / "a.txt", None)
    with doc.open() as stream:
        assert stream.read() == b"Total: 1"


def test_folder_lists_its_visible_files_not_recursively(folder: Path) -> None:
    assert [d.name for d in collect_files(folder)] == ["a.txt", "b.txt", "c.md"]


def test_globs_expand_sorted_and_recursive_with_double_star(folder: Path) -> None:
    assert [d.name for d in collect_files(str(folder / "*.txt"))] == ["a.txt", "b.txt"]
    names = [d.name for d in collect_files(str(folder / "**" / "*.txt"))]
    assert names == ["a.txt", "b.txt", "d.txt"]


def test_the_same_path_twice_counts_once_and_order_is_kept(folder: Path) -> None:
    docs = collect_files([folder / "b.txt", str(folder / "*.txt")])
    assert [d.name for d in docs] == ["b.txt", "a.txt"]


def test_fileupload_values_dicts_objects_and_the_widget(folder: Path) -> None:
    value = {
        "name": "up.txt",
        "type": "text/plain",
        "size": 5,
        "content": memoryview(b"hello"),
        "last_modified": dt.datetime(2024, 1, 1),
    }
    other = SimpleNamespace(name="obj.txt", content=b"world")
    widget = SimpleNamespace(value=(value,), accept=".txt")
    docs = collect_files([widget, other, folder / "a.txt"])
    assert [d.label for d in docs] == ["up.txt", "obj.txt", str(folder / "a.txt")]
    assert docs[0].content == b"hello" and docs[0].path is None
    with docs[1].open() as stream:
        assert stream.read() == b"world"


@pytest.mark.parametrize(
    ("files", "error", "match"),
    [
        ("missing.pdf", FileNotFoundError, "no such file or folder"),
        ("nothing-*.pdf", FileNotFoundError, "no files match"),
        ([], ValueError, "no documents"),
        (42, TypeError, "cannot read a int"),
        ({"name": "x.txt", "content": "text"}, TypeError, "bytes or a memoryview"),
        ({"name": "", "content": b"x"}, ValueError, "non-empty 'name'"),
    ],
)
def test_bad_input_says_what_to_pass(
    files: object, error: type, match: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        collect_files(files)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="has no files"):
        collect_files(tmp_path)


def test_configuration_fingerprint_fills_defaults_and_ignores_the_schema() -> None:
    plain = build_configuration(SCHEMA)
    explicit = build_configuration(SCHEMA, tier="cost_effective", extraction_target="per_doc")
    other_schema = build_configuration({"type": "object", "properties": {"x": {"type": "string"}}})
    assert configuration_fingerprint(plain) == configuration_fingerprint(explicit)
    assert configuration_fingerprint(plain) == configuration_fingerprint(other_schema)
    assert configuration_fingerprint(plain) != configuration_fingerprint(
        build_configuration(SCHEMA, cite_sources=True)
    )
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'


def test_server_key_scopes_by_url_and_project_but_not_by_local_port() -> None:
    def key(url: str, project: str | None = None) -> str:
        settings = Settings.resolve(base_url=url, api_key="llx-secret", project_id=project)
        return server_key(settings)

    assert key("http://127.0.0.1:4001") == key("http://localhost:4002/")
    assert key("http://127.0.0.1:4001") != key("http://127.0.0.1:4001", "p")
    assert key("https://api.cloud.llamaindex.ai") != key("https://api.cloud.eu.llamaindex.ai")
    assert "llx-secret" not in key("https://api.cloud.llamaindex.ai")
