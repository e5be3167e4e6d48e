"""The shipped sample documents: the listing API, freshness, packaging, and that the
parsers see every expected value in them."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import llamaextract_nb as lx
from llamaextract_nb.local.engine.document import Document
from llamaextract_nb.local.engine.parsers import parse
from llamaextract_nb.samples import DATA_DIR, Sample
from llamaextract_nb.schema import check_limits, to_json_schema

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    "invoice-2page.pdf",
    "invoice.docx",
    "invoice.html",
    "invoice.pdf",
    "invoice.txt",
    "invoice.xlsx",
    "nda.pdf",
    "receipt.pdf",
]


def make_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts/make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_listing() -> None:
    samples = lx.samples.list()
    assert [sample.name for sample in samples] == DOCUMENTS
    kinds = {sample.name: sample.kind for sample in samples}
    assert kinds["invoice.docx"] == "docx" and kinds["receipt.pdf"] == "pdf"
    for sample in samples:
        assert isinstance(sample, Sample) and sample.path.is_file()
        assert sample.target == "per_doc" and sample.description
        assert sample.read_bytes() == sample.path.read_bytes()


def test_get_and_path() -> None:
    assert lx.samples.get("invoice.html").kind == "html"
    assert lx.samples.get("receipt").name == "receipt.pdf"  # a unique stem
    assert lx.samples.path("nda") == DATA_DIR / "nda.pdf"
    with pytest.raises(KeyError, match="several samples"):
        lx.samples.get("invoice")
    with pytest.raises(KeyError, match=r"no sample called 'bill\.pdf'; samples are: invoice-2page"):
        lx.samples.get("bill.pdf")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_schemas_are_valid_and_within_limits(name: str) -> None:
    sample = lx.samples.get(name)
    assert to_json_schema(sample.schema) == sample.schema
    assert check_limits(sample.schema) == []
    assert isinstance(sample.expected, dict)
    assert set(sample.expected) == set(sample.schema["properties"])


def test_invoice_schema_has_the_required_shape() -> None:
    properties = lx.samples.get("invoice.pdf").schema["properties"]
    assert properties["invoice_date"]["format"] == "date"
    assert properties["total_amount"]["type"] == "number"
    assert properties["currency"]["enum"] == ["USD", "EUR", "GBP"]
    assert set(properties["buyer"]["properties"]) == {"name", "address"}
    item = properties["line_items"]["items"]["properties"]
    assert item["quantity"]["type"] == "integer"
    assert set(item) == {"description", "quantity", "unit_price", "amount"}


def test_committed_files_are_what_the_script_makes() -> None:
    """The script and the committed files agree: truth files and text formats byte for
    byte, binary formats by their parsed text (library upgrades may change their bytes)."""
    built = make_samples().build()
    on_disk = {path.relative_to(DATA_DIR).as_posix() for path in _data_files(DATA_DIR)}
    assert on_disk == set(built), "run scripts/make_samples.py and commit the result"
    for name, data in built.items():
        committed = (DATA_DIR / name).read_bytes()
        if name.endswith((".json", ".txt", ".html")):
            assert committed == data, f"{name} is stale: run scripts/make_samples.py"
        else:
            assert parse(committed, name).text == parse(data, name).text, f"{name} is stale"


def test_sample_data_is_packaged(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
         "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    packaged_dir = tmp_path / "llamaextract_nb/samples/data"
    packaged = {path.relative_to(packaged_dir) for path in _data_files(packaged_dir)}
    assert packaged == {path.relative_to(DATA_DIR) for path in _data_files(DATA_DIR)}


def _data_files(folder: Path) -> list[Path]:
    return [
        path for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    ]


def numbers(text: str) -> set[float]:
    return {float(match.replace(",", "")) for match in re.findall(r"\d[\d,]*\.?\d*", text)}


def parsed(sample: Sample) -> Document:
    return parse(sample.read_bytes(), sample.name, need_tables=True)


@pytest.mark.parametrize("name", [n for n in DOCUMENTS if n.startswith("invoice")])
def test_parsed_invoices_hold_every_expected_value(name: str) -> None:
    sample = lx.samples.get(name)
    expected = sample.expected
    assert isinstance(expected, dict)
    doc = parsed(sample)
    text = doc.text
    for value in (expected["vendor_name"], expected["invoice_number"], expected["currency"],
                  expected["buyer"]["name"]):  # fmt: skip
        assert value in text
    for part in expected["buyer"]["address"].split(", "):
        assert part in text
    assert expected["total_amount"] in numbers(text)
    # every line item is one table row (tables continued across pages included)
    rows = [
        [cell.text for cell in row]
        for table in doc.tables
        for row in (
            [table.header, *table.rows] if table.header[0].text != "Description" else table.rows
        )
    ]
    assert [
        (row[0], int(row[1]), *(float(cell.replace(",", "").lstrip("$")) for cell in row[2:]))
        for row in rows
    ] == [
        (item["description"], item["quantity"], item["unit_price"], item["amount"])
        for item in expected["line_items"]
    ]


def test_two_page_invoice_continues_its_table_on_page_two() -> None:
    doc = parsed(lx.samples.get("invoice-2page.pdf"))
    first, second = doc.tables
    assert (first.page, second.page) == (1, 2) and len(first.header) == len(second.header) == 4
    assert [cell.text for cell in first.header] == ["Description", "Qty", "Unit Price", "Amount"]
    assert second.header[0].text != "Description"  # not repeated: a data row


def test_receipt_and_nda_text() -> None:
    receipt = parsed(lx.samples.get("receipt.pdf"))
    assert "CORNER BAKERY CAFE" in receipt.text and "Date: 07/14/2024" in receipt.text
    assert "TOTAL  $16.00" in receipt.text
    nda = parsed(lx.samples.get("nda.pdf"))
    assert len(nda.pages) == 2
    text = " ".join(nda.text.split())
    for phrase in ("as of June 3, 2024", "Harbor Analytics Inc.", "Brightline Components Inc.",
                   "three (3) years", "laws of the State of California"):  # fmt: skip
        assert phrase in text
    signature_lines = [line.text for line in nda.pages[1].lines]
    harbor = signature_lines.index("HARBOR ANALYTICS INC.")
    assert signature_lines[harbor + 2] == "Name: Dana Whitfield"  # each party's block in order


def test_pdf_samples_have_boxes_inside_their_pages() -> None:
    for sample in lx.samples.list():
        if sample.kind != "pdf":
            continue
        for page in parsed(sample).pages:
            for line in page.lines:
                assert line.box is not None
                assert line.box.x >= 0 and line.box.x1 <= page.width
                assert line.box.y >= 0 and line.box.y1 <= page.height


def test_sample_sets_hold_enough_documents_of_two_kinds_with_truth() -> None:
    assert lx.samples.folders() == ["invoices", "receipts"]
    invoices, receipts = lx.samples.folder("invoices"), lx.samples.folder("receipts")
    assert len(invoices.files) == 12 and len(receipts.files) == 10
    for sample_set in (invoices, receipts):
        assert sample_set.description and sample_set.target == "per_doc"
        assert check_limits(sample_set.schema) == []
        truth = sample_set.truth
        assert truth.files == [file.stem for file in sample_set.files]
        for file in sample_set.files:
            assert set(truth[file.name]) == set(sample_set.schema["properties"])
            assert file.stat().st_size < 4000  # a few KB each
    assert {r["due_date"] for r in receipts.truth.values()} == {None}  # no value expected
    with pytest.raises(KeyError, match="sets are: invoices, receipts"):
        lx.samples.folder("contracts")


def test_sample_truth() -> None:
    sample = lx.samples.get("receipts/receipt-03.pdf")
    assert sample.name == "receipts/receipt-03.pdf" and sample.kind == "pdf"
    assert sample.truth.files == ["receipt-03"]
    assert sample.truth["receipt-03.pdf"] == sample.expected
    assert sample.schema == lx.samples.folder("receipts").schema
    assert lx.samples.get("invoice.pdf").truth["invoice"]["total_amount"] == 19608.48
    with pytest.raises(KeyError, match=r"no sample 'x\.pdf' in 'receipts'"):
        lx.samples.get("receipts/x.pdf")


@pytest.mark.parametrize("set_name", ["invoices", "receipts"])
def test_sample_set_truth_is_printed_in_each_document(set_name: str) -> None:
    """The truth is true: each expected value is in the document's text as printed."""
    from llamaextract_nb.results.matching import locate

    sample_set = lx.samples.folder(set_name)
    for sample in sample_set.samples:
        text = parsed(sample).text
        expected = sample.expected
        assert isinstance(expected, dict)
        for key in ("vendor_name", "invoice_number", "invoice_date", "total_amount", "tax"):
            assert locate(expected[key], text) is not None, (sample.name, key)
        if expected["due_date"]:
            assert locate(expected["due_date"], text) is not None, sample.name
        for item in expected["line_items"]:
            assert item["description"] in text and locate(item["amount"], text), sample.name
