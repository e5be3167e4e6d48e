"""Options panel, headless: service defaults, emitted dict, validation, assignment."""

from __future__ import annotations

import html

import pytest

from llamaextract_nb.api.models import ExtractConfiguration
from llamaextract_nb.client import build_configuration
from llamaextract_nb.widgets import OptionsPanel


def test_defaults_are_the_services() -> None:
    options = OptionsPanel().options
    defaults = ExtractConfiguration(data_schema={"type": "object"})
    assert options == {
        "tier": defaults.tier,
        "extraction_target": defaults.extraction_target,
        "cite_sources": defaults.cite_sources,
        "confidence_scores": defaults.confidence_scores,
        "system_prompt": None,
        "target_pages": None,
        "max_pages": None,
    }


def test_widget_values_are_emitted_and_build_a_configuration() -> None:
    panel = OptionsPanel()
    panel.tier.value = "agentic"
    panel.extraction_target.value = "per_page"
    panel.cite_sources.value = True
    panel.confidence_scores.value = True
    panel.system_prompt.value = "  dates are day-first \n"
    panel.target_pages.value = "1, 3-5"
    panel.max_pages.value = "10"
    options = panel.options
    assert options == {
        "tier": "agentic",
        "extraction_target": "per_page",
        "cite_sources": True,
        "confidence_scores": True,
        "system_prompt": "dates are day-first",
        "target_pages": "1, 3-5",
        "max_pages": 10,
    }
    configuration = build_configuration({"type": "object", "properties": {}}, **options)
    assert configuration.max_pages == 10 and configuration.tier == "agentic"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("target_pages", "first page", "target_pages 'first page' is not a page selection"),
        ("target_pages", "1-", 'ranges separated by commas, e.g. "1,3,5-7"'),
        ("target_pages", "1-99999999999", "page numbers go up to 100,000"),
        ("target_pages", "5-2", "the range '5-2' runs backwards; write it low to high"),
        ("target_pages", "\u0661-\u0663", "is not a page selection"),
        ("max_pages", "0", "Max pages '0'"),
        ("max_pages", "\u0663", "whole number of 1 or more"),
        ("max_pages", "ten", "whole number of 1 or more"),
    ],
)
def test_bad_pages_are_explained(field: str, value: str, says: str) -> None:
    panel = OptionsPanel()
    getattr(panel, field).value = value
    assert says in html.unescape(panel.error.value)
    with pytest.raises(ValueError, match=says.replace("(", r"\(")):
        _ = panel.options
    getattr(panel, field).value = ""
    assert panel.error.value == ""


def test_assigning_options_updates_the_widgets() -> None:
    panel = OptionsPanel()
    panel.options = {"cite_sources": True, "max_pages": 3, "system_prompt": None}
    assert panel.cite_sources.value is True and panel.max_pages.value == "3"
    assert panel.options["max_pages"] == 3
    with pytest.raises(ValueError, match="unknown option"):
        panel.options = {"temperature": 0.2}


def test_a_combination_the_service_refuses_is_explained_before_the_run() -> None:
    panel = OptionsPanel()
    panel.tier.value = "agentic_plus"
    panel.extraction_target.value = "per_page"
    says = "tier 'agentic_plus' supports extraction_target 'per_doc' only"
    assert says in html.unescape(panel.error.value)
    with pytest.raises(ValueError, match=says):
        _ = panel.options
    panel.extraction_target.value = "per_doc"
    assert panel.error.value == "" and panel.options["tier"] == "agentic_plus"
