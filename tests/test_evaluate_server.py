"""Evaluation of real extractions: the shipped sample sets extracted by the local server over
HTTP, graded against their truth, a vague schema compared with a better one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import llamaextract_nb as lx

pytestmark = pytest.mark.slow

VAGUE = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "Name"},
        "number": {"type": "string", "description": "Number"},
        "amount": {"type": "number", "description": "Amount"},
        "vat": {"type": "number", "description": "VAT"},
    },
}
VAGUE_NAMES = {"name": "vendor_name", "number": "invoice_number", "amount": "total_amount",
               "vat": "tax"}  # fmt: skip


def test_sample_sets_evaluated_on_the_local_server(client: Any, tmp_path: Path) -> None:
    invoices, receipts = lx.samples.folder("invoices"), lx.samples.folder("receipts")
    files = invoices.files + receipts.files
    truth = invoices.truth | receipts.truth
    options: dict[str, Any] = {"cite_sources": True, "confidence_scores": True, "progress": False}
    better = client.extract_many(files, invoices.schema, ledger=tmp_path / "l.sqlite", **options)
    assert len(better) == 22 and better.failures.empty

    evaluation = better.evaluate(truth)
    assert len(evaluation.documents) == 22 and not evaluation.without_truth
    summary = evaluation.summary.set_index("field")
    assert summary.loc["invoice_date", "accuracy"] == 1.0  # six date formats, all read
    assert summary.loc["total_amount", "accuracy"] >= 0.75
    assert summary.loc["currency", "accuracy"] == 1.0
    assert summary.loc["due_date", "graded"] == 22  # receipts' null is graded too
    assert 0.5 < evaluation.accuracy < 1.0
    # the details carry the citations of the real extraction
    cited = evaluation.details.dropna(subset=["matching_text"])
    assert len(cited) > 100 and cited["page"].eq(1).all()
    assert not evaluation.by_confidence.empty and 0 <= evaluation.ece <= 1
    threshold = evaluation.threshold(max_error=0.05)
    assert threshold.reached and 0 < threshold.review_share < 1 and threshold.error <= 0.05

    vague = client.extract_many(files, VAGUE, ledger=tmp_path / "l.sqlite", **options)
    comparison = lx.compare(vague.rename(VAGUE_NAMES), better, truth=truth, names=["v1", "v2"])
    deltas = comparison.summary.set_index("field")["delta"]
    assert deltas["total_amount"] > 0.2  # a bare "amount" picks line amounts
    assert comparison.accuracy["v2"] > comparison.accuracy["v1"] + 0.05
    html = comparison.html()
    assert "lx-improved" in html and "<svg" in evaluation.html()
