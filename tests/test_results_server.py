"""Results of real runs on the local server: one invoice in four formats plus a broken file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from llamaextract_nb import samples
from llamaextract_nb.results import BatchResult

pytestmark = pytest.mark.slow

IMAGE = re.compile(r'src="data:image/jpeg;base64,')


def test_a_batch_over_four_formats_and_a_broken_file(client: Any, tmp_path: Path) -> None:
    names = ["invoice.pdf", "invoice.docx", "invoice.html", "invoice.txt"]
    invoice = samples.get("invoice.pdf")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not really a PDF")
    files = [str(samples.path(name)) for name in names] + [str(broken)]
    batch = client.extract_many(
        files,
        invoice.schema,
        ledger=tmp_path / "ledger.sqlite",
        progress=False,
        cite_sources=True,
        confidence_scores=True,
    )
    assert isinstance(batch, BatchResult)

    df = batch.df
    assert df["file"].tolist() == files  # the batch names documents by the path given
    assert df["job_status"].tolist() == ["COMPLETED"] * 4 + ["FAILED"]
    assert df["invoice_number"].iloc[:4].tolist() == [invoice.expected["invoice_number"]] * 4
    assert pd.api.types.is_datetime64_any_dtype(df["invoice_date"])

    items = batch.tables["line_items"]
    assert items.groupby("file").size().to_dict() == {file: 4 for file in files[:4]}
    merged = items.merge(df, on=["file", "job_id"])
    assert len(merged) == 16

    failures = batch.failures
    assert failures["file"].tolist() == [str(broken)]
    assert failures["error"].iloc[0]

    fields = batch.fields
    boxed = fields.groupby("document")["bounding_boxes"].apply(lambda b: sum(map(len, b)))
    assert boxed[files[0]] >= 24 and boxed[files[3]] == 0  # boxes only on PDF pages
    assert fields.groupby("document")["page"].min().to_dict() == {file: 1 for file in files[:4]}

    html = batch._repr_html_()
    assert html.count('<details class="lx-doc">') == 5
    assert len(IMAGE.findall(html)) == 1  # the one PDF page; other formats have no page image
    assert "broken.pdf" in html and "FAILED" in html
    assert len(html.encode()) < 1_000_000
