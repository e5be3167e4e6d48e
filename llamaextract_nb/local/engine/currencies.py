"""Currencies: ISO 4217 codes, the symbols and local names documents print, and the rule
that turns a printed currency into its code (``€`` -> EUR, ``zł`` -> PLN, ``Rs.`` -> INR,
``Fr.`` -> CHF, ``US$`` -> USD; a bare ``$`` or ``kr`` read with the document's evidence).
"""

from __future__ import annotations

import re
from functools import lru_cache

from llamaextract_nb.lang import split_name, to_english
from llamaextract_nb.local.engine.types import FieldSpec

CODES: tuple[str, ...] = (
    "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "INR", "AUD", "CAD", "NZD", "SEK", "NOK", "DKK",
    "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "RUB", "MYR", "SGD", "HKD", "TWD", "KRW", "THB",
    "IDR", "PHP", "VND", "ZAR", "BRL", "MXN", "ARS", "CLP", "COP", "ILS", "AED", "SAR",
    "NGN", "EGP", "PKR", "LKR",
)  # fmt: skip
SYMBOLS = "$€£¥₹₩₽₺₪฿₫₱₦"
"""Currency symbols printed beside amounts (one character each)."""
_SYMBOL_CODES = {
    "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB",
    "₺": "TRY", "₪": "ILS", "฿": "THB", "₫": "VND", "₱": "PHP", "₦": "NGN",
}  # fmt: skip
# Printed next to amounts and unambiguous: symbols with a country prefix, local abbreviations.
_PRINTED_CODES = {
    "us$": "USD", "u$s": "USD", "usd$": "USD", "ca$": "CAD", "c$": "CAD", "cad$": "CAD",
    "a$": "AUD", "au$": "AUD", "nz$": "NZD", "s$": "SGD", "sg$": "SGD", "hk$": "HKD",
    "nt$": "TWD", "r$": "BRL", "mx$": "MXN", "rm": "MYR", "rs": "INR", "rs.": "INR",
    "inr.": "INR", "zł": "PLN", "zl": "PLN", "kč": "CZK", "sfr": "CHF", "sfr.": "CHF",
    "fr.": "CHF", "fr": "CHF", "ft": "HUF", "lei": "RON", "лв": "BGN", "元": "CNY",
    "円": "JPY", "rmb": "CNY", "kr": "SEK", "kr.": "DKK",
}  # fmt: skip
# Currency names in the supported languages (singular, plural, inflected).
_NAMES = {
    "euro": "EUR", "euros": "EUR", "eur": "EUR", "dollar": "USD", "dollars": "USD",
    "dólar": "USD", "dólares": "USD", "dollaro": "USD", "dollari": "USD", "dolar": "USD",
    "dolary": "USD", "dolarów": "USD", "pound": "GBP", "pounds": "GBP", "sterling": "GBP",
    "pfund": "GBP", "livre": "GBP", "livres": "GBP", "yen": "JPY", "yuan": "CNY",
    "renminbi": "CNY", "rupee": "INR", "rupees": "INR", "ringgit": "MYR", "złoty": "PLN",
    "zloty": "PLN", "złotych": "PLN", "zlotych": "PLN", "złote": "PLN", "franken": "CHF",
    "franc": "CHF", "francs": "CHF", "franco": "CHF", "franchi": "CHF", "real": "BRL",
    "reais": "BRL", "forint": "HUF", "koruna": "CZK", "korun": "CZK", "kronor": "SEK",
    "krona": "SEK", "kroner": "NOK", "krone": "DKK", "kronen": "DKK", "rand": "ZAR",
    "lira": "TRY", "rubel": "RUB", "ruble": "RUB", "rubles": "RUB",
}  # fmt: skip
# Document evidence deciding an ambiguous "$", "¥" or "kr": words naming the country.
_EVIDENCE = {
    "$": [
        ("CAD", r"\bCAD\b|\bCanad[aá]\b|\bHST\b|\bOntario\b|\bQu[eé]bec\b"),
        ("AUD", r"\bAUD\b|\bAustralia\b|\bABN\b"),
        ("NZD", r"\bNZD\b|\bNew Zealand\b"),
        ("SGD", r"\bSGD\b|\bSingapore\b"),
        ("HKD", r"\bHKD\b|\bHong Kong\b"),
        ("MXN", r"\bMXN\b|\bM[eé]xico\b|\bRFC\b"),
        ("USD", r"\bUSD\b"),
    ],
    "¥": [("CNY", r"\bCNY\b|\bRMB\b|\bChina\b|元|增值税"), ("JPY", r"\bJPY\b")],
    "kr": [
        ("NOK", r"\bNOK\b|\bNorge\b|\bNorway\b|\bMVA\b"),
        ("DKK", r"\bDKK\b|\bDanmark\b|\bDenmark\b"),
        ("SEK", r"\bSEK\b|\bSverige\b|\bSweden\b|\bmoms\b"),
    ],
}
_AMBIGUOUS = {"$": "$", "¥": "¥", "kr": "kr", "kr.": "kr"}

_CODE_ALTERNATION = "|".join(CODES)
CURRENCY_RE = re.compile(
    rf"(?:US|CA|AU|NZ|SG|HK|NT|MX|A|C|S|R)?[{SYMBOLS}]"
    rf"|(?<![A-Za-z])(?:{_CODE_ALTERNATION}|RM|Rs\.?|SFr\.?)(?![A-Za-z])|zł|(?<!\w)Kč"
)
"""A currency printed in running text: a symbol (maybe country-prefixed), a code, or a
local abbreviation that cannot be mistaken for a word."""
AMOUNT_CURRENCY = (
    rf"[{SYMBOLS}]|(?<![A-Za-z])(?:{_CODE_ALTERNATION}|RM|Rs|(?-i:zł|zl|Kč)"
    r"|(?<![-.\w])(?-i:Fr|SFr|kr))(?![A-Za-z])\.?"
)
"""A currency printed beside an amount ("1.234,50 zł", "Rs. 250", "Fr. 12.50")."""

_WORD = re.compile(r"[^\W\d_]+\$?|[$€£¥₹₩₽₺₪฿₫₱₦元円]|[A-Za-z]{1,3}\$", re.UNICODE)


def currency_code(text: str, evidence: str = "") -> str | None:
    """The ISO 4217 code of the currency ``text`` prints, or None.

    ``text`` may be a code ("eur"), a symbol ("€"), a prefixed symbol ("US$"), a local
    abbreviation ("zł", "Rs.", "Fr.") or a name in a supported language ("Euro",
    "złotych", "US dollars"). An ambiguous ``$``, ``¥`` or ``kr`` is decided by
    ``evidence`` (the document's text: "CAD", "Canada", "ABN", "RMB", "Norge" ...),
    else read as USD, JPY and SEK.
    """
    stripped = text.strip()
    lowered = stripped.lower()
    if stripped.upper() in CODES and len(stripped) == 3:
        return stripped.upper()
    if lowered in _PRINTED_CODES and lowered not in _AMBIGUOUS:
        return _PRINTED_CODES[lowered]
    if lowered in _AMBIGUOUS or stripped in _SYMBOL_CODES:
        return _decide(_AMBIGUOUS.get(lowered, stripped), evidence)
    if "us" in lowered.split() and any(w.startswith(("dollar", "dólar")) for w in lowered.split()):
        return "USD"  # "US dollars", "dólares US"
    for match in _WORD.finditer(stripped):
        token = match.group(0)
        low = token.lower()
        if len(token) == 3 and token.upper() in CODES and token.isupper():
            return token.upper()
        if low in _NAMES:
            return _NAMES[low]
        if low in _PRINTED_CODES and low not in _AMBIGUOUS:
            return _PRINTED_CODES[low]
        if token in _SYMBOL_CODES:
            return _decide(token, evidence)
    return None


def _decide(symbol: str, evidence: str) -> str | None:
    for code, pattern in _EVIDENCE.get(symbol, []):
        if evidence and re.search(pattern, evidence, re.IGNORECASE if symbol == "kr" else 0):
            return code
    return _SYMBOL_CODES.get(symbol) or _PRINTED_CODES.get(symbol)


@lru_cache(maxsize=1024)
def names_currency(name: str, description: str = "") -> bool:
    """Whether a field's name (in any supported language) or its description asks for a
    currency: ``currency``, ``currency_code``, ``ccy``, ``währung``, ``devise``, or a
    description mentioning ISO 4217."""
    words = split_name(name)
    if "ccy" in words or "currency" in to_english(words):
        return True
    return bool(re.search(r"(?i)\bISO[\s-]*4217\b", description))


def is_currency_field(spec: FieldSpec) -> bool:
    """Whether a field holds a currency: by its name or description (:func:`names_currency`)
    or because its enum lists currency codes."""
    return names_currency(spec.name, spec.description) or is_code_enum(spec.enum)


def is_code_enum(options: list[object] | None) -> bool:
    """Whether an enum lists currency codes (``["EUR", "USD", "GBP"]``)."""
    return bool(options) and all(str(option).upper() in CODES for option in options or [])


def wants_symbol(description: str) -> bool:
    """Whether a currency field asks for the symbol as printed rather than a code."""
    return bool(re.search(r"(?i)\bsymbol", description)) and not re.search(
        r"(?i)\b(?:code|iso)\b", description
    )
