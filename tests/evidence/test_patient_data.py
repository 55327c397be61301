"""The patient-data guard's detectors, as pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.portfolio.patient_data import (
    is_valid_nhs_number,
    nhs_numbers_in,
    scan_fields,
    scan_text,
)

TODAY = date(2025, 6, 1)


def kinds(text: str) -> list[tuple[str, bool]]:
    return [(f.kind, f.blocking) for f in scan_text(text, "description", today=TODAY)]


@pytest.mark.parametrize(
    "number",
    ["9434765919", "4010232137", "4505577104", "6000000006", "943 476 5919", "943-476-5919"],
)
def test_numbers_with_a_correct_modulus_11_check_digit_are_valid(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # check digit should be 9
        "4010232138",
        "1000000010",  # the weighted sum leaves a check of 10: never issued
        "1000000019",
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "943476591a",
    ],
)
def test_numbers_with_a_wrong_check_digit_or_length_are_not_valid(number):
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "text",
    [
        "Patient 9434765919 was reviewed",
        "NHS no. 943 476 5919.",
        "NHS number 943-476-5919",
        "(943\u00a0476\u00a05919)",
        "ref:9434765919x",
    ],
)
def test_a_valid_nhs_number_in_any_usual_spacing_is_a_blocking_finding(text):
    assert kinds(text) == [("nhs-number", True)]


@pytest.mark.parametrize(
    "text",
    [
        "Patient 943 476 5918 was reviewed",  # invalid check digit
        "Call 01632 960 001 for the practice",  # a phone number
        "Batch 94347659190 from the wholesaler",  # eleven digits in a row
        "Dose 94 347 65919",  # not 3-3-4
    ],
)
def test_ten_digits_that_are_not_a_valid_nhs_number_are_not_flagged(text):
    assert kinds(text) == []


def test_every_valid_number_in_a_text_is_found():
    assert nhs_numbers_in("9434765919 and 401 023 2137, not 401 023 2138") == [
        "9434765919",
        "4010232137",
    ]


def test_the_finding_names_the_field_and_never_repeats_the_number():
    [finding] = scan_text("NHS 943 476 5919", "reflection", today=TODAY)
    assert finding.field == "reflection"
    assert "5919" not in finding.message
    assert "NHS number" in finding.message


@pytest.mark.parametrize("text", ["Seen at home, LS1 4AP", "postcode sw1a 1aa", "EC1A1BB today"])
def test_a_full_uk_postcode_is_a_warning_not_a_block(text):
    assert kinds(text) == [("postcode", False)]


@pytest.mark.parametrize(
    "text", ["Met the LS1 team", "Room B12 on level 2", "Used 2 CDs", "In 3 weeks"]
)
def test_partial_postcodes_and_ordinary_codes_are_not_flagged(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Mrs Smith (12/03/1956) asked about her inhaler",
        "John Smith, born 4 March 1948, takes warfarin",
        "DOB 02.11.1961 Mr O'Neil",
        "Reviewed Dr Patel's patient, 1st Sept 1950",
        "Mrs Jones DOB: 01/02/2024",  # a recent date, but introduced as a date of birth
    ],
)
def test_a_birth_date_next_to_a_name_is_a_warning(text):
    assert kinds(text) == [("date-of-birth", False)]


@pytest.mark.parametrize(
    "text",
    [
        "On 12/05/2025 I met Mrs Smith to review her inhaler",  # a recent activity date
        "The guidance of 12/03/1998 changed the dose",  # an old date, but no name
        "Mrs Smith attended",  # a name, but no date
        "On Monday March 3rd 1990 was the launch",  # capitalised words that are not names
        "31/31/1960 is not a date, said Mrs Smith",
    ],
)
def test_dates_and_names_apart_are_not_flagged(text):
    assert kinds(text) == []


def test_scan_fields_names_nested_fields():
    findings = scan_fields(
        {"what_happened": "Fine", "ratings": {"comment": "NHS 9434765919"}, "notes": ["LS1 4AP"]},
        today=TODAY,
    )
    assert [(f.field, f.kind) for f in findings] == [
        ("ratings.comment", "nhs-number"),
        ("notes.0", "postcode"),
    ]


def test_scan_fields_ignores_values_that_are_not_text():
    assert scan_fields({"minutes": 9434765919, "flag": True}, today=TODAY) == []
