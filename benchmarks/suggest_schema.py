"""Schema suggestion on the ZUGFeRD tune set (German and French invoices): do the fields
suggested over five invoices cover the corpus's seven truth fields, by meaning?

For each group of five invoices (files in listed order: 1-5, 6-10, 9-13) it prints the
suggested fields (name, type, in how many of the five documents each was seen), then, per
truth field, the suggested field that means it (see ``MEANS``), and how often the engine,
extracting with the *suggested* schema, gives the truth value (the corpus README's
scoring, over the documents where the truth has a value). Goal: at least 5 of the 7
truth fields matched in each group.

The corpus is read from ``$LLAMAEXTRACT_CORPUS`` or ``<repo>/../shared/corpus``.
Usage: ``python benchmarks/suggest_schema.py [--show-fields]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine_accuracy import ZUGFERD_FIELDS, corpus_dir, zugferd_correct  # noqa: E402

from llamaextract_nb.local.engine import extract  # noqa: E402
from llamaextract_nb.local.engine.suggest import Suggestion, suggest_schema  # noqa: E402

GOAL = 5
GROUPS = ((0, 5), (5, 10), (8, 13))
MEANS: dict[str, tuple[str, ...]] = {
    "invoice_number": ("invoice_number",),
    "invoice_date": ("invoice_date",),
    "currency": ("currency",),
    "total_amount": ("total_amount", "total"),
    "amount_due": ("amount_due",),
    "seller_name": ("seller.name", "vendor_name", "company"),
    "buyer_name": ("buyer.name", "customer.name"),
}
"""Suggested field paths that mean each truth field, best first."""


def _paths(suggestion: Suggestion) -> dict[str, tuple[str, int]]:
    """Every suggested path with its type and the number of documents it was seen in."""
    found: dict[str, tuple[str, int]] = {}
    for f in suggestion.fields:
        found[f.name] = (f.type, f.documents)
        for child in f.children:
            found[f"{f.name}.{child.name}"] = (child.type, child.documents)
    return found


def _value(result: Any, path: str) -> Any:
    for part in path.split("."):
        result = result.get(part) if isinstance(result, dict) else None
    return result


def run_group(base: Path, rows: list[dict[str, Any]], show_fields: bool) -> int:
    documents = [(row["file"], row["file"], (base / row["file"]).read_bytes()) for row in rows]
    started = time.perf_counter()
    suggestion = suggest_schema(documents)
    elapsed = time.perf_counter() - started
    paths = _paths(suggestion)
    names = ", ".join(row["file"] for row in rows)
    print(f"\n== {names}: {len(suggestion.fields)} fields suggested in {elapsed:.2f} s")
    if show_fields:
        for f in suggestion.fields:
            print(f"   {f.documents}/{len(rows)}  {f.name}: {f.type}")
    schema = suggestion.data_schema()
    results = {
        row["file"]: extract(data, name, {"data_schema": schema}).result
        for row, (_, name, data) in zip(rows, documents, strict=True)
    }
    matched = 0
    print(f"   {'truth field':<15} {'suggested as':<15} {'type':<8} {'seen':>5}  extracted right")
    for truth_field in ZUGFERD_FIELDS:
        path = next((p for p in MEANS[truth_field] if p in paths), None)
        if path is None:
            print(f"   {truth_field:<15} {'-':<15}")
            continue
        matched += 1
        kind, seen = paths[path]
        grades = [
            zugferd_correct(
                truth_field, _value(results[row["file"]], path), row["truth"].get(truth_field)
            )
            for row in rows
        ]
        graded = [g for g in grades if g is not None]
        right = f"{sum(graded)}/{len(graded)}"
        print(f"   {truth_field:<15} {path:<15} {kind:<8} {seen:>3}/{len(rows)}  {right}")
    verdict = "meets" if matched >= GOAL else "MISSES"
    print(f"   matched {matched} of {len(ZUGFERD_FIELDS)} truth fields (goal >= {GOAL}: {verdict})")
    return matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-fields", action="store_true", help="list every suggested field")
    args = parser.parse_args()
    base = corpus_dir() / "zugferd-tune"
    rows = [json.loads(line) for line in (base / "truth.jsonl").read_text().splitlines() if line]
    rows.sort(key=lambda row: row["file"])
    figures = [run_group(base, rows[a:b], args.show_fields) for a, b in GROUPS]
    print(f"\nmatched per group: {figures} of {len(ZUGFERD_FIELDS)} (goal >= {GOAL} each)")


if __name__ == "__main__":
    main()
