"""Label synonyms: words a document prints for a schema field's name.

Keys are normalised field-name terms (lower case, words split on snake/camel case);
values are phrases a document may print instead. Extend freely; keep entries lower case.
"""

from __future__ import annotations

SYNONYMS: dict[str, list[str]] = {
    "vendor": ["supplier", "seller", "from", "issued by", "company"],
    "invoice number": ["invoice no", "invoice #", "invoice id", "inv no", "bill no", "number"],
    "invoice date": ["date of issue", "issue date", "date", "dated"],
    "total": ["total due", "amount due", "grand total", "balance due", "total amount", "total"],
    "date": ["dated", "date"],
}
