"""The one ``target_pages`` parser (api/pages.py) every layer uses."""

from __future__ import annotations

import pytest

from llamaextract_nb.api.pages import MAX_PAGE_NUMBER, PageSpecError, page_spec_problem, parse_pages
from llamaextract_nb.local.engine.document import DocumentError
from llamaextract_nb.local.engine.pipeline import parse_target_pages


@pytest.mark.parametrize(
    ("spec", "pages"),
    [
        ("1", (1,)),
        (" 1 , 3 ,5 - 7 ", (1, 3, 5, 6, 7)),
        ("5-7,1,6", (1, 5, 6, 7)),
        (f"{MAX_PAGE_NUMBER}", (MAX_PAGE_NUMBER,)),
    ],
)
def test_selections_read_as_sorted_unique_pages(spec: str, pages: tuple[int, ...]) -> None:
    assert parse_pages(spec) == pages
    assert page_spec_problem(spec) == ""


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("1-99999999999", "page numbers go up to 100,000"),
        (f"1-{MAX_PAGE_NUMBER + 1}", "page numbers go up to 100,000"),
        ("9" * 5000, "page numbers go up to 100,000"),
        ("5-2", "the range '5-2' runs backwards; write it low to high (2-5)"),
        ("0", "pages are numbered from 1"),
        ("\u0661-\u0663", "is not a page selection"),  # Arabic-Indic digits
        ("\uff11", "is not a page selection"),  # a full-width 1
        ("1,,2", "is not a page selection"),
        ("-3", "is not a page selection"),
        ("", "is not a page selection"),
    ],
)
def test_everything_else_is_refused_with_the_fix(spec: str, says: str) -> None:
    with pytest.raises(PageSpecError) as caught:
        parse_pages(spec)
    assert says in str(caught.value)
    assert page_spec_problem(spec) == str(caught.value)


def test_the_engine_reads_pages_with_the_same_rules() -> None:
    assert parse_target_pages(" ") is None
    assert parse_target_pages("2-3") == frozenset({2, 3})
    with pytest.raises(DocumentError, match="runs backwards"):
        parse_target_pages("5-2")
