"""The rule that flags a cited text that does not contain the extracted value."""

from __future__ import annotations

import pytest

from llamaextract_nb.results.matching import citation_mismatch, locate


@pytest.mark.parametrize(
    ("value", "text", "printed"),
    [
        (1785.0, "Total due EUR 1,785.00", "1,785.00"),
        (1785.0, "Summe 1.785,00 €", "1.785,00"),
        (1785, "Total 1\u00a0785", "1\u00a0785"),
        (1050.0, "1,050.00", "1,050.00"),
        (7.9, "7,90", "7,90"),
        (-12, "credit (12.00)", "12.00"),
        (10, "Hydraulic hose, 2 m   10   450.00", "10"),
        ("2026-04-02", "Date: 02.04.2026", "02.04.2026"),
        ("2026-04-02", "Issued 4/2/26", "4/2/26"),
        ("2026-04-02T10:00:00Z", "on 2 April 2026 at ten", "2 April 2026"),
        ("2026-04-02", "Apr 2, 2026", "Apr 2, 2026"),
        ("2026-04-02", "2026-04-02", "2026-04-02"),
        ("INV-2026-0412", "Invoice No.: INV-2026-0412", "INV-2026-0412"),
        ("acme gmbh", "ACME GmbH", "ACME GmbH"),
        ("Quick coupling 12 mm", "Quick coupling 12mm", "Quick coupling 12mm"),
        ("1,785.00", "Total 1785", "1785"),
    ],
)
def test_printed_forms_are_found(value: object, text: str, printed: str) -> None:
    span = locate(value, text)
    assert span is not None
    assert text[span[0] : span[1]] == printed
    assert citation_mismatch(value, text) is False


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1785.0, "Total due EUR 1,758.00"),
        (17.85, "Total due EUR 1,785.00"),
        ("2026-04-02", "Date: 03.04.2026"),
        ("2026-02-04", "Date: 02.04.2026"),  # dotted dates are day-first
        ("ACME", "Globex Corporation"),
        (12, "2012"),
    ],
)
def test_different_values_are_flagged(value: object, text: str) -> None:
    assert citation_mismatch(value, text) is True


@pytest.mark.parametrize(
    ("value", "text"), [(True, "yes"), (None, "x"), (1.0, None), ("a", ""), ([1], "1")]
)
def test_values_that_are_not_judged(value: object, text: str | None) -> None:
    assert citation_mismatch(value, text) is None
