"""Receipt rules kept because they held on receipts the engine was not tuned on."""

from __future__ import annotations

from typing import Any

from llamaextract_nb.local.engine import extract

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "company": {"type": "string", "description": "Name of the company that issued it"},
        "date": {"type": "string", "format": "date", "description": "Date of the receipt"},
        "total": {"type": "number", "description": "Total amount paid"},
    },
}


def run(text: str) -> dict[str, Any]:
    configuration = {"data_schema": SCHEMA, "system_prompt": "Dates are day-first."}
    result = extract(text.encode(), "receipt.txt", configuration).result
    assert isinstance(result, dict)
    return result


def test_a_name_line_before_its_legal_form_line_even_with_a_place_in_it() -> None:
    receipt = """MAJU JAYA CHICKENLAND MALAYSIA
SDN BHD
NO 5, JALAN SS2/3, 47300 PETALING JAYA
TOTAL 12.00
"""
    assert run(receipt)["company"] == "MAJU JAYA CHICKENLAND MALAYSIA SDN BHD"


def test_registration_number_and_leading_code_are_not_the_name() -> None:
    assert run("URBAN LEAF SDN BHD (123456-M),\nTOTAL 5.00\n")["company"] == "URBAN LEAF SDN BHD"
    assert run("#000002 MAJU (M) SDN BHD\nTOTAL 5.00\n")["company"] == "MAJU (M) SDN BHD"


def test_a_lone_business_word_is_no_company_name() -> None:
    receipt = "ACME\nSERVICE\nACME SERVICE SDN BHD (310184-X)\nTOTAL 5.00\n"
    assert run(receipt)["company"] == "ACME SERVICE SDN BHD"


def test_the_date_printed_with_a_time_is_the_receipts() -> None:
    receipt = "ACME MART SDN BHD\nREF 11-22-31 - 10/400\n19-09-17 15:39 SH01\nTOTAL 5.00\n"
    assert run(receipt)["date"] == "2017-09-19"


def test_month_names_between_slashes_and_phone_numbers_that_look_like_dates() -> None:
    assert run("ACME MART SDN BHD\nDATE: 02/JAN/2017\nTOTAL 5.00\n")["date"] == "2017-01-02"
    receipt = "ACME MART SDN BHD\nTEL. : 05.22.95.66.66\n30/03/2018 12:36\nTOTAL 5.00\n"
    assert run(receipt)["date"] == "2018-03-30"
