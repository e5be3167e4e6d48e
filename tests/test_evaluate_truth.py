"""Truth: every loader, the folder format (atomic writes, ignored files), lookups by stem."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import llamaextract_nb as lx
from llamaextract_nb.evaluate import Truth, write_document

INVOICE = {"vendor_name": "ACME GmbH", "total": 1785.0, "buyer": {"name": "Harbor Inc."}}
PAGES = [{"title": "Cover"}, {"title": "Terms", "signed": None}]


def test_from_dict_keys_by_stem_and_lookups_agree() -> None:
    truth = lx.Truth.from_dict({"invoice.pdf": INVOICE, "pages.pdf": PAGES})
    assert truth.files == ["invoice", "pages"] and len(truth) == 2
    assert truth["invoice.pdf"] == truth["invoice"] == truth.get("invoice.docx") == INVOICE
    assert "invoice.pdf" in truth and "other.pdf" not in truth
    assert truth.get("other.pdf") is None
    assert list(truth) == ["invoice", "pages"]
    with pytest.raises(KeyError, match=r"no truth for .other\.pdf.; truth has: invoice, pages"):
        truth["other.pdf"]


def test_two_files_with_one_stem_must_agree() -> None:
    same = lx.Truth.from_dict({"a.pdf": INVOICE, "a.docx": INVOICE})
    assert same.files == ["a"]
    with pytest.raises(ValueError, match="share the stem 'a'"):
        lx.Truth.from_dict({"a.pdf": INVOICE, "a.docx": {"total": 1}})


@pytest.mark.parametrize("bad", ["text", 3, [1, 2], None])
def test_truth_must_be_an_object_or_a_list_of_objects(bad: object) -> None:
    with pytest.raises(ValueError, match="must be a JSON object"):
        lx.Truth.from_dict({"a.pdf": bad})


def test_folder_round_trip_ignores_logs_and_documents(tmp_path: Path) -> None:
    truth = lx.Truth.from_dict({"invoice.pdf": INVOICE, "pages.pdf": PAGES})
    folder = truth.to_folder(tmp_path / "gold")
    assert sorted(p.name for p in folder.iterdir()) == ["invoice.json", "pages.json"]
    assert json.loads((folder / "pages.json").read_text()) == PAGES
    (folder / "_review-log.json").write_text("not json at all")
    (folder / ".hidden.json").write_text("{")
    (folder / "invoice.pdf").write_bytes(b"%PDF-1.4")
    assert lx.Truth.from_folder(folder) == truth
    assert lx.Truth.load(str(folder)) == truth


def test_folder_with_bad_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"a": ')
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON"):
        lx.Truth.from_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        lx.Truth.from_folder(tmp_path / "missing")


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_document(tmp_path, "invoice.pdf", INVOICE)
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(source: str, target: str) -> None:
        replaced.append((Path(source).name, Path(target).name))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    write_document(tmp_path, "invoice.pdf", {"total": 2})
    assert len(replaced) == 1 and replaced[0][1] == "invoice.json"
    assert replaced[0][0].startswith(".") and replaced[0][0].endswith(".tmp")

    def fail(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_document(tmp_path, "invoice.pdf", {"total": 3})
    assert json.loads((tmp_path / "invoice.json").read_text()) == {"total": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoice.json"]  # no temp left


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "truth.jsonl"
    path.write_text(
        json.dumps({"file": "invoice.pdf", "truth": INVOICE})
        + "\n\n"
        + json.dumps({"file": "pages.pdf", "truth": PAGES})
        + "\n"
    )
    truth = lx.Truth.from_jsonl(path)
    assert truth["invoice"] == INVOICE and truth["pages"] == PAGES
    assert lx.Truth.load(path) == truth
    assert lx.Truth.from_jsonl(truth.to_jsonl(tmp_path / "again.jsonl")) == truth
    path.write_text('{"file": "a.pdf"}\n')
    with pytest.raises(ValueError, match=r"truth\.jsonl:1: each line must be"):
        lx.Truth.from_jsonl(path)


def test_frame_with_dotted_columns_like_result_df() -> None:
    frame = pd.DataFrame(
        {
            "file": ["invoice.pdf", "receipt.pdf"],
            "job_id": ["j1", "j2"],
            "vendor_name": ["ACME GmbH", None],
            "total": [1785.0, 16.0],
            "buyer.name": ["Harbor Inc.", "null"],
            "paid": pd.array([True, pd.NA], dtype="boolean"),
            "date": pd.to_datetime(["2024-03-12", "2024-07-14"]),
            "tags": ['["a", "b"]', None],
        }
    )
    truth = lx.Truth.from_frame(frame)
    assert truth["invoice"] == {
        "vendor_name": "ACME GmbH",
        "total": 1785.0,
        "buyer": {"name": "Harbor Inc."},
        "paid": True,
        "date": "2024-03-12",
        "tags": ["a", "b"],
    }
    # empty cells are not graded; "null" means no value expected
    assert truth["receipt"] == {"total": 16.0, "buyer": {"name": None}, "date": "2024-07-14"}
    assert type(truth["receipt"]["total"]) is float


def test_frame_with_page_column_makes_per_page_lists() -> None:
    frame = pd.DataFrame(
        {"file": ["a.pdf", "a.pdf", "b.pdf"], "page": [2, 1, 1], "title": ["T", "C", "X"]}
    )
    truth = lx.Truth.from_frame(frame)
    assert truth["a"] == [{"title": "C"}, {"title": "T"}]
    assert truth["b"] == [{"title": "X"}]
    gaps = lx.Truth.from_frame(pd.DataFrame({"file": ["c.pdf"], "page": [3], "title": ["Z"]}))
    assert gaps["c"] == [None, None, {"title": "Z"}]  # pages 1 and 2 are not graded
    rows = lx.Truth.from_frame(pd.DataFrame({"file": ["d.pdf"] * 2, "row": [7, 2], "x": [1, 2]}))
    assert rows["d"] == [{"x": 2}, {"x": 1}]
    with pytest.raises(ValueError, match="two rows for page 1"):
        lx.Truth.from_frame(pd.DataFrame({"file": ["a.pdf"] * 2, "page": [1, 1], "t": [1, 2]}))
    with pytest.raises(ValueError, match="page must be a whole number >= 1, got 0"):
        lx.Truth.from_frame(pd.DataFrame({"file": ["a.pdf"], "page": [0], "t": [1]}))


def test_frame_errors_say_what_to_fix() -> None:
    with pytest.raises(ValueError, match="needs a 'file' column"):
        lx.Truth.from_frame(pd.DataFrame({"name": ["x"]}))
    with pytest.raises(ValueError, match="has two rows"):
        lx.Truth.from_frame(pd.DataFrame({"file": ["a.pdf", "a.pdf"], "x": [1, 2]}))


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text(
        "file,invoice_number,total,paid,buyer.name,zip\n"
        "invoice.pdf,INV-1,1785.00,true,Harbor Inc.,02134\n"
        "receipt.pdf,R-7,16,,null,\n"
    )
    truth = lx.Truth.from_csv(path)
    assert truth["invoice"] == {
        "invoice_number": "INV-1",
        "total": 1785.0,
        "paid": True,
        "buyer": {"name": "Harbor Inc."},
        "zip": "02134",
    }
    assert truth["receipt"] == {"invoice_number": "R-7", "total": 16, "buyer": {"name": None}}
    assert lx.Truth.load(path) == truth


def test_load_dispatches_and_explains(tmp_path: Path) -> None:
    truth = lx.Truth.from_dict({"a.pdf": INVOICE})
    assert lx.Truth.load(truth) is truth
    assert lx.Truth.load({"a.pdf": INVOICE}) == truth
    (tmp_path / "all.json").write_text(json.dumps({"a.pdf": INVOICE}))
    assert lx.Truth.load(tmp_path / "all.json") == truth
    with pytest.raises(FileNotFoundError, match="not a folder or a file"):
        lx.Truth.load(tmp_path / "nope")
    (tmp_path / "t.xml").write_text("<x/>")
    with pytest.raises(ValueError, match=r"cannot read truth from t\.xml"):
        lx.Truth.load(tmp_path / "t.xml")
    with pytest.raises(TypeError, match="cannot make Truth from int"):
        lx.Truth.load(3)


def test_union_and_repr() -> None:
    a = lx.Truth.from_dict({"a.pdf": INVOICE})
    b = lx.Truth.from_dict({"b.pdf": PAGES, "a.pdf": {"total": 1}})
    both = a | b
    assert both.files == ["a", "b"] and both["a"] == {"total": 1}
    assert repr(both) == "Truth(2 documents: a, b)"
    assert isinstance(Truth(), Truth) and len(Truth()) == 0
