"""Accuracy of the local extraction engine on the labelled corpora, through ``extract()``.

Prints, in one run:

- Kleister-NDA train (254 NDA PDFs): micro precision / recall / F1 over (key, value) pairs,
  per-key counts, and the precision of extracted pairs per confidence band;
- SROIE tune (300 receipts): per-field and mean accuracy for the receipt written as a TXT
  file and laid out on a PDF page (boxes scaled to points), and accuracy per confidence band.

The corpus is read from ``$LLAMAEXTRACT_CORPUS`` or ``<repo>/../shared/corpus``. Nothing
expected is shown to the engine: the benchmark only normalises the engine's output into
each corpus's answer format (Kleister writes ``NIKE, Inc.`` as ``Nike_Inc.``).

Usage: ``python benchmarks/engine_accuracy.py [--only nda|sroie] [--limit N] [--no-pdf]
[--misses]``
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from llamaextract_nb.local.engine import DocumentError, EngineOutput, extract  # noqa: E402
from llamaextract_nb.local.engine.coerce import parse_date, parse_number  # noqa: E402

BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01))

NDA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "effective_date": {
            "type": "string",
            "format": "date",
            "description": "The date the agreement takes effect",
        },
        "jurisdiction": {
            "type": "string",
            "description": "The US state or country whose law governs the agreement",
        },
        "parties": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Every party to the agreement (companies and people)",
        },
        "term": {
            "type": "string",
            "description": 'How long the agreement lasts, e.g. "3 years"',
        },
    },
}

SROIE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "company": {"type": "string", "description": "Name of the company that issued the receipt"},
        "date": {"type": "string", "format": "date", "description": "Date of the receipt"},
        "address": {"type": "string", "description": "Address of the company"},
        "total": {"type": "number", "description": "Total amount paid"},
    },
}
SROIE_FIELDS = ("company", "date", "address", "total")


def corpus_dir() -> Path:
    """Where the labelled corpora live: ``$LLAMAEXTRACT_CORPUS`` or ``<repo>/../shared/corpus``."""
    env = os.environ.get("LLAMAEXTRACT_CORPUS")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "corpus", REPO / ".." / ".." / "shared" / "corpus"]
    for path in candidates:
        if (path / "kleister-nda-train").is_dir() or (path / "sroie-tune").is_dir():
            return path.resolve()
    raise SystemExit(
        "corpus not found: set LLAMAEXTRACT_CORPUS to the directory holding "
        "kleister-nda-train/ and sroie-tune/"
    )


def configuration(schema: dict[str, Any], system_prompt: str | None = None) -> dict[str, Any]:
    return {
        "data_schema": schema,
        "extraction_target": "per_doc",
        "confidence_scores": True,
        "cite_sources": True,
        "system_prompt": system_prompt,
    }


# ---------------------------------------------------------------------------------------
# Confidence bands


@dataclass
class Bands:
    """Correct / total counts per confidence band."""

    counts: dict[int, list[int]] = field(
        default_factory=lambda: collections.defaultdict(lambda: [0, 0])
    )

    def add(self, confidence: float | None, correct: bool) -> None:
        index = -1
        if confidence is not None:
            index = next(i for i, (lo, hi) in enumerate(BANDS) if lo <= confidence < hi)
        self.counts[index][0] += int(correct)
        self.counts[index][1] += 1

    def lines(self) -> Iterator[str]:
        for index in sorted(self.counts):
            ok, total = self.counts[index]
            name = (
                "no conf."
                if index < 0
                else f"[{BANDS[index][0]:.2f}, {min(BANDS[index][1], 1.0):.2f}]"
            )
            yield f"    {name:<14} accuracy {ok / total:6.3f}   ({ok}/{total})"


def run_extract(data: bytes, filename: str, config: dict[str, Any]) -> EngineOutput | None:
    """The engine's output, or None (reported) when it refuses the document."""
    try:
        return extract(data, filename, config)
    except DocumentError as error:
        print(f"  {filename}: engine refused the document: {error}")
        return None


def field_entries(metadata: dict[str, Any]) -> dict[str, Any]:
    return (metadata.get("field_metadata") or {}).get("document_metadata") or {}


def confidence_of(entry: Any) -> float | None:
    if isinstance(entry, dict):
        value = entry.get("confidence")
        return float(value) if isinstance(value, (int, float)) else None
    return None


# ---------------------------------------------------------------------------------------
# Kleister-NDA


def kleister_value(key: str, value: Any) -> str | None:
    """The engine's value written the way Kleister-NDA writes answers (upper-cased)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if key == "effective_date":
        parsed = parse_date(text)
        return parsed.isoformat() if parsed else None
    if key == "party":
        text = text.replace("&", " and ").replace(",", " ")
        text = " ".join(text.split())
        text = re.sub(r"(?i)\bincorporated$", "Inc.", text)
        text = re.sub(r"(?i)\blimited$", "Ltd.", text)
        text = re.sub(r"(?i)\bL\.L\.C\.?$", "LLC", text)
        text = re.sub(r"(?i)\bL\.P\.$", "LP", text)
        text = re.sub(r"(?i)\b(inc|ltd|corp|co)$", r"\1.", text)
    return "_".join(text.split()).upper()


def run_nda(root: Path, limit: int | None, show_misses: bool) -> None:
    base = root / "kleister-nda-train"
    names = (base / "files.txt").read_text().split()
    answers = (base / "expected.tsv").read_text(encoding="utf-8").splitlines()
    if limit:
        names, answers = names[:limit], answers[:limit]
    tp = fp = fn = 0
    per_key: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    bands = Bands()
    started = time.perf_counter()
    pages = failed = 0
    for name, answer in zip(names, answers, strict=True):
        gold: collections.Counter[tuple[str, str]] = collections.Counter()
        for item in answer.split():
            gold_key, _, gold_value = item.partition("=")
            gold[(gold_key, gold_value.upper())] += 1
        data = (base / "documents" / name).read_bytes()
        output = run_extract(data, name, configuration(NDA_SCHEMA))
        failed += output is None
        pages += int(output.usage.get("num_pages_extracted") or 0) if output else 0
        result = output.result if output else {}
        assert isinstance(result, dict)
        entries = field_entries(output.metadata) if output else {}
        predicted: list[tuple[tuple[str, str], float | None]] = []
        for field_name, key in (
            ("effective_date", "effective_date"),
            ("jurisdiction", "jurisdiction"),
            ("term", "term"),
        ):
            found = kleister_value(key, result.get(field_name))
            if found is not None:
                predicted.append(((key, found), confidence_of(entries.get(field_name))))
        party_entries = entries.get("parties")
        for index, party in enumerate(result.get("parties") or []):
            found = kleister_value("party", party)
            entry = (
                party_entries[index]
                if isinstance(party_entries, list) and index < len(party_entries)
                else None
            )
            if found is not None:
                predicted.append((("party", found), confidence_of(entry)))
        remaining = gold.copy()
        for pair, confidence in predicted:
            correct = remaining[pair] > 0
            if correct:
                remaining[pair] -= 1
                tp += 1
                per_key[pair[0]]["tp"] += 1
            else:
                fp += 1
                per_key[pair[0]]["fp"] += 1
            bands.add(confidence, correct)
        for pair, count in remaining.items():
            fn += count
            per_key[pair[0]]["fn"] += count
        if show_misses:
            wrong = [p for p, _ in predicted if p not in gold]
            missed = [p for p, n in remaining.items() if n > 0]
            if wrong or missed:
                print(f"  {name[:12]} wrong={wrong} missed={missed}")
    elapsed = time.perf_counter() - started
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        f"Kleister-NDA train: {len(names)} documents ({failed} refused), {pages} pages,"
        f" {elapsed:.1f} s"
    )
    print(f"  micro P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}   (target F1 >= 0.72)")
    for key in ("effective_date", "jurisdiction", "party", "term"):
        c = per_key[key]
        key_p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        key_r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        print(
            f"  {key:<15} P {key_p:.3f}  R {key_r:.3f}"
            f"   tp {c['tp']:3d}  fp {c['fp']:3d}  fn {c['fn']:3d}"
        )
    print("  precision of extracted pairs per confidence band:")
    for line in bands.lines():
        print(line)


# ---------------------------------------------------------------------------------------
# SROIE


@dataclass(frozen=True)
class OcrLine:
    quad: tuple[int, ...]
    text: str


def read_receipt(path: Path) -> list[OcrLine]:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        content = raw.decode("latin-1")
    lines = []
    for row in content.splitlines():
        parts = row.split(",", 8)
        if len(parts) < 9:
            continue
        try:
            quad = tuple(int(p) for p in parts[:8])
        except ValueError:
            continue
        lines.append(OcrLine(quad, parts[8].strip()))
    return lines


def receipt_txt(lines: list[OcrLine]) -> bytes:
    return ("\n".join(line.text for line in lines) + "\n").encode("utf-8")


def receipt_pdf(lines: list[OcrLine]) -> bytes:
    """The receipt's OCR boxes laid out on one PDF page, pixels scaled to points."""
    from fpdf import FPDF

    xs = [v for line in lines for v in line.quad[0::2]]
    ys = [v for line in lines for v in line.quad[1::2]]
    width_px, height_px = max(xs, default=1) + 20, max(ys, default=1) + 20
    scale = 400.0 / width_px
    pdf = FPDF(unit="pt", format=(width_px * scale, height_px * scale))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    for line in lines:
        x0, y0 = min(line.quad[0::2]) * scale, min(line.quad[1::2]) * scale
        x1, y1 = max(line.quad[0::2]) * scale, max(line.quad[1::2]) * scale
        text = line.text.encode("latin-1", "replace").decode("latin-1")
        if not text.strip():
            continue
        size = max(4.0, (y1 - y0) * 0.8)
        pdf.set_font("Helvetica", size=size)
        natural = pdf.get_string_width(text)
        if natural > 0 and natural > (x1 - x0):
            size = max(3.0, size * (x1 - x0) / natural)
            pdf.set_font("Helvetica", size=size)
        pdf.text(x0, y0 + size * 0.85, text)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def _norm_text(value: Any) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def sroie_correct(field_name: str, predicted: Any, truth: str) -> bool:
    """The corpus README's scoring: text exact after whitespace and case normalisation
    (all whitespace removed), date by calendar value, total by numeric value."""
    if field_name in ("company", "address"):
        return bool(truth) and _norm_text(predicted) == _norm_text(truth)
    if field_name == "date":
        expected = parse_date(truth, day_first=True)
        got = parse_date(str(predicted), day_first=True) if predicted else None
        return expected is not None and got == expected
    expected_total = parse_number(truth) if truth else None
    got_total = (
        predicted if isinstance(predicted, (int, float)) else parse_number(str(predicted or ""))
    )
    return (
        expected_total is not None
        and got_total is not None
        and abs(got_total - expected_total) < 0.005
    )


def run_sroie(root: Path, limit: int | None, formats: list[str], show_misses: bool) -> None:
    base = root / "sroie-tune"
    names = sorted(p.stem for p in (base / "box").glob("*.csv"))
    if limit:
        names = names[:limit]
    config = configuration(
        SROIE_SCHEMA, system_prompt="Receipts from Malaysia: dates are day-first."
    )
    for fmt in formats:
        correct: collections.Counter[str] = collections.Counter()
        bands = Bands()
        started = time.perf_counter()
        failed = 0
        for name in names:
            lines = read_receipt(base / "box" / f"{name}.csv")
            truth = json.loads(
                (base / "key" / f"{name}.json").read_text(encoding="utf-8", errors="replace")
            )
            data = receipt_txt(lines) if fmt == "txt" else receipt_pdf(lines)
            output = run_extract(data, f"{name}.{fmt}", config)
            failed += output is None
            result = output.result if output else {}
            assert isinstance(result, dict)
            entries = field_entries(output.metadata) if output else {}
            for field_name in SROIE_FIELDS:
                value = result.get(field_name)
                ok = sroie_correct(field_name, value, str(truth.get(field_name) or ""))
                correct[field_name] += ok
                if value is not None:
                    bands.add(confidence_of(entries.get(field_name)), ok)
                elif truth.get(field_name):
                    bands.add(None, False)
                if show_misses and not ok:
                    print(f"  {name} {field_name:<8} got={value!r} want={truth.get(field_name)!r}")
        elapsed = time.perf_counter() - started
        n = len(names)
        accuracies = {f: correct[f] / n for f in SROIE_FIELDS}
        mean = sum(accuracies.values()) / len(SROIE_FIELDS)
        shown = "  ".join(f"{f} {a:.3f}" for f, a in accuracies.items())
        print(f"SROIE tune as {fmt.upper()}: {n} receipts ({failed} refused), {elapsed:.1f} s")
        print(f"  {shown}   mean {mean:.3f}   (target mean >= 0.72)")
        print(
            "  accuracy of extracted values per confidence band"
            " (no conf. = null where the truth has a value):"
        )
        for line in bands.lines():
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("nda", "sroie"))
    parser.add_argument("--limit", type=int, default=None, help="first N documents of each corpus")
    parser.add_argument("--no-pdf", action="store_true", help="SROIE as TXT only")
    parser.add_argument("--misses", action="store_true", help="print every wrong or missed value")
    args = parser.parse_args()
    root = corpus_dir()
    if args.only in (None, "nda"):
        run_nda(root, args.limit, args.misses)
    if args.only in (None, "sroie"):
        run_sroie(root, args.limit, ["txt"] if args.no_pdf else ["txt", "pdf"], args.misses)


if __name__ == "__main__":
    main()
