"""What a run will cost before it starts: pages counted locally, times the credit rates.

Pages are counted on this machine, by the service's rule (:mod:`llamaextract_nb.api.pages`):
PDF pages (pypdfium2), the sheets of a workbook, one page for other formats, then
``target_pages`` / ``max_pages`` (``sheet_names`` for spreadsheets). Credits come from the
rate table in :mod:`llamaextract_nb.client.pricing` (extract tier plus the parse tier it implies).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import IO, Any

import pandas as pd
from typing_extensions import Unpack

from llamaextract_nb.api.models import ExtractConfiguration
from llamaextract_nb.api.pages import billed_pages
from llamaextract_nb.client import pricing
from llamaextract_nb.client.batch_sources import BatchFile, collect_files
from llamaextract_nb.client.configuration import OPTION_NAMES, ExtractOptions
from llamaextract_nb.errors import LlamaExtractError

ESTIMATE_COLUMNS = ("file", "pages", "extract_credits", "parse_credits", "credits", "note")


@dataclass(frozen=True)
class Estimate:
    """Expected pages and credits of a run: :attr:`documents` per document and the totals.

    ``str(estimate)`` reads "3 documents, 14 pages, about 210 credits (~$0.26)".
    """

    documents: pd.DataFrame
    tier: str
    parse_tier: str | None
    dollars_per_credit: float

    @property
    def pages(self) -> int:
        return int(self.documents["pages"].sum())

    @property
    def credits(self) -> float:
        return float(self.documents["credits"].sum())

    @property
    def dollars(self) -> float:
        return self.credits * self.dollars_per_credit

    @property
    def headline(self) -> str:
        """ "3 documents, 14 pages, about 210 credits"."""
        count = len(self.documents)
        return (
            f"{count} document{'s' if count != 1 else ''}, {self.pages:,} "
            f"page{'s' if self.pages != 1 else ''}, about {self.credits:,.0f} credits"
        )

    def __str__(self) -> str:
        uncounted = int(self.documents["note"].notna().sum())
        note = f"; {uncounted} not counted, taken as 1 page" if uncounted else ""
        return f"{self.headline} (~${self.dollars:,.2f}, tier {self.tier}){note}"

    def __repr__(self) -> str:
        return f"Estimate({self})"

    def _repr_html_(self) -> str:
        table = self.documents.to_html(index=False, escape=True, na_rep="", border=0)
        return f"<div><b>{escape(str(self))}</b>{table}</div>"


def estimate(
    files: Any = None,
    configuration: ExtractConfiguration | Mapping[str, Any] | None = None,
    *,
    pages: int | None = None,
    **options: Unpack[ExtractOptions],
) -> Estimate:
    """Expected pages and credits for extracting from ``files`` (as ``extract_many`` takes
    them) with ``configuration`` (an ExtractConfiguration, or a dict of its fields, the schema
    optional) or keyword options (``tier``, ``parse_tier``, ``target_pages``, ``max_pages``).

    For the rates alone give ``pages=`` instead of files: ``lx.estimate(pages=14, tier="agentic")``.
    """
    settings = _settings(configuration, options)
    _rates_for(settings)  # an unknown tier fails before any file is read
    rows: list[dict[str, Any]] = []
    if pages is not None:
        if files is not None:
            raise TypeError("give files or pages=, not both")
        if isinstance(pages, bool) or not isinstance(pages, int) or pages < 0:
            raise ValueError(f"pages must be a whole number >= 0, got {pages!r}")
        rows.append({"file": None, "pages": pages, "note": None})
    elif files is None:
        raise TypeError("estimate needs files (paths, a folder, a glob, uploads) or pages=")
    else:
        rows = [_count(document, settings) for document in collect_files(files)]
    return _priced(rows, settings)


def estimate_documents(
    documents: list[BatchFile], configuration: ExtractConfiguration | Mapping[str, Any]
) -> Estimate:
    """:func:`estimate` for documents already collected (what ``extract_many`` holds)."""
    settings = _settings(configuration, {})
    return _priced([_count(document, settings) for document in documents], settings)


class CreditLimitError(LlamaExtractError, ValueError):
    """A run's estimate is above the ``max_credits`` it was given."""


def check_credit_limit(expected: Estimate, max_credits: float | None) -> None:
    """Raise :class:`CreditLimitError` when ``expected`` costs more than ``max_credits``."""
    if max_credits is None:
        return
    if isinstance(max_credits, bool) or not isinstance(max_credits, (int, float)):
        raise TypeError(f"max_credits must be a number or None, got {max_credits!r}")
    if expected.credits > max_credits:
        raise CreditLimitError(
            f"not started: the estimate is {expected.credits:,.0f} credits ({expected}), above "
            f"max_credits={max_credits:,.0f}. Raise max_credits, pick a cheaper tier, or read "
            "fewer pages (target_pages / max_pages); rates: lx.pricing.rates()."
        )


def _count(document: BatchFile, settings: Mapping[str, Any]) -> dict[str, Any]:
    counted, note = count_pages(document, settings)
    return {"file": document.label, "pages": counted, "note": note}


def _priced(rows: list[dict[str, Any]], settings: Mapping[str, Any]) -> Estimate:
    extract_rate, parse_rate = _rates_for(settings)
    for row in rows:
        row["extract_credits"] = row["pages"] * extract_rate
        row["parse_credits"] = row["pages"] * parse_rate
        row["credits"] = row["extract_credits"] + row["parse_credits"]
    frame = pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))
    frame["pages"] = frame["pages"].astype("int64")
    for name in ("extract_credits", "parse_credits", "credits"):
        frame[name] = frame[name].astype("float64")
    tier = str(settings.get("tier") or "cost_effective")
    return Estimate(frame, tier, settings.get("parse_tier"), pricing.rates().dollars_per_credit)


def _rates_for(settings: Mapping[str, Any]) -> tuple[float, float]:
    tier = str(settings.get("tier") or "cost_effective")
    return pricing.rates().per_page(tier, settings.get("parse_tier"))


def count_pages(document: BatchFile, settings: Mapping[str, Any]) -> tuple[int, str | None]:
    """Billed pages of one document and, when its pages could not be counted, why (it then
    counts as one page)."""
    with document.open() as stream:
        head = stream.read(8)
        stream.seek(0)
        try:
            if head.startswith(b"%PDF-") or document.name.lower().endswith(".pdf"):
                total = _pdf_pages(stream, document)
            elif head.startswith(b"PK") and _is_workbook(stream):
                sheets = _sheet_names(stream)
                wanted = settings.get("sheet_names")
                if wanted:
                    return len(set(wanted) & set(sheets)), None
                total = len(sheets)
            else:
                total = 1
        except Exception as exc:  # a damaged or locked file: say so, count it as one page
            return 1, f"pages not counted ({type(exc).__name__}: {exc})"
    return billed_pages(total, settings.get("target_pages"), settings.get("max_pages")), None


def _pdf_pages(stream: IO[bytes], document: BatchFile) -> int:
    import pypdfium2 as pdfium

    source: Any = str(document.path) if document.path is not None else stream.read()
    pdf = pdfium.PdfDocument(source)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _is_workbook(stream: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        stream.seek(0)


def _sheet_names(stream: IO[bytes]) -> list[str]:
    import openpyxl

    workbook = openpyxl.load_workbook(stream, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _settings(
    configuration: ExtractConfiguration | Mapping[str, Any] | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    if isinstance(configuration, ExtractConfiguration):
        settings = configuration.model_dump(exclude={"data_schema"})
    elif isinstance(configuration, Mapping):
        settings = {k: v for k, v in configuration.items() if k != "data_schema"}
    elif configuration is None:
        settings = {}
    else:
        raise TypeError(
            "configuration must be an ExtractConfiguration or a dict of its fields, "
            f"not {type(configuration).__name__}"
        )
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(
            f"unknown extraction option(s) {', '.join(map(repr, unknown))}; "
            f"valid options are: {', '.join(OPTION_NAMES)}"
        )
    return {**settings, **options}
