"""Accuracy of the local extraction engine on the labelled corpora, through ``extract()``.

Prints, in one run, for every set its figure on the *tune* part and on the *held-out* part
side by side (and on all of it), beside the goal:

- Kleister-NDA train (254 NDA PDFs): micro precision / recall / F1 over (key, value) pairs
  and per key, and the precision of extracted pairs per confidence band;
- SROIE tune (300 receipts): per-field and mean accuracy for the receipt written as a TXT
  file and laid out on a PDF page (boxes scaled to points);
- SROIE tune images (the same 300 receipts as the scanned photos ``img/NNN.jpg``, read by
  OCR; needs the ``[ocr]`` extra; the slowest set, 1-3 s per receipt on 2 cores):
  per-field and mean accuracy;
- ZUGFeRD tune (13 German and French e-invoices, PDF text layer): per-field accuracy over
  the gradeable fields and its mean, as the corpus README scores it.

The split is fixed and the same for every set: the document at 0-based position ``i`` of
the set (files in their listed order) is held out when ``i % 3 == 2``, i.e. one document in
three, spread over the whole set. Rules are developed looking at the tune part only
(``--misses`` prints misses of the tune part; the held-out part shows only as a figure),
so the held-out figure estimates accuracy on documents nobody tuned on. ZUGFeRD has 13
documents: its held-out part is 4 documents, so its held-out figure moves in steps of
about 1/4 per field; read it as a check, not a measurement.

The corpus is read from ``$LLAMAEXTRACT_CORPUS`` or ``<repo>/../shared/corpus``. Nothing
expected is shown to the engine: the benchmark only normalises the engine's output into
each corpus's answer format (Kleister writes ``NIKE, Inc.`` as ``Nike_Inc.``).

Usage: ``python benchmarks/engine_accuracy.py [--only nda|sroie|sroie-img|zugferd ...] [--limit N]
[--no-pdf] [--misses]``
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from llamaextract_nb.local.engine import DocumentError, EngineOutput, extract  # noqa: E402
from llamaextract_nb.local.engine.coerce import parse_date, parse_number  # noqa: E402

BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01))
HELD_OUT_EVERY = 3  # position i is held out when i % 3 == 2

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
NDA_KEYS = ("effective_date", "jurisdiction", "party", "term")

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
SROIE_PROMPT = "Receipts from Malaysia: dates are day-first."


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
        "kleister-nda-train/, sroie-tune/ and zugferd-tune/"
    )


def configuration(schema: dict[str, Any], system_prompt: str | None = None) -> dict[str, Any]:
    return {
        "data_schema": schema,
        "extraction_target": "per_doc",
        "confidence_scores": True,
        "cite_sources": True,
        "system_prompt": system_prompt,
    }


def is_held_out(index: int) -> bool:
    """The fixed split: one document in three (0-based positions 2, 5, 8, ...) is held out."""
    return index % HELD_OUT_EVERY == HELD_OUT_EVERY - 1


# ---------------------------------------------------------------------------------------
# Confidence bands and per-document scores


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


@dataclass
class DocScore:
    """One document's counts: ``ok:<field>`` / ``n:<field>`` (accuracy sets) or
    ``tp:<key>`` / ``fp:<key>`` / ``fn:<key>`` (Kleister-NDA)."""

    name: str
    held_out: bool
    counts: collections.Counter[str] = field(default_factory=collections.Counter)


@dataclass
class SetRun:
    """A set's per-document scores, ready to be reported tune vs held-out."""

    title: str
    fields: tuple[str, ...]
    goal: str
    docs: list[DocScore] = field(default_factory=list)
    bands: Bands = field(default_factory=Bands)
    refused: int = 0
    pages: int = 0
    seconds: float = 0.0


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


def _parts(docs: list[DocScore]) -> list[tuple[str, list[DocScore]]]:
    tune = [d for d in docs if not d.held_out]
    held = [d for d in docs if d.held_out]
    return [
        (f"tune ({len(tune)})", tune),
        (f"held-out ({len(held)})", held),
        (f"all ({len(docs)})", docs),
    ]


def _total(docs: Iterable[DocScore]) -> collections.Counter[str]:
    total: collections.Counter[str] = collections.Counter()
    for doc in docs:
        total.update(doc.counts)
    return total


def _accuracy(counts: collections.Counter[str], name: str) -> float | None:
    graded = counts[f"n:{name}"]
    return counts[f"ok:{name}"] / graded if graded else None


def _f1(counts: collections.Counter[str], keys: Iterable[str]) -> tuple[float, float, float]:
    tp = sum(counts[f"tp:{k}"] for k in keys)
    fp = sum(counts[f"fp:{k}"] for k in keys)
    fn = sum(counts[f"fn:{k}"] for k in keys)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _cell(value: float | None) -> str:
    return f"{'-':>16}" if value is None else f"{value:>16.3f}"


def report(run: SetRun, *, f1: bool = False) -> None:
    """Print a set's figures: tune vs held-out vs all, one row per field and the summary."""
    print(
        f"{run.title}: {len(run.docs)} documents ({run.refused} refused),"
        f"{f' {run.pages} pages,' if run.pages else ''} {run.seconds:.1f} s"
    )
    parts = _parts(run.docs)
    totals = [_total(docs) for _, docs in parts]
    print(f"  {'':<18}" + "".join(f"{title:>16}" for title, _ in parts))
    if f1:
        for label, index in (("micro P", 0), ("micro R", 1), ("micro F1", 2)):
            goal = f"   ({run.goal})" if index == 2 else ""
            row = "".join(_cell(_f1(t, run.fields)[index]) for t in totals)
            print(f"  {label:<18}{row}{goal}")
        for key in run.fields:
            print(f"  {key + ' F1':<18}" + "".join(_cell(_f1(t, [key])[2]) for t in totals))
    else:
        means = []
        for name in run.fields:
            print(f"  {name:<18}" + "".join(_cell(_accuracy(t, name)) for t in totals))
        for total in totals:
            found = [a for a in (_accuracy(total, n) for n in run.fields) if a is not None]
            means.append(sum(found) / len(found) if found else None)
        print(f"  {'mean':<18}" + "".join(_cell(m) for m in means) + f"   ({run.goal})")
    print("  accuracy of extracted values per confidence band (all documents;")
    print("  no conf. = null where the truth has a value):")
    for line in run.bands.lines():
        print(line)


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


def _nda_predicted(output: EngineOutput | None) -> list[tuple[tuple[str, str], float | None]]:
    result = output.result if output else {}
    assert isinstance(result, dict)
    entries = field_entries(output.metadata) if output else {}
    predicted: list[tuple[tuple[str, str], float | None]] = []
    for key in ("effective_date", "jurisdiction", "term"):
        found = kleister_value(key, result.get(key))
        if found is not None:
            predicted.append(((key, found), confidence_of(entries.get(key))))
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
    return predicted


def run_nda(root: Path, args: argparse.Namespace) -> None:
    base = root / "kleister-nda-train"
    names = (base / "files.txt").read_text().split()
    answers = (base / "expected.tsv").read_text(encoding="utf-8").splitlines()
    if args.limit:
        names, answers = names[: args.limit], answers[: args.limit]
    run = SetRun("Kleister-NDA train", NDA_KEYS, "goal F1 >= 0.84")
    started = time.perf_counter()
    for index, (name, answer) in enumerate(zip(names, answers, strict=True)):
        gold: collections.Counter[tuple[str, str]] = collections.Counter()
        for item in answer.split():
            gold_key, _, gold_value = item.partition("=")
            gold[(gold_key, gold_value.upper())] += 1
        data = (base / "documents" / name).read_bytes()
        output = run_extract(data, name, configuration(NDA_SCHEMA))
        run.refused += output is None
        run.pages += int(output.usage.get("num_pages_extracted") or 0) if output else 0
        predicted = _nda_predicted(output)
        doc = DocScore(name, is_held_out(index))
        remaining = gold.copy()
        for pair, confidence in predicted:
            correct = remaining[pair] > 0
            if correct:
                remaining[pair] -= 1
            doc.counts[f"{'tp' if correct else 'fp'}:{pair[0]}"] += 1
            run.bands.add(confidence, correct)
        for pair, count in remaining.items():
            doc.counts[f"fn:{pair[0]}"] += count
        run.docs.append(doc)
        if args.misses and not doc.held_out:
            wrong = [p for p, _ in predicted if p not in gold]
            missed = [p for p, n in remaining.items() if n > 0]
            if wrong or missed:
                print(f"  {name[:12]} wrong={wrong} missed={missed}")
    run.seconds = time.perf_counter() - started
    report(run, f1=True)


# ---------------------------------------------------------------------------------------
# Sets scored per field (SROIE, ZUGFeRD)


def run_fields(
    run: SetRun,
    documents: Iterable[tuple[str, bytes, str, dict[str, Any]]],
    config: dict[str, Any],
    correct: Callable[[str, Any, Any], bool | None],
    show_misses: bool,
) -> SetRun:
    """Extract every ``(name, data, filename, truth)`` and score each field of ``run``:
    ``correct(field, predicted, truth_value)`` is None for a field that is not graded."""
    started = time.perf_counter()
    for index, (name, data, filename, truth) in enumerate(documents):
        output = run_extract(data, filename, config)
        run.refused += output is None
        run.pages += int(output.usage.get("num_pages_extracted") or 0) if output else 0
        result = output.result if output else {}
        assert isinstance(result, dict)
        entries = field_entries(output.metadata) if output else {}
        doc = DocScore(name, is_held_out(index))
        for field_name in run.fields:
            value = result.get(field_name)
            ok = correct(field_name, value, truth.get(field_name))
            if ok is None:
                continue
            doc.counts[f"n:{field_name}"] += 1
            doc.counts[f"ok:{field_name}"] += ok
            if value is not None:
                run.bands.add(confidence_of(entries.get(field_name)), ok)
            elif truth.get(field_name):
                run.bands.add(None, False)
            if show_misses and not ok and not doc.held_out:
                want = truth.get(field_name)
                print(f"  {name} {field_name:<14} got={value!r} want={want!r}")
        run.docs.append(doc)
    run.seconds = time.perf_counter() - started
    return run


# SROIE ----------------------------------------------------------------------------------


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


def sroie_correct(field_name: str, predicted: Any, truth: Any) -> bool:
    """The corpus README's scoring: text exact after whitespace and case normalisation
    (all whitespace removed), date by calendar value, total by numeric value. Every
    receipt is graded on every field (an empty truth can only be missed)."""
    truth = str(truth or "")
    if field_name in ("company", "address"):
        return bool(truth) and _norm_text(predicted) == _norm_text(truth)
    if field_name == "date":
        expected = parse_date(truth, day_first=True)
        got = parse_date(str(predicted), day_first=True) if predicted else None
        return expected is not None and got == expected
    return _same_number(predicted, truth)


def _same_number(predicted: Any, truth: Any) -> bool:
    expected = truth if isinstance(truth, (int, float)) else parse_number(str(truth or ""))
    got = predicted if isinstance(predicted, (int, float)) else parse_number(str(predicted or ""))
    return expected is not None and got is not None and abs(got - expected) < 0.005


def sroie_truth(base: Path, name: str) -> dict[str, Any]:
    raw = (base / "key" / f"{name}.json").read_text(encoding="utf-8", errors="replace")
    return dict(json.loads(raw))


def sroie_names(base: Path, limit: int | None) -> list[str]:
    names = sorted(p.stem for p in (base / "box").glob("*.csv"))
    return names[:limit] if limit else names


def run_sroie(root: Path, args: argparse.Namespace) -> None:
    base = root / "sroie-tune"
    names = sroie_names(base, args.limit)
    config = configuration(SROIE_SCHEMA, system_prompt=SROIE_PROMPT)
    for fmt in ["txt"] if args.no_pdf else ["txt", "pdf"]:

        def documents(fmt: str = fmt) -> Iterator[tuple[str, bytes, str, dict[str, Any]]]:
            for name in names:
                lines = read_receipt(base / "box" / f"{name}.csv")
                data = receipt_txt(lines) if fmt == "txt" else receipt_pdf(lines)
                yield name, data, f"{name}.{fmt}", sroie_truth(base, name)

        run = SetRun(f"SROIE tune as {fmt.upper()}", SROIE_FIELDS, "goal mean >= 0.83")
        report(run_fields(run, documents(), config, sroie_correct, args.misses))


def run_sroie_images(root: Path, args: argparse.Namespace) -> None:
    from llamaextract_nb.local.engine import ocr

    if not ocr.available():
        print("SROIE tune images: skipped, OCR is not installed (pip install '.[ocr]')")
        return
    base = root / "sroie-tune"
    names = sroie_names(base, args.limit)

    def documents() -> Iterator[tuple[str, bytes, str, dict[str, Any]]]:
        for name in names:
            path = base / "img" / f"{name}.jpg"
            yield name, path.read_bytes(), path.name, sroie_truth(base, name)

    config = configuration(SROIE_SCHEMA, system_prompt=SROIE_PROMPT)
    run = SetRun("SROIE tune images through OCR", SROIE_FIELDS, "goal mean >= 0.65")
    report(run_fields(run, documents(), config, sroie_correct, args.misses))


# ZUGFeRD --------------------------------------------------------------------------------

ZUGFERD_FIELDS = (
    "invoice_number",
    "invoice_date",
    "currency",
    "total_amount",
    "amount_due",
    "seller_name",
    "buyer_name",
)
_SALUTATION = re.compile(r"(?i)^\s*(?:herrn?|frau|m\.|mme\.?|mlle\.?|monsieur|madame)\s+")


def _plain(text: Any, *, name: bool = False) -> str:
    """Lower case, letters and digits only; a leading salutation dropped from a name."""
    value = str(text or "")
    if name:
        value = _SALUTATION.sub("", value)
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def zugferd_correct(field_name: str, predicted: Any, truth: Any) -> bool | None:
    """The corpus README's scoring; None (not graded) where the truth has no value."""
    if truth is None:
        return None
    if field_name in ("total_amount", "amount_due"):
        return _same_number(predicted, truth)
    if field_name == "invoice_date":
        got = parse_date(str(predicted), day_first=True) if predicted else None
        return got is not None and got.isoformat() == str(truth)
    is_name = field_name.endswith("_name")
    return bool(predicted) and _plain(predicted, name=is_name) == _plain(truth, name=is_name)


def run_zugferd(root: Path, args: argparse.Namespace) -> None:
    base = root / "zugferd-tune"
    rows = [json.loads(line) for line in (base / "truth.jsonl").read_text().splitlines() if line]
    rows.sort(key=lambda row: row["file"])
    if args.limit:
        rows = rows[: args.limit]
    schema = json.loads((base / "schema.json").read_text())

    def documents() -> Iterator[tuple[str, bytes, str, dict[str, Any]]]:
        for row in rows:
            yield row["file"], (base / row["file"]).read_bytes(), row["file"], row["truth"]

    run = SetRun("ZUGFeRD tune (PDF)", ZUGFERD_FIELDS, "goal mean >= 0.85")
    report(run_fields(run, documents(), configuration(schema), zugferd_correct, args.misses))


SETS: dict[str, Callable[[Path, argparse.Namespace], None]] = {
    "nda": run_nda,
    "sroie": run_sroie,
    "sroie-img": run_sroie_images,
    "zugferd": run_zugferd,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SETS), nargs="+", help="sets to run (default all)")
    parser.add_argument("--limit", type=int, default=None, help="first N documents of each set")
    parser.add_argument("--no-pdf", action="store_true", help="SROIE as TXT only")
    parser.add_argument(
        "--misses", action="store_true", help="print every wrong or missed value of the tune part"
    )
    args = parser.parse_args()
    root = corpus_dir()
    for name in args.only or list(SETS):
        SETS[name](root, args)
        print()


if __name__ == "__main__":
    main()
