"""Form definitions per evidence type, and their field-level validation (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.portfolio.assessment_forms import (
    CASE_BASED_DISCUSSION,
    CONSULTATION_OBSERVATION,
    DOPS,
    FREE_FORM,
    MINI_CEX,
    MRCF_SECTIONS,
    OBSERVATION,
    REFLECTIVE,
    FormInvalid,
    clean_answers,
    form_for,
    validate,
)
from app.services.portfolio.assessment_scales import Assessment, assessment_of
from app.services.portfolio.assessors import with_current_names
from tests.evidence.conftest import valid_answers

TODAY = date(2025, 6, 1)


def errors_for(type_code: str, **changes: object) -> dict[str, str]:
    answers = valid_answers(type_code)
    for name, value in changes.items():
        if value is None:
            answers.pop(name, None)
        else:
            answers[name] = value
    return validate(form_for(type_code), answers, today=TODAY)[1]


@pytest.mark.parametrize(
    ("code", "form"),
    [
        ("mini-cex", MINI_CEX),
        ("dops", DOPS),
        ("case-based-discussion", CASE_BASED_DISCUSSION),
        ("consultation-observation", CONSULTATION_OBSERVATION),
        ("reflective-account", REFLECTIVE),
        ("case-study", REFLECTIVE),
        ("witness-testimony", FREE_FORM),
        ("holistic-assessment", FREE_FORM),
        ("mcq", FREE_FORM),
        ("cpd-planned", FREE_FORM),  # a code from another framework
        ("anything-else", FREE_FORM),
    ],
)
def test_each_type_code_gets_its_form_and_unknown_codes_are_free_form(code, form):
    assert form_for(code) is form


@pytest.mark.parametrize(
    "code",
    ["mini-cex", "dops", "case-based-discussion", "consultation-observation", "reflection", "mcq"],
)
def test_complete_answers_pass_every_form(code):
    assert errors_for(code) == {}


def test_every_form_asks_for_a_title_and_the_date_of_the_activity():
    forms = (MINI_CEX, DOPS, CASE_BASED_DISCUSSION, CONSULTATION_OBSERVATION, REFLECTIVE, FREE_FORM)
    for form in forms:
        names = [f.name for f in form.fields]
        assert names[:3] == ["title", "occurred_on", "setting"], form.key


def test_free_form_records_setting_and_description_and_reflective_adds_the_three_questions():
    assert [f.name for f in FREE_FORM.fields] == ["title", "occurred_on", "setting", "description"]
    assert [f.name for f in REFLECTIVE.fields][-3:] == ["what_happened", "so_what", "now_what"]


def test_mini_cex_rates_areas_on_six_points_plus_unable_to_comment():
    ratings = [f for f in MINI_CEX.fields if f.name.startswith("rating_")]
    assert len(ratings) >= 5
    values = [c.value for c in ratings[0].choices]
    assert values == ["1", "2", "3", "4", "5", "6", "unable-to-comment"]
    assert {"went_well", "development", "agreed_action"} <= {f.name for f in MINI_CEX.fields}


def test_dops_records_procedure_complexity_rated_areas_with_comments_and_overall_judgement():
    names = {f.name for f in DOPS.fields}
    assert {"procedure", "setting", "complexity", "overall_judgement"} <= names
    assert [c.value for c in DOPS.field("complexity").choices] == ["low", "medium", "high"]
    rated = [f.name for f in DOPS.fields if f.name.startswith("rating_") and f.kind == "choice"]
    assert rated
    assert all(f"{name}_comment" in names for name in rated)


def test_consultation_observation_has_the_five_mrcf_sections_rated_on_five_points():
    titles = [s.title for s in CONSULTATION_OBSERVATION.sections[1:6]]
    assert titles == [
        "Introduction",
        "Data collection and problem identification",
        "Actions and solutions",
        "Closing",
        "Consultation behaviours",
    ]
    for section in CONSULTATION_OBSERVATION.sections[1:6]:
        items = [f for f in section.fields if f.kind == "choice" and not f.name.endswith("_rating")]
        assert items
        assert all([c.value for c in f.choices] == ["yes", "no", "not-applicable"] for f in items)
        [rating] = [f for f in section.fields if f.name.endswith("_rating")]
        assert [c.value for c in rating.choices] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("minutes", "error"),
    [
        (15, "at least 20"),
        (45, "at most 40"),
        ("half an hour", "whole number"),
        (True, "whole number"),
        # What a JSON body can hold and a whole number is not.
        (30.5, "whole number"),
        (float("inf"), "whole number"),
        (float("-inf"), "whole number"),
        (float("nan"), "whole number"),
        ("1e400", "whole number"),
    ],
)
def test_case_based_discussion_lasts_20_to_40_minutes(minutes, error):
    errors = errors_for("case-based-discussion", discussion_minutes=minutes)
    assert error in errors["discussion_minutes"]


@pytest.mark.parametrize("minutes", [20, "30", 40, 30.0])
def test_case_based_discussion_minutes_in_range_are_stored_as_numbers(minutes):
    values = clean_answers(
        CASE_BASED_DISCUSSION,
        valid_answers("case-based-discussion", discussion_minutes=minutes),
        today=TODAY,
    )
    assert values["discussion_minutes"] == int(minutes)


def test_missing_required_answers_are_reported_field_by_field():
    errors = validate(MINI_CEX, {}, today=TODAY)[1]
    required = {f.name for f in MINI_CEX.fields if f.required}
    assert set(errors) == required
    assert errors["title"] == "Enter title"
    assert errors["rating_overall"].startswith("Choose an answer")


def test_reflective_types_need_the_reflection_but_not_a_description():
    errors = errors_for("reflective-account", description=None, so_what="   ")
    assert errors == {"so_what": "Enter so what? What did you learn and why does it matter?"}


def test_an_answer_outside_the_scale_is_refused():
    errors = errors_for("mini-cex", rating_overall="7")
    assert errors == {"rating_overall": "Choose one of the listed answers for overall"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"occurred_on": "2025-06-02"}, "occurred_on", "today or in the past"),
        ({"occurred_on": "31/05/2025"}, "occurred_on", "real date"),
        ({"occurred_on": "2025-02-30"}, "occurred_on", "real date"),
        ({"title": "x" * 201}, "title", "200 characters or fewer"),
        ({"description": "x" * 10_001}, "description", "10,000 characters or fewer"),
        ({"description": ["not", "text"]}, "description", "must be text"),
    ],
)
def test_bad_free_form_answers_are_refused_on_their_field(changes, field, message):
    errors = errors_for("mcq", **changes)
    assert list(errors) == [field]
    assert message in errors[field]


def test_answers_the_form_does_not_define_are_dropped_and_text_is_trimmed():
    values = clean_answers(
        FREE_FORM, valid_answers("mcq", title="  Score 18/20  ", csrf_token="x"), today=TODAY
    )
    assert "csrf_token" not in values
    assert values["title"] == "Score 18/20"


@pytest.mark.parametrize("role", ["pharmacist", "pharmacy-technician"])
def test_a_pharmacy_professional_assessor_must_give_a_gphc_number(role):
    errors = errors_for("mini-cex", assessor_role=role, assessor_registration_number=None)
    assert "GPhC" in errors["assessor_registration_number"]


@pytest.mark.parametrize(
    ("role", "number", "expected"),
    [("pharmacist", " 2000 009 ", "2000009"), ("pharmacy-technician", "5012345", "5012345")],
)
def test_the_assessor_registration_number_number_is_normalised(role, number, expected):
    values = clean_answers(
        MINI_CEX,
        valid_answers("mini-cex", assessor_role=role, assessor_registration_number=number),
        today=TODAY,
    )
    assert values["assessor_registration_number"] == expected


@pytest.mark.parametrize(
    ("role", "number", "message"),
    [
        ("pharmacist", "5012345", "pharmacy technician number"),
        ("pharmacy-technician", "2000009", "pharmacist number"),
        ("pharmacist", "123", "7 digits"),
        ("pharmacist", "1234567", "start with 2"),
    ],
)
def test_a_gphc_number_from_the_wrong_register_or_badly_formed_is_refused(role, number, message):
    errors = errors_for("dops", assessor_role=role, assessor_registration_number=number)
    assert message in errors["assessor_registration_number"]


def test_assessors_without_a_register_need_no_number_and_any_given_is_not_kept():
    values = clean_answers(
        DOPS,
        valid_answers("dops", assessor_role="other", assessor_registration_number="junk"),
        today=TODAY,
    )
    assert "assessor_registration_number" not in values


def test_the_assessor_cannot_complete_the_form_before_the_activity():
    errors = errors_for("consultation-observation", assessed_on="2025-05-19")
    assert errors == {"assessed_on": "The assessor cannot complete the form before the activity"}


def test_clean_answers_raises_with_every_field_error():
    with pytest.raises(FormInvalid) as caught:
        clean_answers(DOPS, {"title": "Inhaler check"}, today=TODAY)
    assert caught.value.field == "occurred_on"
    assert {"procedure", "complexity", "assessor_name"} <= set(caught.value.errors)


# --- Observations: the judgement, the assessor's register, the rated levels -------------


def test_an_observed_type_without_a_form_of_its_own_gets_the_observation_form():
    assert form_for("work-based-observation", observed=True) is OBSERVATION
    assert form_for("work-based-observation") is FREE_FORM
    assert form_for("mini-cex", observed=True) is MINI_CEX


@pytest.mark.parametrize("form", [MINI_CEX, DOPS, CONSULTATION_OBSERVATION, OBSERVATION])
def test_every_observation_form_names_its_assessor_and_asks_for_an_overall_judgement(form):
    names = {spec.name for spec in form.fields}
    assert {"assessor_name", "assessor_role", "assessor_registration_number"} <= names
    assert form.field("overall_judgement").required
    assert [c.value for c in form.field("overall_judgement").choices] == ["below", "at", "above"]


def test_a_case_based_discussion_names_its_assessor_but_is_not_judged_as_an_observation():
    names = {spec.name for spec in CASE_BASED_DISCUSSION.fields}
    assert "assessor_name" in names
    assert "overall_judgement" not in names


@pytest.mark.parametrize(
    ("role", "number", "expected"),
    [("doctor", " 1234 567 ", "1234567"), ("nurse", "12a3456e", "12A3456E")],
)
def test_gmc_and_nmc_numbers_are_kept_in_their_registers_shape(role, number, expected):
    values = clean_answers(
        MINI_CEX,
        valid_answers("mini-cex", assessor_role=role, assessor_registration_number=number),
        today=TODAY,
    )
    assert values["assessor_registration_number"] == expected


@pytest.mark.parametrize(
    ("role", "number", "message"),
    [
        ("doctor", "123456", "A GMC reference number is 7 digits"),
        ("doctor", "12345678", "A GMC reference number is 7 digits"),
        ("nurse", "1234567", "An NMC PIN is 8 characters"),
        ("nurse", "12A3456", "An NMC PIN is 8 characters"),
        ("doctor", None, "Enter the assessor's GMC number: doctors have one"),
        ("nurse", None, "Enter the assessor's NMC number: nurses have one"),
    ],
)
def test_a_gmc_or_nmc_number_of_the_wrong_shape_or_missing_is_refused(role, number, message):
    errors = errors_for(
        "consultation-observation", assessor_role=role, assessor_registration_number=number
    )
    assert message in errors["assessor_registration_number"]


def _consultation(rating: str, weakest: str | None = None, judgement: str = "at") -> dict:
    answers = valid_answers("consultation-observation", overall_judgement=judgement)
    for key, _title, _items in MRCF_SECTIONS:
        answers[f"{key}_rating"] = rating
    if weakest is not None:
        answers["closing_rating"] = weakest
    return clean_answers(CONSULTATION_OBSERVATION, answers, today=TODAY)


@pytest.mark.parametrize(
    ("rating", "weakest", "level"),
    [("4", None, 1), ("5", None, 2), ("5", "4", 1), ("4", "3", 0), ("5", "1", 0)],
)
def test_an_observations_rating_level_is_its_weakest_area(rating, weakest, level):
    assessment = assessment_of(CONSULTATION_OBSERVATION, _consultation(rating, weakest))
    assert assessment == Assessment("at", level)


def test_a_rating_of_unable_to_comment_rates_nothing():
    answers = valid_answers(
        "mini-cex", rating_overall="unable-to-comment", rating_communication="6"
    )
    values = clean_answers(MINI_CEX, answers, today=TODAY)
    assert assessment_of(MINI_CEX, values).rating_level == 1  # the other areas are at 4


@pytest.mark.parametrize(("judgement", "level"), [("below", 0), ("at", 1), ("above", 2)])
def test_an_observation_without_rated_areas_reaches_the_level_of_its_judgement(judgement, level):
    values = clean_answers(
        OBSERVATION,
        valid_answers("work-based-observation", overall_judgement=judgement),
        today=TODAY,
    )
    assert assessment_of(OBSERVATION, values) == Assessment(judgement, level)


def test_free_form_and_reflective_answers_carry_no_assessment():
    values = clean_answers(REFLECTIVE, valid_answers("reflective-account"), today=TODAY)
    assert assessment_of(REFLECTIVE, values) == Assessment(None, None)


def test_an_older_versions_gphc_number_reads_under_todays_name():
    fields = with_current_names({"assessor_gphc": "2000009", "assessor_name": "A Pharmacist"})
    assert fields == {"assessor_registration_number": "2000009", "assessor_name": "A Pharmacist"}
