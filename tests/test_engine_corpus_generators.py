"""Prose, header-zone and totals generators on small texts written for these tests."""

from __future__ import annotations

from llamaextract_nb.local.engine import extract
from llamaextract_nb.local.engine.coerce import coerce
from llamaextract_nb.local.engine.compiler import compile_schema, iter_leaves
from llamaextract_nb.local.engine.document import Document, Line, Page
from llamaextract_nb.local.engine.generators import header_zone, prose, totals
from llamaextract_nb.local.engine.generators.prose.party_names import clean_party
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints

NDA_TEXT = """MUTUAL NON-DISCLOSURE AGREEMENT
This Mutual Non-Disclosure Agreement (the "Agreement") is entered into as of March 3, 2021
by and between Acme Widgets, Inc., a Delaware corporation ("Acme"), and John Q. Smith, an
individual residing in Boston ("Consultant").
WHEREAS, the parties wish to discuss a possible business relationship (the "Purpose").
1. Confidential Information. Each party shall keep the other party's information secret.
2. Non-Solicitation. For a period of six (6) months after termination of employment, the
Consultant shall not solicit employees of Acme.
3. Term. This Agreement shall terminate two (2) years from the Effective Date.
4. Governing Law. This Agreement shall be governed by and construed in accordance with the
laws of the State of New York, without regard to conflict of laws principles.
Notices sent under this Agreement on May 1, 2021 or later go to the addresses below.
"""

RECEIPT_LINES = [
    "JOHN DOE",
    "KEDAI MAJU JAYA SDN BHD",
    "(123456-A)",
    "NO. 12, JALAN BUNGA 3,",
    "TAMAN MELATI, 53100 KUALA LUMPUR",
    "TEL: 03-1234 5678",
    "TAX INVOICE",
    "DATE: 05/04/2021 10:15",
    "BREAD 2 X 3.50 7.00",
    "MILK 3.60",
    "SUBTOTAL 10.60",
    "GST 6% 0.64",
    "TOTAL",
    "RM 11.24",
    "ROUNDING ADJ -0.04",
    "ROUNDED TOTAL 11.20",
    "CASH 20.00",
    "CHANGE 8.80",
    "THANK YOU",
]


def _doc(lines: list[str]) -> Document:
    return Document([Page(1, 612, 792, [Line(text) for text in lines])], "txt")


def _specs(schema: dict) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in iter_leaves(compile_schema(schema))}


def _best(candidates: list[Candidate]) -> Candidate:
    assert candidates, "expected at least one candidate"
    return max(candidates, key=lambda c: c.score)


NDA_SCHEMA = {
    "type": "object",
    "properties": {
        "effective_date": {"type": "string", "format": "date"},
        "jurisdiction": {"type": "string", "description": "Governing law"},
        "parties": {"type": "array", "items": {"type": "string"}},
        "term": {"type": "string", "description": 'How long the agreement lasts, e.g. "3 years"'},
    },
}
RECEIPT_SCHEMA = {
    "type": "object",
    "properties": {
        "company": {"type": "string", "description": "Company that issued the receipt"},
        "address": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "total": {"type": "number"},
        "customer_address": {"type": "string"},
    },
}


def test_prose_effective_date_prefers_the_agreement_date_over_later_dates() -> None:
    spec = _specs(NDA_SCHEMA)["effective_date"]
    candidates = prose.generate(_doc(NDA_TEXT.splitlines()), spec, Hints())
    best = _best(candidates)
    assert best.text == "March 3, 2021"
    assert coerce(best.text, spec, Hints()) == ("2021-03-03", False)
    others = [c for c in candidates if c.text != best.text]
    assert all(c.score < best.score for c in others)


def test_prose_effective_date_is_not_the_date_of_another_agreement() -> None:
    lines = [
        "WHEREAS, pursuant to the Agreement and Plan of Merger dated as of May 1, 2013",
        '(the "Merger Agreement"), Parent will acquire the Company; and',
        "This Agreement is made on June 2, 2013.",
    ]
    spec = _specs(NDA_SCHEMA)["effective_date"]
    assert _best(prose.generate(_doc(lines), spec, Hints())).text == "June 2, 2013"


def test_prose_jurisdiction_reads_the_governing_law_clause_across_a_line_break() -> None:
    doc = _doc(NDA_TEXT.splitlines())
    best = _best(prose.generate(doc, _specs(NDA_SCHEMA)["jurisdiction"], Hints()))
    assert best.text == "New York"
    assert best.source == "prose"
    assert "New York" in best.line.text  # the cited line holds the value


def test_prose_jurisdiction_reads_other_ways_of_naming_the_governing_law() -> None:
    spec = _specs(NDA_SCHEMA)["jurisdiction"]
    cases = {
        "This agreement shall be governed by Kansas law, without regard to conflicts.": "Kansas",
        "This Agreement shall be governed by the laws of the United States of America, "
        "State of California.": "California",
        "This Agreement shall be governed by the laws (other than the conflict of laws "
        "rules) of the State of Indiana.": "Indiana",
    }
    for sentence, place in cases.items():
        assert _best(prose.generate(_doc([sentence]), spec, Hints())).text == place


def test_prose_parties_come_from_the_opening_clause_without_their_descriptions() -> None:
    doc = _doc(NDA_TEXT.splitlines())
    candidates = prose.generate(doc, _specs(NDA_SCHEMA)["parties"], Hints())
    strong = {c.text for c in candidates if c.score >= 0.7}
    assert strong == {"Acme Widgets, Inc.", "John Q. Smith"}
    # a value wrapped over two lines cites both lines joined
    acme = next(c for c in candidates if c.text == "Acme Widgets, Inc.")
    assert "Acme Widgets, Inc." in acme.line.text


def test_prose_parties_include_a_company_defined_in_a_letter_without_an_opening_clause() -> None:
    lines = ['As an associate of Ann Taylor, Inc. (the "Company"), you will have access to']
    lines += ["confidential information of the Company."]
    spec = _specs(NDA_SCHEMA)["parties"]
    assert "Ann Taylor, Inc." in {c.text for c in prose.generate(_doc(lines), spec, Hints())}


def test_prose_term_prefers_the_agreement_duration_over_a_non_solicit_period() -> None:
    spec = _specs(NDA_SCHEMA)["term"]
    candidates = prose.generate(_doc(NDA_TEXT.splitlines()), spec, Hints())
    best = _best(candidates)
    assert best.text == "two (2) years"
    assert coerce(best.text, spec, Hints()) == ("2 years", False)
    assert all(c.score < best.score for c in candidates if "six" in c.text)


def test_prose_ignores_fields_it_has_no_phrases_for() -> None:
    spec = _specs({"type": "object", "properties": {"colour": {"type": "string"}}})["colour"]
    assert prose.generate(_doc(NDA_TEXT.splitlines()), spec, Hints()) == []


def test_clean_party_cuts_descriptions_and_rejects_roles() -> None:
    assert clean_party("NIKE, Inc., divisions, subsidiaries and affiliates") == "NIKE, Inc."
    assert clean_party("Maher Albitar, M.D., an individual") == "Maher Albitar"
    assert clean_party("the Company") is None
    assert (
        clean_party("Leggett & Platt, Incorporated, a Missouri corporation")
        == "Leggett & Platt, Incorporated"
    )
    assert clean_party("Lincare Holdings Inc. and/or its subsidiaries") == ("Lincare Holdings Inc.")
    assert clean_party("THOMAS W. MILLS, SR.") == "THOMAS W. MILLS, SR."
    assert clean_party("Employee and the Company") is None


def test_prose_parties_joined_by_and_after_a_company_suffix_are_two_parties() -> None:
    lines = ["This Agreement is made by and between Acme Holdings, Inc. and Acme Partners, L.P."]
    lines += ['(together "Acme") and Jane Roe ("Executive").']
    spec = _specs(NDA_SCHEMA)["parties"]
    strong = {c.text for c in prose.generate(_doc(lines), spec, Hints()) if c.score >= 0.7}
    assert strong == {"Acme Holdings, Inc.", "Acme Partners, L.P.", "Jane Roe"}


def test_header_zone_company_skips_a_person_line_above_the_business_name() -> None:
    spec = _specs(RECEIPT_SCHEMA)["company"]
    best = _best(header_zone.generate(_doc(RECEIPT_LINES), spec, Hints()))
    assert best.text == "KEDAI MAJU JAYA SDN BHD"


def test_header_zone_company_joins_a_name_split_over_two_lines() -> None:
    lines = ["NANDO'S STYLE KITCHEN", "SDN BHD", "NO. 1, JALAN KIARA, 50480 KUALA LUMPUR"]
    spec = _specs(RECEIPT_SCHEMA)["company"]
    best = _best(header_zone.generate(_doc(lines), spec, Hints()))
    assert best.text == "NANDO'S STYLE KITCHEN SDN BHD"


def test_header_zone_address_is_the_block_between_name_and_phone() -> None:
    spec = _specs(RECEIPT_SCHEMA)["address"]
    best = _best(header_zone.generate(_doc(RECEIPT_LINES), spec, Hints()))
    assert best.text == "NO. 12, JALAN BUNGA 3, TAMAN MELATI, 53100 KUALA LUMPUR"


def test_header_zone_address_prefers_the_numbered_block_over_a_branch_name() -> None:
    lines = [
        "SUSHI KING - TAMAN MALURI",
        "KING SUSHI SDN. BHD. (1248446-V)",
        "NO: 1-1&2 GROUND FLOOR,",
        "JLN TEMENGGUNG 13/9,",
        "43200 CHERAS SELANGOR.",
        "(GST REG.NO: 001375580160)",
    ]
    spec = _specs(RECEIPT_SCHEMA)["address"]
    best = _best(header_zone.generate(_doc(lines), spec, Hints()))
    assert best.text == "NO: 1-1&2 GROUND FLOOR, JLN TEMENGGUNG 13/9, 43200 CHERAS SELANGOR."


def test_header_zone_leaves_other_parties_alone() -> None:
    spec = _specs(RECEIPT_SCHEMA)["customer_address"]
    assert header_zone.wants(spec) is None
    assert header_zone.generate(_doc(RECEIPT_LINES), spec, Hints()) == []
    nested = {
        "type": "object",
        "properties": {
            "buyer": {"type": "object", "properties": {"address": {"type": "string"}}},
        },
    }
    assert header_zone.wants(_specs(nested)["address"]) is None


def test_header_zone_reads_the_first_column_of_an_invoice_letterhead() -> None:
    lines = [
        "Brightline Components Inc.  INVOICE",
        "2100 Foundry Street, Suite 300",
        "Austin, TX 78701  Invoice Number:  INV-7",
        "Bill To:",
        "Harbor Analytics Inc.",
    ]
    specs = _specs({"type": "object", "properties": {"vendor_name": {"type": "string"}}})
    company = _best(header_zone.generate(_doc(lines), specs["vendor_name"], Hints()))
    assert company.text == "Brightline Components Inc."
    address = _best(header_zone.generate(_doc(lines), _specs(RECEIPT_SCHEMA)["address"], Hints()))
    assert address.text == "2100 Foundry Street, Suite 300 Austin, TX 78701"


def test_totals_prefers_the_rounded_total_and_never_subtotal_or_change() -> None:
    spec = _specs(RECEIPT_SCHEMA)["total"]
    candidates = totals.generate(_doc(RECEIPT_LINES), spec, Hints())
    assert _best(candidates).text == "11.20"
    # the bare TOTAL before rounding disagrees with the rounded total: not offered
    assert {c.text for c in candidates} == {"11.20"}


def test_totals_reads_a_bare_total_whose_amount_is_on_the_next_line() -> None:
    lines = ["SUBTOTAL 10.60", "GST 6% 0.64", "TOTAL", "RM 11.24", "CASH 20.00", "CHANGE 8.76"]
    candidates = totals.generate(_doc(lines), _specs(RECEIPT_SCHEMA)["total"], Hints())
    assert [c.text for c in candidates] == ["11.24"]


def test_totals_reads_the_unlabeled_amount_after_a_rounding_line() -> None:
    lines = ["TOTAL SALES (EXCLUDING GST) :", "31.03", "TOTAL AMT", "RM", "32.71"]
    lines += ["ROUNDING ADJ", "-0.01", "RM", "32.70", "CASH", "40.00"]
    candidates = totals.generate(_doc(lines), _specs(RECEIPT_SCHEMA)["total"], Hints())
    assert _best(candidates).text == "32.70"
    assert "31.03" not in {c.text for c in candidates}


def test_totals_pairs_a_column_of_labels_with_the_column_of_amounts_after_it() -> None:
    lines = ["-2.98", "TOTAL RM INCL. OF GST", "CASH", "CHANGE", "30.10", "-40.10", "10.00"]
    lines += ["ITEM COUNT 3"]
    candidates = totals.generate(_doc(lines), _specs(RECEIPT_SCHEMA)["total"], Hints())
    assert _best(candidates).text == "30.10"


def test_totals_reads_a_rounded_total_printed_on_its_rounding_line() -> None:
    lines = ["TOTAL SALES (INCLUSIVE GST) RM 45.34", "ROUNDING ADJUSTMENT RM .01"]
    lines += ["ROUNDING RM 45.35", "CASH RM 50.00", "CHANGE RM 4.65"]
    candidates = totals.generate(_doc(lines), _specs(RECEIPT_SCHEMA)["total"], Hints())
    assert _best(candidates).text == "45.35"


def test_totals_serves_only_fields_that_ask_for_the_total() -> None:
    schema = {
        "type": "object",
        "properties": {
            "total_amount": {"type": "number"},
            "subtotal": {"type": "number"},
            "tax_total": {"type": "number"},
            "invoice_number": {"type": "string"},
        },
    }
    specs = _specs(schema)
    assert totals.wants(specs["total_amount"])
    assert not any(
        totals.wants(specs[name]) for name in ("subtotal", "tax_total", "invoice_number")
    )


def test_receipt_end_to_end_through_extract_with_a_day_first_hint() -> None:
    data = ("\n".join(RECEIPT_LINES) + "\n").encode()
    config = {
        "data_schema": RECEIPT_SCHEMA,
        "system_prompt": "dates are day-first",
        "confidence_scores": True,
    }
    output = extract(data, "receipt.txt", config)
    result = output.result
    assert isinstance(result, dict)
    assert result["company"] == "KEDAI MAJU JAYA SDN BHD"
    assert result["date"] == "2021-04-05"
    assert result["total"] == 11.2
    meta = output.metadata["field_metadata"]["document_metadata"]
    assert 0.0 < meta["total"]["confidence"] <= 1.0


def test_nda_end_to_end_through_extract() -> None:
    output = extract(NDA_TEXT.encode(), "nda.txt", {"data_schema": NDA_SCHEMA})
    result = output.result
    assert isinstance(result, dict)
    assert result["effective_date"] == "2021-03-03"
    assert result["jurisdiction"] == "New York"
    assert result["term"] == "2 years"
    assert {"Acme Widgets, Inc.", "John Q. Smith"} <= set(result["parties"])
