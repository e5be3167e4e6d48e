"""The matching rules used to grade an extracted value against the expected one
(results/matching.py, shared with citation_mismatch), with hand-computed expectations."""

from __future__ import annotations

from datetime import date

import pytest

from llamaextract_nb.evaluate.align import best_pairs
from llamaextract_nb.results.matching import (
    Rule,
    default_rule,
    parse_rule,
    read_boolean,
    read_dates,
    read_numbers,
)


def score(rule: str, expected: object, extracted: object) -> float:
    return parse_rule(rule).score(expected, extracted)


@pytest.mark.parametrize(
    ("expected", "extracted", "result"),
    [
        (1785, "1,785.00", 1.0),
        (1785.0, "1.785,00 EUR", 1.0),
        (1785, "$1,785", 1.0),
        (1785, 1785.0000000001, 1.0),  # float noise
        (-12, "(12.00)", 1.0),  # accounting brackets are a minus sign
        (-12, "-12", 1.0),
        (12, "(12.00)", 0.0),  # the sign is kept
        (1785, 1786, 0.0),
        (1785, "n/a", 0.0),
        ("1,785.00", "1785", 1.0),  # expected printed, too
    ],
)
def test_number_rule(expected: object, extracted: object, result: float) -> None:
    assert score("number", expected, extracted) == result


def test_number_rule_relative_tolerance() -> None:
    # 1% of 1000 is 10: 1009.9 is inside, 1010.1 outside
    assert score("number:0.01", 1000, 1009.9) == 1.0
    assert score("number:0.01", 1000, 1010.1) == 0.0
    assert score("number", 1000, 1009.9) == 0.0


@pytest.mark.parametrize(
    ("expected", "extracted", "result"),
    [
        ("2024-03-12", "2024-03-12", 1.0),
        ("2024-03-12", "12.03.2024", 1.0),  # dotted: day first
        ("2024-03-12", "March 12, 2024", 1.0),
        ("2024-03-12", "12 Mar 2024", 1.0),
        ("2024-03-12", "3/12/24", 1.0),  # slashes: either reading
        ("2024-03-12", "2024-03-12T09:30:00Z", 1.0),
        ("2024-03-12", "03.12.2024", 0.0),  # dotted 3 December
        ("2024-03-12", "2024-03-13", 0.0),
        ("12.03.2024", date(2024, 3, 12), 1.0),
        ("2024-03-12", "soon", 0.0),
    ],
)
def test_date_rule(expected: object, extracted: object, result: float) -> None:
    assert score("date", expected, extracted) == result


@pytest.mark.parametrize(
    ("expected", "extracted", "result"),
    [
        ("ACME, Inc.", "acme inc", 1.0),
        ("Harbor  Analytics\nInc.", "HARBOR ANALYTICS INC", 1.0),
        ("INV-2024-0317", "INV 2024/0317", 1.0),
        ("ACME Inc.", "ACME Ltd.", 0.0),
        ("Straße", "STRASSE", 1.0),  # casefold
    ],
)
def test_text_rule(expected: object, extracted: object, result: float) -> None:
    assert score("text", expected, extracted) == result


def test_fuzzy_rule() -> None:
    # ratio("brightline components", "brightline componets") = 2*20/41 = 97.56
    assert score("fuzzy:90", "Brightline Components", "Brightline Componets") == 1.0
    assert score("fuzzy:98", "Brightline Components", "Brightline Componets") == 0.0
    # case and punctuation are dropped first
    assert score("fuzzy", "ACME, Inc.", "acme inc") == 1.0
    assert score("fuzzy", "ACME Inc.", "Globex Corporation") == 0.0


def test_exact_and_boolean_rules() -> None:
    assert score("exact", "USD", "USD") == 1.0
    assert score("exact", "USD", "usd") == 0.0
    assert score("exact", 3, 3) == 1.0
    assert score("boolean", True, True) == 1.0
    assert score("boolean", True, "yes") == 1.0
    assert score("boolean", False, "true") == 0.0
    assert score("boolean", True, "maybe") == 0.0
    assert read_boolean("No") is False and read_boolean(1.5) is None


def test_set_rule_gives_partial_credit() -> None:
    # {a, b, c} vs {a, b, d}: 2 shared of 4 distinct -> 0.5 (Jaccard)
    assert score("set", ["a", "b", "c"], ["a", "b", "d"]) == 0.5
    assert score("set", ["a", "b"], ["B", "A"]) == 1.0  # order and case do not matter
    assert score("set", ["a", "b", "c", "d"], ["a"]) == 0.25
    assert score("set", [1, 2], ["2.00", "1"]) == 1.0  # numbers as numbers
    assert score("set", ["x"], []) == 0.0


def test_custom_rule() -> None:
    rule = parse_rule(lambda expected, extracted: extracted.startswith(expected))
    assert rule.kind == "custom" and rule.score("INV", "INV-1") == 1.0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("regex", "unknown rule 'regex'"),
        ("text:3", "takes no argument"),
        ("fuzzy:abc", "is not a number"),
        ("fuzzy:120", "between 0 and 100"),
        ("number:2", r"in \[0, 1\)"),
    ],
)
def test_bad_rules_are_explained(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rule(spec)


def test_rule_names_round_trip() -> None:
    for spec in ("text", "exact", "date", "boolean", "set", "ignore", "number", "number:0.01",
                 "fuzzy:85"):  # fmt: skip
        assert str(parse_rule(spec)) == spec
    assert str(parse_rule("fuzzy")) == "fuzzy:90"


@pytest.mark.parametrize(
    ("schema", "expected", "kind"),
    [
        ({"type": "string", "enum": ["A", "B"]}, "A", "exact"),
        ({"type": "number"}, 3, "number"),
        ({"type": "integer"}, 3, "number"),
        ({"type": ["boolean", "null"]}, True, "boolean"),
        ({"type": "string", "format": "date"}, "2024-01-01", "date"),
        ({"type": "string"}, "12 March 2024", "date"),  # a string that is a date
        ({"type": "string"}, "ACME", "text"),
        ({"type": "array", "items": {"type": "string"}}, ["a"], "set"),
        (None, True, "boolean"),
        (None, 2.5, "number"),
        (None, "2024-01-01", "date"),
        (None, "1.2.3", "text"),  # a version number is not a date
        (None, ["a", "b"], "set"),
        (None, "ACME", "text"),
    ],
)
def test_default_rule(schema: dict[str, object] | None, expected: object, kind: str) -> None:
    assert default_rule(schema, expected).kind == kind


def test_readers() -> None:
    assert read_numbers("EUR 1.785,00") == (1785.0,)
    assert read_numbers("12") == (12.0,)
    assert set(read_numbers("1,785")) == {1785.0, 1.785}  # both conventions
    assert read_numbers("10 x 12") == ()  # two numbers: not one value
    assert read_numbers(True) == ()
    assert read_dates("4/2/26") == {date(2026, 4, 2), date(2026, 2, 4)}
    assert read_dates("due 4/2/26") == frozenset()  # the whole text must be the date
    assert isinstance(Rule("text"), Rule)


def test_best_pairs_maximises_total_similarity() -> None:
    # greedy on row 0 would take column 0 (0.9) and leave row 1 with 0.1: total 1.0;
    # the optimum pairs (0, 1) and (1, 0): 0.8 + 0.9 = 1.7
    assert best_pairs([[0.9, 0.8], [0.9, 0.1]]) == [(0, 1), (1, 0)]
    # rectangular both ways; zero-similarity pairs are left out
    assert best_pairs([[0, 3, 0], [2, 0, 0]]) == [(0, 1), (1, 0)]
    assert best_pairs([[0, 2], [3, 0], [0, 0]]) == [(0, 1), (1, 0)]
    assert best_pairs([[0.0]]) == [] and best_pairs([]) == []


def test_best_pairs_agrees_with_brute_force() -> None:
    import itertools
    import random

    rng = random.Random(7)
    for _ in range(200):
        rows, columns = rng.randint(1, 5), rng.randint(1, 5)
        matrix = [[rng.choice([0, 0.5, 1, 2, 3]) for _ in range(columns)] for _ in range(rows)]
        total = sum(matrix[r][c] for r, c in best_pairs(matrix))
        best = 0.0
        for chosen in itertools.permutations(range(max(rows, columns)), min(rows, columns)):
            if rows <= columns:
                pairs = list(zip(range(rows), chosen, strict=True))
            else:
                pairs = list(zip(chosen, range(columns), strict=True))
            best = max(best, sum(matrix[r][c] for r, c in pairs))
        assert total == best
