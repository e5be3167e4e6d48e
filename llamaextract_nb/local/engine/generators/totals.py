"""The amount a document totals to: the TOTAL / ROUNDED TOTAL / AMOUNT DUE line.

Receipts and invoices print many totals: subtotal, tax, total excluding tax, the total,
the rounded total, cash tendered and change. For a field that asks for the total, this
generator reads the amount on (or, when OCR or layout splits it, just after) each total
line and ranks the lines: the final payable amount first, subtotals and tax never.
"""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.document import Document, Line
from llamaextract_nb.local.engine.layout import span_boxes
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

SOURCE = "totals"
_LOOKAHEAD = 3  # lines after a bare total label that may hold its amount

_FINAL = re.compile(
    r"(?i)\b(?:ROUND(?:E?D|ING)?\s*(?:D\s+)?TOTAL|TOTAL\s+(?:AMT\s+|AMOUNT\s+)?ROUND(?:E?D)?|"
    r"NETT?\s+TOTAL|GRAND\s+TOTAL|TOTAL\s+(?:AMOUNT|PAYABLE|DUE|SALES)|AMOUNT\s+(?:DUE|PAYABLE)|"
    r"BALANCE\s+DUE|TOTAL\s+INCL\w*(?:\.|\s+OF)?\s*(?:GST|SST|TAX|VAT)?)\b"
)
_PLAIN = re.compile(r"(?i)\bTOTAL\b")
_NOT_TOTAL = re.compile(
    r"(?i)\b(?:SUB\s*-?\s*TOTAL|TOTAL\s+(?:EXCL\w*|QTY|QUANTITY|ITEMS?|ITEM\(S\)|DISC\w*|SAVING\w*|"
    r"GST|SST|TAX|VAT|TENDERED|PAID|POINTS?|WEIGHT|UNITS?|PCS)|TOTAL\s+INCLUDES|"
    r"(?:GST|TAX|SST|VAT)\s+TOTAL|CHANGE|CASH|TENDER)\b"
)
_AMOUNT = re.compile(
    r"(?<![\d.])-?(?:RM|MYR|\$|€|£|USD|EUR)?\s*(\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})(?![\d])"
)
_AMOUNT_LINE = re.compile(
    r"^\s*(?:RM|MYR|\$|€|£|USD|EUR)?\s*:?\s*-?\s*(?:RM|\$)?\s*\d[\d,]*\.\d{2}\s*(?:RM|MYR)?\s*$"
)
_FILLER_LINE = re.compile(r"^\s*(?:RM|MYR|\$|:|\(RM\)|SR|ZR)?\s*$")
_TOTAL_WORDS = ("total", "amount due", "balance due", "grand total", "amount payable")


def wants(spec: FieldSpec) -> bool:
    """True for a money/number field that asks for the document's total."""
    if spec.json_type not in ("number", "string") or spec.is_array_of_scalars:
        return False
    if spec.json_type == "string" and spec.semantic_type != "money":
        return False
    names = " ".join([spec.name.replace("_", " "), *spec.label_terms[:1]]).lower()
    if re.search(r"\b(?:sub|tax|vat|gst|discount|shipping|change|cash)\b", names):
        return False
    return any(word in names for word in _TOTAL_WORDS)


def _amount_after(lines: list[Line], index: int, start: int) -> tuple[Line, int, int] | None:
    """The amount printed after a total label: on its line, else on the next few lines."""
    line = lines[index]
    found = list(_AMOUNT.finditer(line.text, start))
    if found:
        return line, found[-1].start(1), found[-1].end(1)
    for following in lines[index + 1 : index + 1 + _LOOKAHEAD]:
        if _AMOUNT_LINE.match(following.text):
            amount = _AMOUNT.search(following.text)
            if amount:
                return following, amount.start(1), amount.end(1)
        elif not _FILLER_LINE.match(following.text):
            return None
    return None


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Amounts on total lines, the final payable amount scored highest."""
    if not wants(spec):
        return []
    out: list[Candidate] = []
    for page in doc.pages:
        lines = [line for line in page.lines if line.text.strip()]
        amounts = [m.group(1) for line in lines for m in _AMOUNT.finditer(line.text)]
        for index, line in enumerate(lines):
            final = _FINAL.search(line.text)
            plain = _PLAIN.search(line.text)
            if final is None and plain is None:
                continue
            if _NOT_TOTAL.search(line.text) and final is None:
                continue
            label_end = final.end() if final is not None else plain.end() if plain else 0
            found = _amount_after(lines, index, label_end)
            if found is None:
                continue
            source_line, a, b = found
            text = source_line.text[a:b]
            score = 0.9 if final else 0.75
            if amounts.count(text) >= 2:
                score += 0.05
            out.append(
                Candidate(
                    text=text,
                    page=page.number,
                    line=source_line,
                    score=round(min(score, 0.97), 4),
                    source=SOURCE,
                    boxes=span_boxes(source_line, a, b) if doc.has_geometry else [],
                )
            )
    return out
