"""Party names: cut a name out of the phrase that introduces it, and spot company names.

"NIKE, Inc., divisions, subsidiaries and affiliates" -> "NIKE, Inc."; "Acme, Inc. and Acme
Holdings, L.P." -> both; 'Acme Widgets, Inc. (the "Company")' found anywhere in a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from llamaextract_nb.local.engine.places import PLACES

_NAME_STOP = re.compile(
    r"(?i)(?:\s*\(|,?\s+(?:a|an)\s+(?:[A-Z][\w.\-]*\s+){0,4}?(?:corporation|company|limited|"
    r"partnership|individual|bank|association|entity|trust|organi[sz]ation|corp\b|llc\b|"
    r"resident|citizen|national|person|subsidiary|joint\s+stock)|,?\s+(?:a|an)\s+"
    r"(?:Delaware|Nevada|New\s+York|California|Florida|Texas|[A-Z][a-z]+)\b|"
    r",\s*(?:having|with|whose|located|residing|(?:organized|incorporated)\s+(?:in|under)|"
    r"on\s+behalf|its|its\s+successors|and\s+its|individually|hereinafter|herein|who|which|"
    r"divisions?|subsidiaries|together|collectively|including|acting)\b|"
    r",\s*(?:M\.D|Ph\.D|Esq)\.?|\s+d/?b/?a\b|\s+f/k/a\b|\s+and/or\b|\s+including\b|"
    r",?\s+and\s+(?:its|their)\s+(?:parent|subsidiar|affiliat|divisions?|successors)\w*|"
    r"\s+(?:having|with\s+(?:its|a)\s+(?:principal|registered|office)|whose|located\s+at|"
    r"residing|who\s+resides|hereinafter|on\s+behalf|organized\s+under|incorporated\s+under)\b|"
    r",\s*\d|\s+\d{2,}\s)"
)
CORP_SUFFIX = (
    r"(?:Inc|Incorporated|Corp|Co|Ltd|Limited|L\.?L\.?C|L\.?P|N\.A|S\.A|A\.G|PLC|LLP|GmbH|B\.V"
    r"|N\.V|S\.p\.A|AB|AG|ASA)\.?"
)
_PERIOD = re.compile(r"(\S*)\.\s+(?=[A-Z“\"(])")
_ABBREVIATIONS = {"inc", "co", "ltd", "corp", "mr", "ms", "mrs", "dr", "no", "st", "jr", "sr"}


def sentence_stops(text: str) -> Iterator[re.Match[str]]:
    """The full stops of ``text`` that end a sentence (not "Inc.", "J." or "U.S."): each a
    match of a word (group 1), its full stop and the spaces before the next sentence."""
    for m in _PERIOD.finditer(text):
        word = m.group(1).strip("(“\"',").lower()
        if word in _ABBREVIATIONS or len(word) <= 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
            continue
        yield m


_BAD_NAME = re.compile(
    r"(?i)^(?:the\s+)?(?:undersigned|parties|party|company|you|me|us|we|i|employee|executive|"
    r"each|both|any|certain|such|all|this|that|recipient|discloser|buyer|seller|purchaser|"
    r"distributor|representatives?|consultant|contractor|investor|bidder|licensee|licensor|"
    r"customer|supplier|vendor|client|agreement|exhibit|dear|re|attention|attn)\b"
)


def clean_party(raw: str) -> str | None:
    """Cut a party's name out of the phrase that introduces it; None if nothing name-like."""
    text = " ".join(raw.split())
    text = re.sub(r"^(?:and|&)\s+", "", text, flags=re.I)
    text = re.sub(r"^(?:the\s+)?(?:undersigned\s*,?\s*)", "", text, flags=re.I)
    stop = _NAME_STOP.search(text)
    if stop:
        text = text[: stop.start()]
    text = text.strip(" ,;:-–—“”\"'")
    text = re.sub(r"(?i)\s+(?:and|or)$", "", text).rstrip(" ,")
    if not re.search(r"(?i)\b(?:" + CORP_SUFFIX + r"|Jr\.|Sr\.|[A-Z]\.)$", text):
        text = text.rstrip(".")
    if not text or len(text) > 90 or len(text) < 2:
        return None
    if not re.match(r"[A-Z0-9“\"]", text):
        return None
    if _BAD_NAME.match(text) and not re.search(r"\b" + CORP_SUFFIX + r"(?!\w)", text):
        return None
    if len(text.split()) > 10:
        return None
    return text


_JOINED_AFTER_SUFFIX = re.compile(
    r"(?i)\b(?:Inc|Incorporated|Corp|Corporation|Ltd|Limited|LLC|L\.L\.C|L\.P|LP|N\.A|Company|Co)\.?"
    r",?\s+(?:and\s+|&\s+)?(?=[A-Z][\w.&’'\-]*\s+[A-Z])"
)


def split_joined(name: str) -> list[str]:
    """ "Acme, Inc. and Acme Holdings, L.P." -> both; a name not joined stays whole."""
    parts: list[str] = []
    cursor = 0
    for match in _JOINED_AFTER_SUFFIX.finditer(name):
        rest = name[match.end() :]
        if re.match(r"(?i)(?:Inc|Ltd|LLC|Limited|Corp|Co)\b", rest):
            continue  # "Co., Ltd." is one suffix
        parts.append(name[cursor : match.end()].rstrip(" ,").removesuffix(" and").rstrip(" ,"))
        cursor = match.end()
    parts.append(name[cursor:])
    return [part.strip(" ,") for part in parts if part.strip(" ,")]


_ORG_SUFFIX = (
    r"(?:Inc\.?|Incorporated|Corporation|Corp\.|LLC|L\.L\.C\.|Ltd\.?|Limited|L\.P\.|LP|Company"
    r"|Co\.|N\.A\.|plc|PLC|LLP|GmbH|AG|S\.A\.|Bancorp|Holdings)"
)
ORG_RE = re.compile(
    r"(?:(?:[A-Z][\w’'.\-]*|&|of|and(?=\s+Co))[,]?\s+){0,6}?"
    r"[A-Z][\w&’'.\-]*,?\s+" + _ORG_SUFFIX + r"(?:,?\s+" + _ORG_SUFFIX + r")?(?![\w])"
)
_ORG_NOISE = re.compile(
    r"^(?:(?:WHEREAS|LOGO|CONFIDENTIAL|PRIVILEGED|AND|Re|RE|Attn|Attention|Dear|To|From|By|Name|"
    r"Title|Mr|Ms|Mrs|Dr|[IVX]+|Exhibit|EXHIBIT|CEO|President|Principal|Director|"
    r"Board\s+of\s+Directors\s+of|BACKGROUND|INFORMATION|RECITALS)\b[.:,]?\s+)+"
    r"|^(?:[A-Z][A-Z\-]+\s+)*(?:AGREEMENT|VERSION|CONFIDENTIAL)\b[.:,]?\s+"
)
_GENERIC_ORG_WORDS = {
    "THE",
    "COMPANY",
    "PARENT",
    "CORPORATION",
    "DELAWARE",
    "HOLDINGS",
    "EMPLOYER",
    "EMPLOYEE",
    "INC",
    "LLC",
    "LTD",
    "CO",
    "OF",
    "AND",
    "A",
    "AN",
    "NEW",
    "BANK",
    "BANCORP",
    "LIMITED",
    "PROFESSIONAL",
    "MEDICAL",
    "MERGER",
    "SUB",
    "ACQUISITION",
    "CLOSED",
    "JOINT",
    "STOCK",
}


def organisation(raw: str) -> str | None:
    """A company name from an :data:`ORG_RE` match, without sentence fragments before it."""
    text = " ".join(raw.split())
    end = None
    for stop in sentence_stops(text + " X"):
        end = stop.end()  # the text after the last sentence stop
    if end is not None and end < len(text):
        text = text[end:]
    text = _ORG_NOISE.sub("", re.sub(r"^(?:(?:of|and|&)\s+)+", "", text))
    name = clean_party(text)
    if name is None:
        return None
    words = {w for w in re.findall(r"[A-Z0-9]+", name.upper()) if len(w) > 1}
    if not words - _GENERIC_ORG_WORDS - set(s.upper() for s in PLACES):
        return None
    return name
