"""The amount a document totals to: the TOTAL / ROUNDED TOTAL / AMOUNT DUE line.

Receipts and invoices print many totals: subtotal, tax, total excluding tax, the total,
the rounded total, cash tendered and change. For a field that asks for the total, this
generator reads the amount on (or, when OCR or layout splits it, just after) each total
line and ranks the lines: the final payable amount first, subtotals and tax never.
"""

from __future__ import annotations

import re
from collections import Counter

from llamaextract_nb.lang import english_words, foreign_labels, split_name
from llamaextract_nb.local.engine.coerce import parse_number
from llamaextract_nb.local.engine.currencies import AMOUNT_CURRENCY
from llamaextract_nb.local.engine.document import Document, Line
from llamaextract_nb.local.engine.layout import span_boxes
from llamaextract_nb.local.engine.regex_trie import trie_pattern
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

SOURCE = "totals"
_LOOKAHEAD = 3  # lines after a bare total label that may hold its amount
_KIND_SCORES = {"rounded": 0.92, "final": 0.9, "plain": 0.75}
_MAX_COLUMN = 30  # a column of labels ("TOTAL", "CASH", "CHANGE") is at most this long
_MAX_ADJUSTMENT = 0.10  # a rounding line's amount below this is the adjustment, not the total

_CUR = rf"(?:{AMOUNT_CURRENCY})"
# an amount with two decimals, in either decimal style: 1,234.50 / 1.234,50 / 1 234,50 / 12.50
_NUMBER = (
    r"\d{1,3}(?:,\d{3})+\.\d{2}|\d{1,3}(?:\.\d{3})+,\d{2}|\d{1,3}(?:[ \u00a0]\d{3})+,\d{2}"
    r"|\d+[.,]\d{2}"
)
_GENERIC_WORD_CHARS = 7  # a one-word foreign label this short ("summe", "totale") is plain


def _phrases(phrases: list[str]) -> str:
    """Label phrases as one regex (a trie, words joined by any spacing)."""
    return trie_pattern(sorted({" ".join(p.split()) for p in phrases})).replace("\\ ", r"\s*")


_FOREIGN_TOTALS = [
    label
    for concept in ("total", "amount due")
    for labels in foreign_labels(concept)
    for label in labels
]
_FOREIGN_FINAL = [t for t in _FOREIGN_TOTALS if " " in t or len(t) > _GENERIC_WORD_CHARS]
_FOREIGN_PLAIN = [t for t in _FOREIGN_TOTALS if t not in _FOREIGN_FINAL]
_FOREIGN_NOT_TOTAL = [
    label
    for concept in ("subtotal", "tax")
    for labels in foreign_labels(concept)
    for label in labels
]
_FINAL = re.compile(
    r"(?i)\b(?:ROUND(?:E?D|ING)?\s*(?:D\s+)?TOTAL|TOTAL\s+(?:AMT\s+|AMOUNT\s+)?ROUND(?:E?D)?|"
    r"NETT?\s+TOTAL|GRAND\s+TOTAL|TOTAL\s+(?:AMOUNT|AMT|PAYABLE|DUE|SALES)|(?:AMOUNT|AMT)\s+(?:DUE|PAYABLE)|"
    r"BALANCE\s+DUE|TOTAL\s+INCL\w*(?:\.|\s+OF)?\s*(?:GST|SST|TAX|VAT)?|"
    + _phrases(_FOREIGN_FINAL)
    + r")(?!\w)"
)
_PLAIN = re.compile(r"(?i)\b(?:TOTAL|" + _phrases(_FOREIGN_PLAIN) + r")\b")
_EXCLUDING = re.compile(
    r"(?i)\bEXCL(?:UDING|USIVE|\.)?|\bTOTAL\s+(?:QTY|QUANTITY|ITEMS?\b|ITEM\(S\))"
    r"|\b(?:EXKL\w*|OHNE|NETTO|HORS\s+TAXES?|HT|SIN\s+IVA|SENZA\s+IVA|SEM\s+IVA|BEZ)\b"
)
_ROUNDING = re.compile(r"(?i)^\s*ROUNDING(?:\s+ADJ\w*)?(?![\w\s]*TOTAL)")
_PAYMENT = re.compile(r"(?i)^\s*(?:CASH|CHANGE|TENDER\w*|PAYMENT|VISA|MASTER\w*|CREDIT\s+CARD)\b")
_NOT_TOTAL = re.compile(
    r"(?i)\b(?:SUB\s*-?\s*TOTAL|TOTAL\s+(?:EXCL\w*|QTY|QUANTITY|ITEMS?|ITEM\(S\)|DISC\w*|SAVING\w*|"
    r"GST|SST|TAX|VAT|TENDERED|PAID|POINTS?|WEIGHT|UNITS?|PCS)|TOTAL\s+INCLUDES|"
    r"(?:GST|TAX|SST|VAT)\s+TOTAL|CHANGE|CASH|TENDER|" + _phrases(_FOREIGN_NOT_TOTAL) + r")(?!\w)"
)
_AMOUNT = re.compile(rf"(?<![\d.,])-?{_CUR}?\s*({_NUMBER})(?!\d|[.,]\d)")
_AMOUNT_LINE = re.compile(rf"^\s*{_CUR}?\s*:?\s*-?\s*{_CUR}?\s*(?:{_NUMBER})\s*{_CUR}?\s*$")
_SMALL_AMOUNT = re.compile(rf"-?\s*{_CUR}?\s*-?\s*0?[.,]\d{{2}}\b")
_FILLER_LINE = re.compile(rf"^\s*(?:{_CUR}|:|\(RM\)|SR|ZR)?\s*$")
_TOTAL_WORDS = ("total", "amount due", "balance due", "grand total", "amount payable")


def wants(spec: FieldSpec) -> bool:
    """True for a money/number field that asks for the document's total."""
    if spec.json_type not in ("number", "string") or spec.is_array_of_scalars:
        return False
    if spec.json_type == "string" and spec.semantic_type != "money":
        return False
    english = english_words(split_name(spec.name))
    names = " ".join([spec.name.replace("_", " "), *english, *spec.label_terms[:1]]).lower()
    if re.search(r"sub\s*-?\s*total|\b(?:sub|tax|vat|gst|discount|shipping|change|cash)\b", names):
        return False
    return any(word in names for word in _TOTAL_WORDS)


def _amount_after(lines: list[Line], index: int, start: int) -> tuple[int, int, int] | None:
    """``(line index, start, end)`` of the amount after a total label: on its line, else on
    one of the next few lines."""
    found = list(_AMOUNT.finditer(lines[index].text, start))
    if found:
        return index, found[-1].start(1), found[-1].end(1)
    for at in range(index + 1, min(len(lines), index + 1 + _LOOKAHEAD)):
        text = lines[at].text
        if _AMOUNT_LINE.match(text):
            amount = _AMOUNT.search(text)
            if amount:
                return at, amount.start(1), amount.end(1)
        elif not _FILLER_LINE.match(text):
            return _aligned_amount(lines, index)
    return None


def _is_label_line(text: str) -> bool:
    return not _AMOUNT.search(text) and not _FILLER_LINE.match(text)


def _aligned_amount(lines: list[Line], index: int) -> tuple[int, int, int] | None:
    """Labels printed as one column and their amounts as the next ("TOTAL", "CASH",
    "CHANGE", then "30.10", "40.10", "10.00" in reading order): the amount at the label's
    position, when the column of labels and the column of amounts have the same length.
    Columns longer than ``_MAX_COLUMN`` are not a receipt's totals block: giving up there
    keeps a document of thousands of label lines linear."""
    first = index
    while first > 0 and index - first <= _MAX_COLUMN and _is_label_line(lines[first - 1].text):
        first -= 1
    last = index
    while (
        last + 1 < len(lines)
        and last - first <= _MAX_COLUMN
        and _is_label_line(lines[last + 1].text)
    ):
        last += 1
    if last - first + 1 > _MAX_COLUMN:
        return None
    amounts = []
    at = last + 1
    while at < min(len(lines), last + 1 + 2 * _MAX_COLUMN) and (
        _AMOUNT_LINE.match(lines[at].text) or _FILLER_LINE.match(lines[at].text)
    ):
        if _AMOUNT_LINE.match(lines[at].text):
            amounts.append(at)
        at += 1
    if len(amounts) != last - first + 1 or len(amounts) < 2:
        return None
    row = amounts[index - first]
    amount = _AMOUNT.search(lines[row].text)
    return None if amount is None else (row, amount.start(1), amount.end(1))


def _total_on(lines: list[Line], index: int) -> tuple[int, int, int, str] | None:
    """``(line index, start, end, kind)`` of the amount a total line gives, where ``kind``
    is "rounded", "final" or "plain"; None when the line gives no total."""
    text = lines[index].text
    if _EXCLUDING.search(text):
        return None
    final = _FINAL.search(text)
    if final is not None:
        found = _amount_after(lines, index, final.end())
        return None if found is None else (*found, "final")
    rounding = _ROUNDING.search(text)
    if rounding is not None:
        return _after_rounding(lines, index, rounding.end())
    plain = _PLAIN.search(text)
    if plain is None or _NOT_TOTAL.search(text):
        return None
    found = _amount_after(lines, index, plain.end())
    return None if found is None else (*found, "plain")


def _after_rounding(lines: list[Line], index: int, start: int) -> tuple[int, int, int, str] | None:
    """ "ROUNDING RM 45.35" is the rounded total itself; "ROUNDING ADJ -0.01" (or ".01", or
    the adjustment on the next line) is followed by the rounded total, unlabeled."""
    text = lines[index].text
    on_line = list(_AMOUNT.finditer(text, start))
    if on_line and abs(parse_number(on_line[-1].group(1)) or 0.0) >= _MAX_ADJUSTMENT:
        return index, on_line[-1].start(1), on_line[-1].end(1), "rounded"
    if on_line or _SMALL_AMOUNT.search(text, start):
        adjustment = index
    else:
        found = _amount_after(lines, index, start)
        if found is None:
            return None
        adjustment = found[0]
    if adjustment + 1 >= len(lines):
        return None
    rounded = _amount_after(lines, adjustment + 1, 0)
    if rounded is None or not _AMOUNT_LINE.match(lines[rounded[0]].text):
        return None
    return (*rounded, "rounded")


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Amounts on total lines, the final payable amount scored highest."""
    if not wants(spec):
        return []
    out: list[Candidate] = []
    rounded: set[str] = set()
    for page in doc.pages:
        lines = [line for line in page.lines if line.text.strip()]
        amounts = Counter(m.group(1) for line in lines for m in _AMOUNT.finditer(line.text))
        for index in range(len(lines)):
            found = _total_on(lines, index)
            if found is None:
                continue
            at, a, b, kind = found
            score = _KIND_SCORES[kind]
            source_line = lines[at]
            text = source_line.text[a:b]
            if amounts[text] >= 2:
                score += 0.04
            if any(_PAYMENT.search(ln.text) for ln in lines[index + 1 : index + 6]):
                score += 0.03  # the payable total comes right before cash and change
            rounded |= {text} if kind == "rounded" else set()
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
    # once rounded, the unrounded total is not what was paid
    for candidate in out:
        if rounded and candidate.text not in rounded:
            candidate.score = round(candidate.score - 0.1, 4)
    # a bare TOTAL that disagrees with a final total (rounded, grand, incl. tax) is a subtotal
    finals = {c.text for c in out if c.score >= _KIND_SCORES["final"]}
    if finals:
        out = [c for c in out if c.score >= _KIND_SCORES["final"] or c.text in finals]
    return out
