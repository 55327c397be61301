"""Property-based tests: inputs nobody thought of must never crash the rules."""

from __future__ import annotations

from datetime import date

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.frameworks.validation import validate_framework_bytes
from app.services.portfolio.attachments import EXTENSIONS, safe_filename
from app.services.portfolio.patient_data import is_valid_nhs_number, nhs_numbers_in, scan_text
from tests.conftest import ROOT

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NCF = (ROOT / "frameworks" / "ncf-pcpt-3.yaml").read_bytes()

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_give_problems_or_a_spec_never_an_exception(raw):
    result = validate_framework_bytes(raw)
    assert (result.spec is None) == bool(result.problems)
    assert all(p.line is None or p.line >= 1 for p in result.problems)


@FUZZ
@given(yaml_values)
def test_any_yaml_document_gives_problems_or_a_spec(value):
    raw = yaml.safe_dump(value, allow_unicode=True).encode()
    result = validate_framework_bytes(raw)
    assert (result.spec is None) == bool(result.problems)


@FUZZ
@given(st.integers(min_value=0, max_value=len(NCF)), st.binary(max_size=40))
def test_the_ncf_with_a_splice_of_garbage_never_raises(cut, garbage):
    result = validate_framework_bytes(NCF[:cut] + garbage + NCF[cut:])
    assert (result.spec is None) == bool(result.problems)


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


@FUZZ
@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.sampled_from(["", " ", "-"]))
def test_every_valid_nhs_number_is_found_however_it_is_written(nine, separator):
    number = _with_check_digit(nine)
    if number is None:
        return
    written = separator.join([number[:3], number[3:6], number[6:]])
    assert is_valid_nhs_number(written)
    assert nhs_numbers_in(f"Seen in clinic, ref {written}, follow up.") == [number]


@FUZZ
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_a_wrong_check_digit_is_never_reported(digits):
    expected = _with_check_digit(digits[:9])
    if expected == digits:
        return
    assert not is_valid_nhs_number(digits)


@FUZZ
@given(st.text(max_size=500))
def test_scanning_any_text_never_raises(text):
    findings = scan_text(text, "description", today=date(2026, 11, 26))
    assert all(f.field == "description" for f in findings)


@FUZZ
@given(st.text(max_size=300), st.sampled_from(sorted(EXTENSIONS)))
def test_safe_filenames_never_escape_or_carry_control_characters(name, media_type):
    safe = safe_filename(name, media_type)
    assert "/" not in safe
    assert "\\" not in safe
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in safe)
    assert safe not in ("", ".", "..")
    assert any(safe.endswith(ext) for ext in EXTENSIONS[media_type])
    assert len(safe) <= 255
