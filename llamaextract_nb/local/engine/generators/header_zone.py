"""Unlabeled issuer names and addresses at the top of a document (receipts, letterheads).

Receipts and invoices print who issued them without a label: the first prominent line is
the business ("SYL ROASTED DELIGHTS SDN. BHD."), the next few lines its address
("75, JALAN SS 22/19, DAMANSARA JAYA, 47400 PJ"), then phone, tax numbers and the body.
This generator reads that header zone for fields that ask for the issuer's name or address.
"""

from __future__ import annotations

import re

from llamaextract_nb.lang import DOCUMENT_TITLES, is_label
from llamaextract_nb.lang.companies import ENDS_WITH_LEGAL_FORM, LEGAL_FORMS
from llamaextract_nb.local.engine.document import Document, Line, Page
from llamaextract_nb.local.engine.layout import joined_line
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

SOURCE = "header_zone"
_ZONE_LINES = 14  # the header zone: at most this many non-empty lines at the top
_FIRST_LINE_BONUS = 0.15  # the top name-like line, when it is also the best one
_MAX_LINE_CHARS = 200  # a longer line is body text, never a name or an address line

_ISSUER_WORDS = {
    "company",
    "vendor",
    "merchant",
    "store",
    "shop",
    "seller",
    "supplier",
    "business",
    "issuer",
    "restaurant",
    "retailer",
    "biller",
    "from",
    "outlet",
}
# fields about someone other than the issuer: the header zone does not name them
_OTHER_PARTY_WORDS = {
    "customer",
    "buyer",
    "client",
    "recipient",
    "bill",
    "billing",
    "ship",
    "shipping",
    "delivery",
    "party",
    "parties",
    "employee",
    "cashier",
    "consignee",
    "payer",
}

_COMPANY_SUFFIX = re.compile(
    r"(?i)(?:\b(?:SDN\.?\s*B[HN][DN]\.?|BHD\.?|S/B|BERHAD|LTD\.?|LIMITED|INC\.?|LLC|L\.L\.C\.|GMBH|"
    r"CORP\.?|CORPORATION|PLC|PTE\.?|LLP|CO\.|COMPANY|ENTERPRISES?|TRADING|RESTAURANT|RESTORAN|"
    r"MART|SUPERMARKET|HYPERMARKET|MINIMARKET|HARDWARE|PHARMACY|BAKERY|CAFE|KEDAI|STORES?|"
    r"BOOKSTORE|STATIONERY|SERVICES?|INDUSTRIES|HOLDINGS|GROUP|MARKETING|MACHINERY|"
    r"ELECTRICAL|FURNITURE|FOOD|FOODS|KITCHEN|STATION|OY|AB|"
    rf"{LEGAL_FORMS})(?!\w)|"
    r"\bCO\s*$)"
)
_MAX_NAME_HEAD_WORDS = 4  # a name's first line, continued by a line ending in its legal form
_STREET = re.compile(
    r"(?i)\b(?:JALAN|JLN|JL|LORONG|LRG|PERSIARAN|LEBUH|LEBUHRAYA|TAMAN|TMN|KAMPUNG|KG|BANDAR|"
    r"KAWASAN|PERINDUSTRIAN|WISMA|PLAZA|MENARA|KOMPLEKS|PUSAT|BATU|SEKSYEN|SEC|LOT|BLOK|BLOCK|"
    r"NO\.?|UNIT|LEVEL|FLOOR|FLR|TINGKAT|STREET|ST\.|ROAD|RD\.?|AVENUE|AVE\.?|BOULEVARD|BLVD|"
    r"LANE|DRIVE|DR\.|SUITE|STE\.?|HIGHWAY|HWY|WAY|PLACE|SQUARE|STRASSE|STR\.|PLATZ|WEG|"
    r"RUE|VIA|CALLE|PO\s+BOX|P\.O\.\s*BOX|MALL|CENTRE|CENTER|BUILDING|BLDG|INDUSTRIAL|PARK)\b"
)
_POSTCODE = re.compile(r"\b\d{5}\b|\b\d{4,5}-\d{4}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_REGION = re.compile(
    r"(?i)\b(?:JOHOR(?:\s+BAHRU)?|SELANGOR|KUALA\s+LUMPUR|PUTRAJAYA|PULAU\s+PINANG|PENANG|PERAK|"
    r"KEDAH|KELANTAN|TERENGGANU|PAHANG|NEGERI\s+SEMBILAN|MELAKA|MALACCA|SABAH|SARAWAK|PERLIS|"
    r"SHAH\s+ALAM|PETALING\s+JAYA|SUBANG\s+JAYA|KLANG|PUCHONG|CHERAS|AMPANG|KAJANG|SERI\s+KEMBANGAN|"
    r"SKUDAI|IPOH|SEREMBAN|RAWANG|SETIA\s+ALAM|MALAYSIA|SINGAPORE|DARUL\s+\w+|MEDAN|DAMANSARA|"
    r"BANGSAR|KEPONG|SENTUL|SETAPAK|BANGI|SERDANG|BALAKONG|SEGAMAT|MUAR|KLUANG|KULAI|MASAI|"
    r"PERMAS|SEMENYIH|SELAYANG|GOMBAK|SRI\s+PETALING|BUKIT\s+\w+)\b"
    r"|\b[A-Z]{1,3}\s?\d{1,3}/\d{1,3}[A-Z]?\b"
)
# lines that end the header: contact and tax numbers, document titles, dates, labels
_HEADER_END = re.compile(
    r"(?i)^\s*(?:TEL|TELEPHONE|PHONE|PH|FAX|H/P|HP|MOBILE|EMAIL|E-MAIL|WEBSITE|WWW\.|GST|SST|"
    r"TAX\s+INVOICE|INVOICE|RECEIPT|CASH\s+BILL|BILL|OFFICIAL\s+RECEIPT|DOC(?:UMENT)?\s+NO|"
    r"DATE|CASHIER|TABLE|ORDER|SALES|VAT|ABN|COMPANY\s+REG|REG\.?\s+NO|CO\.?\s*REG)\b"
    r"|^\s*[TF]\s*:|@|^\s*\+?\(?\d[\d\s()\-]{6,}\d\s*$"
)
# company / tax registration numbers printed between the name and the address
# header lines that are never the issuer's name
_NOT_A_NAME = re.compile(
    r"(?i)\b(?:THANK\s+YOU|WELCOME|GOODS\s+SOLD|NUMBER|NO\.?\s*:|PLEASE|CHIT|MEMBER|CASHIER|"
    r"SERVED\s+BY)\b"
)
_LEADING_CODE = re.compile(r"^#?\d{3,}\s+(?=[A-Z])")
_CONTACT = re.compile(r"(?i)\b(?:TEL|PHONE|FAX|EMAIL|E-MAIL|WEBSITE|HOTLINE)\b|@|\bWWW\.")
_ID_LINE = re.compile(
    r"(?i)^\s*[(\[]?\s*(?:COMPANY|CO|BRN?|ROC|REG|REGISTRATION|BUSINESS|GST|SST|TAX)\b[\w.\s]{0,20}"
    r"(?:NO|ID|NUMBER)\b"
)
_TRAILING_ID = re.compile(
    r"(?i)(?:\s*[(\[]\s*(?:(?:CO\.?|COMPANY|GST|ROC|BR)\b[^)\]]*|[\w-]*\d[\w-]*|[A-Z]{2,4})\s*[)\]]?"
    r"|\s+\d{5,}-[A-Z])+\s*$"
)
_SUFFIX_ONLY = re.compile(
    r"(?i)^\s*(?:SDN\.?\s*B[HN][DN]\.?|BHD\.?|BERHAD|S/B|LTD\.?|LIMITED|INC\.?)\s*$"
)
# a line that only finishes the name above it: "SDN BHD", "CO. (M) SDN BHD", "ENTERPRISE"
_SUFFIX_START = re.compile(
    r"(?i)^\s*(?:SDN\.?\s*B[HN][DN]|BHD|BERHAD|S/B|LTD|LIMITED|INC|CO\.|COMPANY|ENTERPRISES?|"
    r"TRADING|HOLDINGS|CORP(?:ORATION)?)(?!\w)"
)
_REGISTRATION = re.compile(
    r"^\s*[(\[]?\s*(?:CO\.?\s*(?:REG\.?\s*)?NO\.?\s*:?\s*)?[\w-]*\d[\w-]*\s*[)\]]?\s*$"
)
_LABEL_LINE = re.compile(r"^[^:]{1,25}:(?:\s*\S|\s*$)")
_DATE_OR_TIME = re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b|\b\d{1,2}:\d{2}\b")


def _words(name: str) -> set[str]:
    """Lower-case words of a snake_case or camelCase name: "billToAddress" -> bill, to, address."""
    return {word.lower() for word in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)}


def _terms(spec: FieldSpec) -> set[str]:
    words: set[str] = set()
    for phrase in [spec.name, *spec.label_terms, *spec.description_terms]:
        words.update(re.findall(r"[a-z]+", phrase.lower()))
    return words


def wants(spec: FieldSpec) -> str | None:
    """ "company" or "address" when the field asks for the issuer's name or address."""
    if spec.json_type != "string" or spec.is_array_of_scalars:
        return None
    name_words = _words(spec.name)
    path_words = set().union(*(_words(part) for part in spec.path))
    if path_words & _OTHER_PARTY_WORDS:
        return None  # "buyer.address", "customer_name": not the issuer
    terms = _terms(spec)
    if spec.semantic_type == "address" or "address" in name_words:
        return "address"
    if spec.semantic_type == "organisation" and not terms & _OTHER_PARTY_WORDS:
        return "company"
    if name_words & _ISSUER_WORDS:
        return "company"
    return None


def _head(line: Line) -> str:
    """The line's first column: "Acme Inc.  INVOICE" -> "Acme Inc." (a wide gap splits)."""
    return re.split(r"\s{2,}", line.text.strip(), maxsplit=1)[0]


def _zone(page: Page) -> list[Line]:
    """The first non-empty lines of the page, over-long lines (body text) left out."""
    lines: list[Line] = []
    for line in page.lines:
        if len(line.text) <= _MAX_LINE_CHARS and _head(line):
            lines.append(line)
            if len(lines) == _ZONE_LINES:
                break
    return lines


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _is_addressy(text: str) -> bool:
    return bool(_STREET.search(text) or _POSTCODE.search(text) or _REGION.search(text))


def company_score(line: Line, index: int, tallest: float | None) -> float:
    """How much a header line looks like the issuer's name (0 when it cannot be)."""
    text = _head(line)
    if _letters(text) < 3 or _HEADER_END.match(text) or _LABEL_LINE.match(text):
        return 0.0
    if _DATE_OR_TIME.search(text) or _REGISTRATION.match(text) or _NOT_A_NAME.search(text):
        return 0.0
    score = 0.0
    suffix = _COMPANY_SUFFIX.search(text)
    if suffix and _letters(text[: suffix.start()] + text[suffix.end() :]) >= 2:
        score = 0.85
    elif _is_addressy(text):
        return 0.0
    elif _letters(text) >= 0.6 * len(text.replace(" ", "")):
        score = 0.55 if text.upper() == text else 0.4
    else:
        return 0.0
    if tallest and line.box is not None and line.box.h >= 0.9 * tallest:
        score += 0.1
    return score * (1.0 - 0.04 * index)


def _names_before_legal_form(line: Line, following: Line) -> bool:
    """A line whose only continuation is a legal form on the next line ("SDN BHD") is a
    name, even with a place in it ("... MALAYSIA")."""
    text = _head(line)
    return (
        bool(_SUFFIX_ONLY.match(_head(following)))
        and _letters(text) >= 3
        and not _HEADER_END.match(text)
        and not _LABEL_LINE.match(text)
        and not _DATE_OR_TIME.search(text)
        and not _POSTCODE.search(text)
    )


def _company(page: Page, zone: list[Line]) -> list[Candidate]:
    heights = [line.box.h for line in zone if line.box is not None]
    tallest = max(heights) if heights else None
    scores = [company_score(line, index, tallest) for index, line in enumerate(zone)]
    out: list[Candidate] = []
    for index, line in enumerate(zone):
        score = scores[index]
        following = zone[index + 1] if index + 1 < len(zone) else None
        if score <= 0 and following is not None and _names_before_legal_form(line, following):
            score = 0.8 * (1.0 - 0.04 * index)  # "NANDO'S CHICKENLAND MALAYSIA" / "SDN BHD"
        if score <= 0:
            continue
        previous = _head(zone[index - 1]) if index else ""
        if index and continues_name(previous, _head(line)):
            continue  # the tail of the name above, offered merged with it
        lines = [line]
        text = _head(line)
        if following is not None and continues_name(text, _head(following)):
            lines.append(following)
            text = f"{text} {_head(following)}"
            score = max(score, scores[index + 1], 0.8 * (1.0 - 0.04 * index))
        elif not _COMPANY_SUFFIX.search(text) and any(
            s >= 0.6 for s in scores[index + 1 : index + 3]
        ):
            score *= 0.6  # a plain line just above a business name: a person, a slogan
        text = _LEADING_CODE.sub("", _TRAILING_ID.sub("", text.rstrip(" ,;"))).strip(" ,;")
        if _letters(text) >= 3:
            out.append(_candidate(page, lines, text, score))
    if out and out[0].score >= max(c.score for c in out):
        # the first name-like line is the issuer when nothing below outranks it: a plain
        # line gains a lead over the lines under it, a suffixed name keeps its own score
        out[0].score = max(out[0].score, round(min(out[0].score + _FIRST_LINE_BONUS, 0.8), 4))
    return out


def continues_name(text: str, following: str) -> bool:
    """ "NANDO'S CHICKENLAND MALAYSIA" + "SDN BHD", "HOME MASTER HARDWARE &" + "ELECTRICAL"."""
    if not following or _HEADER_END.match(following) or _ID_LINE.match(following):
        return False
    if _SUFFIX_ONLY.match(following) or (
        _SUFFIX_START.match(following) and not _is_addressy(following)
    ):
        return True
    if _letters(following) < 3 or _is_addressy(following):
        return False
    if ENDS_WITH_LEGAL_FORM.search(following) and not _COMPANY_SUFFIX.search(text):
        # "MVM Musterhafter" + "Versicherungsverein Musterstadt a.G."
        return (
            len(text.split()) <= _MAX_NAME_HEAD_WORDS
            and _letters(text) >= 0.6 * len(text.replace(" ", ""))
            and not _DATE_OR_TIME.search(text)
            and not _LABEL_LINE.match(text)
            and not _HEADER_END.match(text)
            and not is_label(text)
            and text.lower() not in DOCUMENT_TITLES
        )
    return text.endswith(("&", "-", " AND")) or following.startswith(("&", "AND "))


def _address(page: Page, zone: list[Line]) -> list[Candidate]:
    """Runs of address-looking lines in the header zone, the most address-like first."""
    blocks: list[tuple[float, list[Line]]] = []
    index = 0
    while index < len(zone):
        if not _starts_address(zone, index):
            index += 1
            continue
        block = _address_block(zone[index:])
        if block:
            blocks.append((_address_quality(block), block))
        index += max(len(block), 1)
    blocks.sort(key=lambda item: -item[0])
    out = []
    for rank, (quality, block) in enumerate(blocks[:2]):
        joined = _TRAILING_ID.sub("", " ".join(_head(line) for line in block)).strip(" ;,")
        # where an unlabeled address block ends is a guess: keep its confidence moderate
        score = min(0.45 + 0.05 * quality, 0.65) * (1.0 if rank == 0 else 0.7)
        out.append(_candidate(page, block, joined, score))
    return out


def _starts_address(zone: list[Line], index: int) -> bool:
    text = _head(zone[index])
    following = _head(zone[index + 1]) if index + 1 < len(zone) else ""
    if (
        _ID_LINE.match(text)
        or _HEADER_END.match(text)
        or _CONTACT.search(text)
        or _REGISTRATION.match(text)
        or _COMPANY_SUFFIX.search(text)
        or text.startswith("(")
        or (_LABEL_LINE.match(text) and not _STREET.search(text))
    ):
        return False
    return not continues_name(text, following) and _is_addressy(text)


def _address_block(lines: list[Line]) -> list[Line]:
    """The address lines from the first of ``lines`` up to the phone, tax number or body."""
    block: list[Line] = []
    for line in lines:
        text = _head(line)
        if (
            _HEADER_END.match(text)
            or _CONTACT.search(text)
            or _ID_LINE.match(text)
            or _DATE_OR_TIME.search(text)
            or _REGISTRATION.match(text)
        ):
            break
        if block and _COMPANY_SUFFIX.search(text) and not _is_addressy(text):
            break
        if _LABEL_LINE.match(text) and not _STREET.search(text):
            break
        block.append(line)
        if len(block) == 5:
            break
    while block and not _is_addressy(_head(block[-1])):
        block.pop()
    return block


def _address_quality(block: list[Line]) -> float:
    """0..4: how many lines look like address, a postcode, a street number first."""
    markers = min(sum(_is_addressy(_head(line)) for line in block), 2)
    postcode = 1.0 if any(_POSTCODE.search(_head(line)) for line in block) else 0.0
    numbered = 1.0 if re.match(r"\s*(?:NO\.?|LOT|UNIT|\d)", _head(block[0]), re.I) else 0.0
    return markers + postcode + numbered


def _candidate(page: Page, lines: list[Line], text: str, score: float) -> Candidate:
    line = joined_line(lines)
    return Candidate(
        text=text,
        page=page.number,
        line=line,
        score=round(min(score, 1.0), 4),
        source=SOURCE,
        boxes=[w.box for w in line.words if w.box is not None],
    )


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Issuer name or address candidates from the top of the first page."""
    kind = wants(spec)
    if kind is None or not doc.pages:
        return []
    page = doc.pages[0]
    zone = _zone(page)
    if kind == "company":
        return _company(page, zone)
    return _address(page, zone)
