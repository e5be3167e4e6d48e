"""The date scan tries its pattern only where a date can start, and finds exactly what
the pattern finds on its own."""

from __future__ import annotations

import random
import re

import pytest

from llamaextract_nb.local.engine.generators.prose.dates import _DATE_RE as PROSE_DATE_RE
from llamaextract_nb.local.engine.values import DATE_RE, DATES, DateScan, find_spans

PATTERNS = {"values": DATE_RE, "prose": PROSE_DATE_RE}
AWKWARD = [
    "",
    "5",
    "\n\n",
    "May 5, 2020",
    "Effective as of May 5, 2020 and June 6, 2021.",
    "Sept.   4 2020, sept.\n\n4, 2020, Jan.. 5, 2020, Mar.5, 2020",
    "AUGUST 4th 2020; 18th day of April, 2001; 1st of may 2020; 5 th May 2020",
    "Septembers 4, 2020 xMay 5, 2020 _May 5, 2020 5May 2020 May5 2020",
    "a12/05/2020 _12/05/2020 12/05/2020/12/06/2021 1 2 3 May 5 2020",
    "2020-01-01T10:30:00, 2020-01-01 10:30, 2020/1/2, 2020.01.02, 12-05-2020T",
    "May" + " " * 300 + "5, 2020",
    "5 May" + "\n" * 70 + "2020",
    # characters that match ASCII letters when ignoring case ("ſ", "ı", the Kelvin sign)
    "\u017fept 4, 2020 aprıl 4, 2020 \u212aMay 5 2020 Auguſt 5, 2020",
    # digits beyond ASCII: fullwidth, Arabic-Indic, superscripts
    "１２/０５/２０２０ ٣/٤/٢٠٢٠ ²12/05/2020 May ５, ２０２０",
    "March\u00a05, 2020 March\u20035, 2020 e\u0301 5 May 2020 ΜΑΪΟΣ 5 2020",
    "12.5.20 3-4-99 31/02/2020 99/99/1999 1/2/3 2020-13-45",
]
PIECES = [
    "May",
    "may",
    "MAY",
    "Sept",
    "sept.",
    "September",
    "Septembers",
    "jan",
    "Jan.",
    "dec",
    "ſep",
    "aprıl",
    "Kelvin",
    "\u212a",
    "ı",
    "5",
    "12",
    "2020",
    "1999",
    "99",
    "１２",
    "٣",
    "²",
    "5th",
    "1st",
    "day of",
    "in the year",
    "T10:30",
    "x",
    "_",
    "é",
    "(",
]
SEPARATORS = [" ", " ", "  ", "", "\n", "\t", "\u00a0", ", ", ".", "-", "/", ". "]  # fmt: skip


@pytest.mark.parametrize("name", PATTERNS)
def test_scan_finds_exactly_the_pattern_matches_on_awkward_texts(name: str) -> None:
    pattern = PATTERNS[name]
    scan = DateScan(pattern)
    for text in AWKWARD:
        expected = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in scan.finditer(text)] == expected, text


@pytest.mark.parametrize("name", PATTERNS)
def test_scan_finds_exactly_the_pattern_matches_on_random_texts(name: str) -> None:
    pattern = PATTERNS[name]
    scan = DateScan(pattern)
    rng = random.Random(20261128)
    found = 0
    for _ in range(3000):
        text = "".join(
            rng.choice(PIECES) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 12))
        )
        expected = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in scan.finditer(text)] == expected, repr(text)
        found += len(expected)
    assert found >= 30  # the texts do hold dates, so the comparison says something


def test_scan_gives_the_match_objects_of_the_pattern() -> None:
    text = "Dated the 18th day of April, 2001 (as amended 2020-01-01)."
    (first, second) = DATES.finditer(text)
    assert first.re is DATE_RE and first.group(0) == "18th day of April, 2001"
    assert second.group(0) == "2020-01-01"
    assert isinstance(first, re.Match)


def test_find_spans_reads_dates_through_the_scan() -> None:
    text = "Invoice date: Mar. 4, 2024   Due: 04/04/2024"
    assert [text[a:b] for a, b in find_spans(text, "date")] == ["Mar. 4, 2024", "04/04/2024"]
