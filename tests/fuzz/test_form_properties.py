"""Property-based tests for evidence form validation: whatever a browser or an API client
sends as answers, validation returns values and messages, never an exception, and never
keeps a field the form does not define."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.portfolio.assessment_forms import (
    FREE_FORM,
    REFLECTIVE,
    STRUCTURED_FORMS,
    clean_answers,
    validate,
)
from app.services.portfolio.form_answers import FormInvalid

FORMS = [FREE_FORM, REFLECTIVE, *STRUCTURED_FORMS.values()]
TODAY = date(2026, 11, 26)

# What arrives from a form post or a JSON body: strings mostly, but anything JSON holds.
answer_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.dates().map(date.isoformat),
    st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@st.composite
def form_and_answers(draw):
    form = draw(st.sampled_from(FORMS))
    names = [f.name for f in form.fields]
    # Any subset of the form's own fields, plus a few names it does not have.
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    answers = {name: draw(answer_values) for name in chosen}
    answers.update(draw(st.dictionaries(st.text(max_size=12), answer_values, max_size=3)))
    # Sometimes a valid choice, so the deeper checks (assessor, dates) are reached too.
    for spec in form.fields:
        if spec.choices and draw(st.booleans()):
            answers[spec.name] = draw(st.sampled_from([c.value for c in spec.choices]))
    return form, answers


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form_and_answers())
def test_validation_never_raises_and_keeps_only_the_forms_fields(case):
    form, answers = case
    values, errors = validate(form, answers, today=TODAY)
    names = {f.name for f in form.fields}
    assert set(values) <= names
    assert set(errors) <= names
    assert all(isinstance(message, str) and message for message in errors.values())
    # Every required field is either answered or has a message.
    for spec in form.fields:
        if spec.required:
            assert spec.name in values or spec.name in errors, spec.name
    if errors:
        with pytest.raises(FormInvalid) as invalid:
            clean_answers(form, answers, today=TODAY)
        assert invalid.value.errors == errors
    else:
        assert clean_answers(form, answers, today=TODAY) == values
