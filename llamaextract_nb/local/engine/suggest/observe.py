"""What one parsed document shows: labelled values, party blocks, the issuer, tables.

Each finding is a :class:`Seen`: the field it would fill (a key from
:mod:`.label_names`), the label and value as printed, and where (page, line). Readers:

- ``Label: value`` in a column segment, or ``Label:`` with its value in the next segment
  of the line or in the lines below it (geometry on PDFs, columns in text);
- ``Label  value`` without a colon when the label is a known one and the value is typed
  (``TOTAL  $16.00``, ``Rechnungsnummer  471102``);
- a party label (``Bill To:``, ``Rechnungsempfänger``) heading a name and an address;
- the unlabelled issuer at the top of the first page (the header-zone generator's rule);
- tables whose header names their columns (an array of objects, a property per column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llamaextract_nb.lang import SALUTATIONS
from llamaextract_nb.local.engine.document import Document, Page, Table
from llamaextract_nb.local.engine.generators import header_zone, recipient
from llamaextract_nb.local.engine.layout import (
    Segment,
    join_lines,
    lines_below,
    overlapping_segment,
    segments,
)
from llamaextract_nb.local.engine.suggest.label_names import (
    PARTY_KEYS,
    field_key,
    known_key,
    known_words,
    normalise_label,
)
from llamaextract_nb.local.engine.suggest.value_types import currency_of, value_type
from llamaextract_nb.local.engine.types import FieldSpec, Hints

_COLON_LABEL = re.compile(r"^(?P<label>[^\W\d_][^:]{0,44}?)\s*(?P<mark>#\s*:?|:)\s*(?P<value>.*)$")
_NEXT_LABEL = re.compile(r"\s{2,}(?=[^\W\d_][^:]{0,30}:)")  # "1234  IBAN-Nr.: ..."
_DATED = re.compile(r"\b(?:vom|von|dated|of|du|del)\s+(\S.{5,30})$", re.IGNORECASE)
_POSTCODE = re.compile(r"\b\d{4,5}\b")
_MAX_LABEL_WORDS = 6
_MAX_VALUE_CHARS = 80
_MAX_BLOCK_LINES = 4
_MAX_LINES_PER_PAGE = 400
_ISSUER_MIN_SCORE = 0.5
_MAX_NAME_WORDS = 8
_ISSUER = FieldSpec(
    path=("company",), name="company", json_type="string", semantic_type="organisation"
)
_RECIPIENT = FieldSpec(
    path=("buyer", "name"), name="name", json_type="string", semantic_type="person"
)
ITEM_KEYS = frozenset({"quantity", "unit price", "amount", "description"})


@dataclass(slots=True)
class Column:
    """One column of a table: its key, header as printed, and body values."""

    key: str
    label: str
    values: list[str]


@dataclass(slots=True)
class Seen:
    """One finding in one document."""

    key: str  # the field it fills, e.g. "invoice number"
    label: str  # as printed ("" when unlabelled)
    value: str  # as printed; a block's or table's first value
    page: int
    line: int  # index of the line on its page (the order findings came in)
    kind: str  # "label", "block", "issuer", "table", "currency", "prose"
    strength: float  # 0..1: how surely this is a field
    parts: dict[str, str] = field(default_factory=dict)  # block: name, address
    columns: list[Column] = field(default_factory=list)  # table
    json_type: str | None = None  # known beforehand (prose findings), else read from values


def observe(doc: Document) -> list[Seen]:
    """Every finding of ``doc``, in reading order, at most one per key and label per page."""
    found: list[Seen] = []
    for page in doc.pages:
        found += _page_labels(page, doc.has_geometry)
        found += _tables(page)
    addressee = _recipient(doc)
    if addressee is not None and not any(s.key in ("buyer", "customer") for s in found):
        found.append(addressee)
    issuer = _issuer(doc)
    if issuer is not None and not any(s.key in ("seller", "vendor", "company") for s in found):
        found.append(issuer)
    currency = _currency(found)
    if currency is not None:
        found.append(currency)
    return found


def _label_like(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= _MAX_LABEL_WORDS or len(text) > 45 or "," in text:
        return False
    letters = sum(ch.isalpha() for ch in text)
    return text[:1].isalpha() and letters >= 0.6 * len(text.replace(" ", ""))


def _known(label: str) -> bool:
    return known_key(label) is not None or bool(set(normalise_label(label).split()) & known_words())


def _table_rows(page: Page) -> set[str]:
    """Rows of the page's tables of three or more columns (line items are no labels)."""
    rows: set[str] = set()
    for table in page.tables:
        if len(table.header) >= 3:
            for row in [table.header, *table.rows]:
                rows.add(_squash(" ".join(cell.text for cell in row)))
    return rows


def _squash(text: str) -> str:
    return " ".join(text.replace("|", " ").lower().split())


def _page_labels(page: Page, geometry: bool) -> list[Seen]:
    table_rows = _table_rows(page)
    found: list[Seen] = []
    for index, line in enumerate(page.lines[:_MAX_LINES_PER_PAGE]):
        if _squash(line.text) in table_rows:
            continue
        segs = segments(line, geometry)
        texts = [line.text[s.start : s.end].strip() for s in segs]
        i = 0
        while i < len(segs):
            step = _read_segment(page, index, segs, texts, i, geometry, found)
            i += step
    return found


def _read_segment(
    page: Page,
    index: int,
    segs: list[Segment],
    texts: list[str],
    i: int,
    geometry: bool,
    found: list[Seen],
) -> int:
    """Read segment ``i`` of line ``index``; returns how many segments it used."""
    text = texts[i]
    following = texts[i + 1].lstrip(": ") if i + 1 < len(texts) else ""
    match = _COLON_LABEL.match(text)
    if match and _label_like(match.group("label")) and not match.group("value").startswith("/"):
        label, value = match.group("label").strip(), match.group("value").strip()
        if match.group("mark").startswith("#"):
            label += " #"  # "Rechnung # RE-501": the number of an invoice
        if value:
            _add(found, label, value, page.number, index, 1.0)
            return 1
        if following and not _COLON_LABEL.match(following):
            _add(found, label, following, page.number, index, 0.9)
            return 2
        _below(page, index, segs[i], label, geometry, found, 0.85)
        return 1
    if not _label_like(text) or not _known(text):
        return 1
    key = field_key(text)
    if key in PARTY_KEYS and (not following or _known(following)):
        _below(page, index, segs[i], text, geometry, found, 0.8)
        return 1
    if following and value_type(following) != "string":
        _add(found, text, following, page.number, index, 0.8)
        return 2
    if following and known_key(text) and not _known(following) and len(following) <= 40:
        _add(found, text, following, page.number, index, 0.6)
        return 2
    return 1


def _add(found: list[Seen], label: str, value: str, page: int, line: int, strength: float) -> None:
    value = _NEXT_LABEL.split(value, maxsplit=1)[0].strip()
    if len(value) > _MAX_VALUE_CHARS or not any(ch.isalnum() for ch in value):
        return
    key = field_key(label)
    if not key or any(s.key == key and s.page == page and s.label == label for s in found):
        return
    words = key.split()
    if words[-1] in ("number", "id") and " " in value:
        dated = _DATED.search(value)
        if (
            dated is not None and value_type(dated.group(1)) == "date"
        ):  # "Rechnung # RE-501 vom 19.05.2014": the number's date too
            date_key = " ".join([*words[:-1], "date"])
            found.append(Seen(date_key, label, dated.group(1), page, line, "label", strength * 0.9))
        value = next((t for t in value.split() if any(ch.isdigit() for ch in t)), value)
    found.append(Seen(key, label, value, page, line, "label", strength))


def _below(
    page: Page,
    index: int,
    seg: Segment,
    label: str,
    geometry: bool,
    found: list[Seen],
    strength: float,
) -> None:
    """The value or block printed under a label standing alone in its column."""
    block: list[str] = []
    for below in lines_below(page, index, geometry, _MAX_BLOCK_LINES + 1):
        target = overlapping_segment(below, geometry, seg.x0, max(seg.x1, seg.x0 + 1))
        if target is None:
            break
        text = below.text[target.start : target.end].strip()
        if not text or (_COLON_LABEL.match(text) and block):
            break
        if ":" not in text:
            block.append(text)
        if len(block) == _MAX_BLOCK_LINES:
            break
    if not block:
        return
    key = field_key(label)
    if key in PARTY_KEYS:
        found.append(_party(key, label, block, page.number, index, strength))
    else:
        _add(found, label, block[0], page.number, index, strength * 0.9)


def _is_code(text: str) -> bool:
    """A line of an identifier (more digits than letters), not a name."""
    return sum(ch.isdigit() for ch in text) > sum(ch.isalpha() for ch in text)


def _party(key: str, label: str, block: list[str], page: int, line: int, strength: float) -> Seen:
    """A party block: its name (a salutation joined to the line after it), then its address."""
    while len(block) > 1 and _is_code(block[0]):
        block = block[1:]  # "GLN 4304171000002" above the name
    if len(block) > 1 and block[0].strip().lower() in SALUTATIONS:
        block = [f"{block[0]} {block[1]}", *block[2:]]
    parts = {"name": block[0]}
    if block[1:]:
        parts["address"] = join_lines(block[1:])
    return Seen(key, label, block[0], page, line, "block", strength, parts)


def _recipient(doc: Document) -> Seen | None:
    """The addressee in a letter's envelope window (the engine's recipient generator finds
    the name), with the lines under it in its column as the address."""
    candidates = recipient.generate(doc, _RECIPIENT, Hints())
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.score)
    page = doc.pages[best.page - 1]
    index = next((i for i, line in enumerate(page.lines) if line is best.line), None)
    if index is None:
        return None
    block = [best.text]
    seg = segments(best.line, doc.has_geometry)[0]
    previous = best.line
    for below in page.lines[index + 1 : index + _MAX_BLOCK_LINES * 3]:
        if not below.text.strip() or len(block) == _MAX_BLOCK_LINES:
            break  # a blank line ends the window
        if previous.box is not None and below.box is not None:
            if below.box.y < previous.box.y1 - previous.box.h / 2:
                continue  # another column's line at the same height
            if below.box.y - previous.box.y1 > 3.0 * max(previous.box.h, 1.0):
                break
        target = overlapping_segment(below, doc.has_geometry, seg.x0, max(seg.x1, seg.x0 + 1))
        if target is None:
            continue
        if target.start != 0 or ":" in below.text[: target.end]:
            break
        block.append(below.text[target.start : target.end].strip())
        previous = below
        if _POSTCODE.search(block[-1]):
            break  # "12345 Stadt", "CA 94105": the address's last line
    return _party("buyer", "", block, page.number, index, best.score)


def _issuer(doc: Document) -> Seen | None:
    """The business printed unlabelled at the top of the first page, if any."""
    candidates = header_zone.generate(doc, _ISSUER, Hints())
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.score)
    if best.score < _ISSUER_MIN_SCORE or len(best.text.split()) > _MAX_NAME_WORDS:
        return None
    line = next((i for i, ln in enumerate(doc.pages[0].lines) if ln is best.line), 0)
    return Seen("company", "", best.text, best.page, line, "issuer", best.score)


def _currency(found: list[Seen]) -> Seen | None:
    """The currency of the amounts when no label names it (``$16.00``, ``59,50 €``)."""
    if any(s.key == "currency" for s in found):
        return None
    for seen in found:
        code = currency_of(seen.value) if seen.kind == "label" else None
        if code is not None and value_type(seen.value) == "number":
            return Seen("currency", seen.label, seen.value, seen.page, seen.line, "currency", 0.6)
    return None


def _tables(page: Page) -> list[Seen]:
    found: list[Seen] = []
    for table in page.tables:
        columns = _columns(table)
        if columns:
            keys = {c.key for c in columns}
            name = "line items" if keys & ITEM_KEYS else "table rows"
            first = columns[0].values[0] if columns[0].values else ""
            label = " | ".join(c.label for c in columns)
            found.append(Seen(name, label, first, page.number, 0, "table", 0.9, columns=columns))
    return found


def _columns(table: Table) -> list[Column]:
    """The columns of a table whose header names them (three or more, header cells reading
    as labels, at least one body row)."""
    header = [cell.text.strip() for cell in table.header]
    if len(header) < 3 or not table.rows or not all(_label_like(h) for h in header if h):
        return []
    columns: list[Column] = []
    seen_keys: set[str] = set()
    for i, label in enumerate(header):
        key = field_key(label) if label else ""
        if not key or key in seen_keys:
            continue
        seen_keys.add(key)
        values = [row[i].text.strip() for row in table.rows if i < len(row) and row[i].text.strip()]
        columns.append(Column(key, label, values))
    return columns if len(columns) >= 2 else []
