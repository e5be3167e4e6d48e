"""Legal forms that end company names in the supported languages' countries."""

from __future__ import annotations

import re

LEGAL_FORMS = (
    r"GMBH|MBH|AG|A\.G\.|E\.V\.|E\.K\.|OHG|GBR|S\.A\.S\.|SAS|SARL|S\.A\.R\.L\.|S\.A\.|"
    r"S\.L\.U?\.|S\.P\.A\.|SPA|S\.R\.L\.|SRL|LDA\.?|LTDA\.?|B\.V\.|N\.V\.|BVBA|"
    r"SP\.\s*Z\s*O\.\s*O\.|S\.C\.|LTD\.?|LIMITED|INC\.?|LLC|L\.L\.C\.|PLC|LLP|CORP\.?"
)
"""A regex alternation of legal forms (upper case; match with ``re.IGNORECASE``)."""
ENDS_WITH_LEGAL_FORM = re.compile(rf"(?i)\b(?:{LEGAL_FORMS})(?!\w)\s*$")
ONLY_LEGAL_FORM = re.compile(rf"(?i)^\s*(?:{LEGAL_FORMS})(?!\w)\s*$")
