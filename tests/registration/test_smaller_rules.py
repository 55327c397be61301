"""Issue 15.7, the smaller rules, each at its boundary through the service and the page:
a mid-week training start, ASCII-only GPhC numbers, an expiry at most 13 months after the
registration year's start, protected learning time short of the 28 days, the older
two-part Level 3 route, and an "other" Level 3 qualification's reason and flag."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.registration import Registration
from app.services.calendar_months import add_months
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.pathway import training_log
from app.services.pathway.eligibility import (
    WeeklyLog,
    assess_training_eligibility,
    days_trained_in_week,
    weekly_supervised_minimum,
)
from app.services.pathway.programme_status import (
    ProgrammeStatusChange,
    expected_protected_days,
    programme_warnings,
    update_programme_status,
)
from app.services.pathway.training_declaration import declare_training
from app.services.registration.gphc import normalise_gphc_number, record_number_for
from app.services.registration.qualifications import (
    QualificationDetails,
    qualification_for,
    save_qualification,
    verify_qualification,
)
from app.services.registration.records import (
    RegistrationDetails,
    final_signoff_prerequisites,
    record_registration,
    registration_history,
)
from app.services.registration.rules import expiry_year_problem
from app.services.supervision.enrolments import active_enrolment
from tests.registration.conftest import technician_details
from tests.registration.page_helpers import (
    CURRENT_EXPIRY,
    REGISTERED_ON,
    TODAY,
    audit_count,
    date_fields,
    monday,
    page,
    text,
)

DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)

# --- A training start mid-week ---------------------------------------------------------------

WEDNESDAY_START = date(2024, 6, 5)
ITS_MONDAY = date(2024, 6, 3)


@pytest.mark.parametrize(
    ("training_start", "days", "minimum"),
    [
        pytest.param(ITS_MONDAY, 7, Decimal(14), id="monday-start-whole-week"),
        pytest.param(WEDNESDAY_START, 5, Decimal(10), id="wednesday-start-5-days"),
        pytest.param(ITS_MONDAY + 6 * DAY, 1, Decimal(2), id="sunday-start-1-day"),
        pytest.param(ITS_MONDAY + WEEK, 0, Decimal(0), id="week-ends-before-start"),
    ],
)
def test_the_start_week_counts_its_days_from_the_start_and_its_minimum_is_pro_rata(
    training_start: date, days: int, minimum: Decimal
) -> None:
    assert days_trained_in_week(ITS_MONDAY, training_start) == days
    if days:
        assert weekly_supervised_minimum(ITS_MONDAY, training_start) == minimum


def _assess(*logs: WeeklyLog):
    return assess_training_eligibility(
        WEDNESDAY_START, list(logs), course_start=None, today=date(2024, 7, 1)
    )


@pytest.mark.parametrize(
    ("supervised", "counted"),
    [pytest.param("9.99", False, id="below-pro-rata"), pytest.param("10", True, id="pro-rata")],
)
def test_a_mid_week_start_counts_that_weeks_hours_when_the_pro_rata_minimum_is_met(
    supervised: str, counted: bool
) -> None:
    result = _assess(WeeklyLog(ITS_MONDAY, 21, Decimal(supervised)))
    assert result.counted_hours == (21 if counted else 0)
    assert result.training_years[0].counted_hours == (21 if counted else 0)
    if not counted:
        (week,) = result.not_counted
        assert week.reason == (
            "9.99 supervised hours, fewer than 10 from the training start on 5 June 2024"
        )


def test_the_week_before_the_start_week_is_still_not_counted() -> None:
    result = _assess(WeeklyLog(ITS_MONDAY - WEEK, 35, 20), WeeklyLog(ITS_MONDAY + WEEK, 35, 14))
    assert [w.reason for w in result.not_counted] == ["Before the training start"]
    assert result.counted_hours == 35


def test_the_training_page_counts_the_start_week(trainee, as_user) -> None:
    start = monday(TODAY) - 3 * WEEK + 2 * DAY  # a Wednesday
    training_log.set_training_start(trainee, start, actor=trainee, today=TODAY)
    training_log.import_weeks(
        trainee,
        [
            training_log.WeekEntry(monday(start), Decimal(21), Decimal(10), "Sam"),
            training_log.WeekEntry(monday(start) + WEEK, Decimal(35), Decimal("13.5"), "Sam"),
        ],
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    soup = page(as_user(trainee).get("/registration/training"))
    rows = soup.select("#weeks-table tbody tr")
    counted = [row.select("td")[4].get_text(" ", strip=True) for row in rows]
    assert counted == ["No: 13.5 supervised hours, fewer than 14", "Yes"]


def test_a_declaration_from_a_mid_week_start_counts_and_locks_the_start_week(
    trainee, supervisor
) -> None:
    start = monday(TODAY) - 3 * WEEK + 2 * DAY  # a Wednesday
    training_log.set_training_start(trainee, start, actor=trainee, today=TODAY)
    training_log.import_weeks(
        trainee,
        [
            training_log.WeekEntry(monday(start), Decimal(21), Decimal(10), "Sam"),
            training_log.WeekEntry(monday(start) + WEEK, Decimal(35), Decimal(14), "Sam"),
        ],
        actor=trainee,
        today=TODAY,
    )
    declaration = declare_training(
        trainee,
        actor=supervisor,
        period_start=start,
        period_end=monday(start) + WEEK + 6 * DAY,
        confirmed=True,
        today=TODAY,
    )
    assert declaration.counted_hours == 56
    entry = training_log.WeekEntry(monday(start), Decimal(20), Decimal(10), "Sam")
    with pytest.raises(DomainError, match="can no longer be changed"):
        training_log.log_week(trainee, entry, actor=trainee, today=TODAY)


# --- GPhC numbers: ASCII digits only ---------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("5\u0660\u0661\u0662\u0663\u0664\u0665", id="arabic-indic-digits"),
        pytest.param("\u0665\u0660\u0661\u0662\u0663\u0664\u0665", id="arabic-indic-first"),
        pytest.param("\uff15\uff10\uff11\uff12\uff13\uff14\uff15", id="fullwidth-digits"),
        pytest.param("5\u09e6\u09e7\u09e8\u09e9\u09ea\u09eb", id="bengali-digits"),
    ],
)
def test_a_gphc_number_with_digits_other_than_0_to_9_is_refused(trainee, number: str) -> None:
    with pytest.raises(DomainError, match="7 digits"):
        normalise_gphc_number(number)
    with pytest.raises(DomainError) as caught:
        record_registration(trainee, technician_details(number=number), actor=trainee)
    db.session.rollback()
    assert caught.value.field == "number"
    assert (
        db.session.scalars(select(Registration).where(Registration.user_id == trainee.id)).all()
        == []
    )


def test_a_gphc_number_of_ascii_digits_is_accepted() -> None:
    assert normalise_gphc_number("5012345") == "5012345"


def test_the_registration_form_refuses_fullwidth_digits_and_saves_nothing(trainee, as_user):
    client = as_user(trainee)
    before = audit_count()
    response = client.post(
        "/registration/details",
        data={
            "register": "pharmacy-technician",
            "status": "registered",
            "number": "\uff15\uff10\uff11\uff12\uff13\uff14\uff15",
            **date_fields("registered_on", REGISTERED_ON),
            **date_fields("expires_on", CURRENT_EXPIRY),
        },
    )
    soup = page(response)
    assert "A GPhC registration number is 7 digits" in text(soup, ".nhsuk-error-summary")
    assert audit_count() == before
    assert (
        db.session.scalars(select(Registration).where(Registration.user_id == trainee.id)).all()
        == []
    )


# --- An expiry at most 13 months after the registration year's start --------------------------

RULE_TODAY = date(2026, 1, 10)


@pytest.mark.parametrize(
    ("registered_on", "renewed_on", "expires_on", "refused"),
    [
        pytest.param(date(2025, 1, 15), None, date(2026, 2, 15), False, id="joined-13-months"),
        pytest.param(date(2025, 1, 15), None, date(2026, 2, 16), True, id="joined-13-months-1-day"),
        pytest.param(date(2020, 3, 1), date(2025, 3, 1), date(2026, 4, 1), False, id="renewed-13"),
        pytest.param(
            date(2020, 3, 1), date(2025, 3, 1), date(2026, 4, 2), True, id="renewed-13-and-1-day"
        ),
        pytest.param(date(2020, 3, 1), date(2025, 1, 31), date(2026, 2, 28), False, id="month-end"),
        pytest.param(date(2020, 3, 1), date(2025, 1, 31), date(2026, 3, 1), True, id="month-end-1"),
        # Joined more than 13 months ago and no renewal date: the current year is unknown.
        pytest.param(date(2020, 3, 1), None, date(2026, 4, 2), False, id="joined-long-ago"),
    ],
)
def test_an_expiry_more_than_13_months_after_the_year_began_is_refused(
    registered_on: date, renewed_on: date | None, expires_on: date, refused: bool
) -> None:
    problem = expiry_year_problem(registered_on, renewed_on, expires_on, today=RULE_TODAY)
    assert (problem is not None) is refused


def test_the_refusal_names_the_dates_and_what_to_do() -> None:
    problem = expiry_year_problem(date(2025, 1, 15), None, date(2026, 2, 16), today=RULE_TODAY)
    assert problem == (
        "The expiry date, 16 February 2026, is more than 13 months after you joined the "
        "register on 15 January 2025: a registration year ends by 15 February 2026; if you "
        "have renewed since, enter the date of that renewal"
    )


def _recently_joined() -> date:
    """A registration day (the 1st) within the last month."""
    return uk_today().replace(day=1)


def _own_registrations(person) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.user_id == person.id)))


@pytest.mark.parametrize(("extra_days", "refused"), [(0, False), (1, True)])
def test_recording_an_expiry_13_months_after_joining_and_a_day_more(
    trainee, extra_days: int, refused: bool
) -> None:
    joined = _recently_joined()
    expires_on = add_months(joined, 13) + timedelta(days=extra_days)
    details = technician_details(registered_on=joined, expires_on=expires_on)
    if not refused:
        assert record_registration(trainee, details, actor=trainee).expires_on == expires_on
        return
    with pytest.raises(DomainError, match="more than 13 months after you joined") as caught:
        record_registration(trainee, details, actor=trainee)
    db.session.rollback()
    assert caught.value.field == "expires_on"
    assert _own_registrations(trainee) == []


@pytest.mark.parametrize(("extra_days", "refused"), [(0, False), (1, True)])
def test_a_number_recorded_with_its_dates_keeps_the_13_month_rule(
    make_user, extra_days: int, refused: bool
) -> None:
    person = make_user(roles=("supervisor",))
    joined = _recently_joined()
    expires_on = add_months(joined, 13) + timedelta(days=extra_days)
    if not refused:
        row = record_number_for(
            person, "2012345", actor=None, registered_on=joined, expires_on=expires_on
        )
        assert row.expires_on == expires_on
        return
    with pytest.raises(DomainError, match="more than 13 months after you joined"):
        record_number_for(
            person, "2012345", actor=None, registered_on=joined, expires_on=expires_on
        )


def test_a_renewal_date_sets_the_start_of_the_year(trainee) -> None:
    joined = date(2019, 3, 1)
    renewed = _recently_joined()
    details = RegistrationDetails(
        "pharmacy-technician", "registered", "5012345", joined, add_months(renewed, 13), renewed
    )
    assert record_registration(trainee, details, actor=trainee).renewed_on == renewed
    too_late = RegistrationDetails(
        "pharmacy-technician",
        "registered",
        "5012345",
        joined,
        add_months(renewed, 13) + DAY,
        renewed,
    )
    with pytest.raises(DomainError, match="more than 13 months after your last renewal"):
        record_registration(trainee, too_late, actor=trainee)


def test_a_renewal_before_joining_is_refused(trainee) -> None:
    details = RegistrationDetails(
        "pharmacy-technician",
        "registered",
        "5012345",
        date(2019, 3, 1),
        CURRENT_EXPIRY,
        date(2019, 2, 1),
    )
    with pytest.raises(DomainError, match="after the date you joined") as caught:
        record_registration(trainee, details, actor=trainee)
    assert caught.value.field == "renewed_on"


def test_the_registration_form_refuses_an_expiry_a_day_too_late_and_saves_nothing(trainee, as_user):
    joined = _recently_joined()
    client = as_user(trainee)
    before = audit_count()
    form = {
        "register": "pharmacy-technician",
        "status": "registered",
        "number": "5012345",
        **date_fields("registered_on", joined),
        **date_fields("expires_on", add_months(joined, 13) + DAY),
    }
    soup = page(client.post("/registration/details", data=form))
    assert "is more than 13 months after you joined the register" in text(
        soup, ".nhsuk-error-summary"
    )
    assert "more than 13 months" in text(soup, "#expires_on-error")
    assert audit_count() == before
    assert _own_registrations(trainee) == []

    form |= date_fields("registered_on", date(2019, 3, 1))
    form |= date_fields("renewed_on", joined)
    form |= date_fields("expires_on", add_months(joined, 13))
    assert client.post("/registration/details", data=form).status_code == 302
    assert registration_history(trainee.id)[0].renewed_on == joined


# --- Protected learning time: 28 days planned, and used by the expected point -----------------

PLT_START = date(2025, 1, 1)
PLT_END = date(2025, 10, 8)  # 280 days later: halfway on day 140, 19 May 2025
HALFWAY = PLT_START + timedelta(days=140)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (PLT_START - DAY, Decimal(0)),
        (PLT_START, Decimal(0)),
        (PLT_START + DAY, Decimal("0.1")),  # 28 / 280 a day, rounded down
        (HALFWAY, Decimal(14)),
        (PLT_END - DAY, Decimal("27.9")),
        (PLT_END, Decimal(28)),
        (PLT_END + WEEK, Decimal(28)),
    ],
)
def test_the_days_expected_by_now_follow_a_straight_line_to_28(today, expected) -> None:
    assert expected_protected_days(PLT_START, PLT_END, today, 28) == expected


def _programme(enrolment, lead, *, used: str = "0", planned: str | None = None):
    update_programme_status(
        enrolment,
        ProgrammeStatusChange("in-progress", Decimal("0.8"), used, "arrs", "5", planned),
        actor=lead,
    )
    db.session.commit()


@pytest.mark.parametrize(("used", "warned"), [("27", True), ("27.9", True), ("28", False)])
def test_fewer_than_28_days_used_by_the_expected_end_is_warned_about(
    trainee, lead, used: str, warned: bool
) -> None:
    enrolment = active_enrolment(trainee.id)
    _programme(enrolment, lead, used=used)
    warnings = programme_warnings(enrolment, enrolment.expected_end_on)
    end = f"{enrolment.expected_end_on.day} {enrolment.expected_end_on:%B %Y}"
    expected = [
        f"{used} protected learning days used: fewer than the 28 days by the expected end on {end}"
    ]
    assert warnings == (expected if warned else [])


@pytest.mark.parametrize(("used", "warned"), [("13.9", True), ("14", False)])
def test_fewer_days_used_than_expected_halfway_is_warned_about(
    trainee, lead, used: str, warned: bool
) -> None:
    enrolment = active_enrolment(trainee.id)
    _programme(enrolment, lead, used=used)
    halfway = enrolment.started_on + (enrolment.expected_end_on - enrolment.started_on) / 2
    assert expected_protected_days(
        enrolment.started_on, enrolment.expected_end_on, halfway, 28
    ) == Decimal(14)
    warnings = programme_warnings(enrolment, halfway)
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].startswith(
            "13.9 protected learning days used: fewer than the 14 expected by now"
        )


@pytest.mark.parametrize(("planned", "warned"), [("27", True), ("28", False), (None, False)])
def test_fewer_than_28_days_planned_is_warned_about(
    trainee, lead, planned: str | None, warned: bool
) -> None:
    enrolment = active_enrolment(trainee.id)
    _programme(enrolment, lead, planned=planned)
    warnings = programme_warnings(enrolment, enrolment.started_on)
    expected = ["27 protected learning days planned: fewer than the 28 days the pathway asks for"]
    assert warnings == (expected if warned else [])


def test_an_exempt_trainee_is_not_warned_about_protected_time(trainee, lead) -> None:
    enrolment = active_enrolment(trainee.id)
    _programme(enrolment, lead, planned="10")
    enrolment.pathway_status = "exempt"
    enrolment.exemption_storage_key = "on-file"
    assert programme_warnings(enrolment, enrolment.expected_end_on) == []


def _programme_form(**extra) -> dict:
    return {
        "pathway_status": "in-progress",
        "wte": "0.8",
        "protected_learning_days_used": "0",
        "funding": "arrs",
        "afc_band": "5",
        **extra,
    }


def test_the_programme_page_warns_about_27_planned_days(trainee, lead, as_user) -> None:
    enrolment = active_enrolment(trainee.id)
    client = as_user(lead)
    url = f"/registration/enrolments/{enrolment.id}/programme"
    form = _programme_form(protected_learning_days_planned="27")
    assert client.post(url, data=form).status_code == 302
    soup = page(client.get(url))
    assert "27 protected learning days planned: fewer than the 28 days" in text(
        soup, "#programme-warnings"
    )
    assert enrolment.protected_learning_days_planned == Decimal(27)


def test_the_programme_page_refuses_impossible_planned_days_and_saves_nothing(
    trainee, lead, as_user
) -> None:
    enrolment = active_enrolment(trainee.id)
    client = as_user(lead)
    before = audit_count()
    url = f"/registration/enrolments/{enrolment.id}/programme"
    soup = page(client.post(url, data=_programme_form(protected_learning_days_planned="400")))
    assert "between 0 and 366" in text(soup, "#protected_learning_days_planned-error")
    assert audit_count() == before
    db.session.expire_all()
    assert active_enrolment(trainee.id).protected_learning_days_planned is None


# --- The older two-part Level 3 route ----------------------------------------------------------

TWO_PART = "nvq-pss-and-pharm-science"
COURSE_START = date(2021, 9, 6)
NVQ_ON = date(2023, 6, 30)
SCIENCE_ON = date(2023, 9, 15)


def _two_part(status: str, first: date | None, second: date | None) -> QualificationDetails:
    return QualificationDetails(
        TWO_PART,
        status,
        "City & Guilds",
        started_on=COURSE_START,
        first_part_achieved_on=first,
        second_part_achieved_on=second,
    )


def _save(person, details: QualificationDetails):
    return save_qualification(person, details, actor=person, today=uk_today())


def test_the_two_part_route_is_achieved_when_both_parts_are_on_the_later_date(trainee) -> None:
    saved = _save(trainee, _two_part("achieved", NVQ_ON, SCIENCE_ON)).qualification
    assert (saved.first_part_achieved_on, saved.second_part_achieved_on) == (NVQ_ON, SCIENCE_ON)
    assert saved.achieved_on == SCIENCE_ON


@pytest.mark.parametrize(
    ("first", "second", "field", "missing"),
    [
        (NVQ_ON, None, "second_part_achieved_on", "Level 3 Diploma in Pharmaceutical Science"),
        (None, SCIENCE_ON, "first_part_achieved_on", "NVQ Diploma in Pharmacy Service Skills"),
    ],
)
def test_the_two_part_route_is_not_achieved_with_one_part(
    trainee, first, second, field: str, missing: str
) -> None:
    with pytest.raises(DomainError, match="achieved only when both parts are") as caught:
        _save(trainee, _two_part("achieved", first, second))
    db.session.rollback()
    assert caught.value.field == field
    assert missing in caught.value.message
    assert qualification_for(trainee.id) is None


def test_one_part_achieved_is_recorded_while_the_route_is_in_progress(trainee) -> None:
    saved = _save(trainee, _two_part("in-progress", NVQ_ON, None)).qualification
    assert (saved.status, saved.first_part_achieved_on, saved.achieved_on) == (
        "in-progress",
        NVQ_ON,
        None,
    )
    with pytest.raises(DomainError, match="Both parts are achieved") as caught:
        _save(trainee, _two_part("in-progress", NVQ_ON, SCIENCE_ON))
    assert caught.value.field == "status"


def test_a_part_before_the_course_start_is_refused(trainee) -> None:
    with pytest.raises(DomainError, match="on or after the course start") as caught:
        _save(trainee, _two_part("in-progress", COURSE_START - DAY, None))
    assert caught.value.field == "first_part_achieved_on"


def test_parts_are_not_kept_for_a_one_part_qualification(trainee) -> None:
    details = QualificationDetails(
        "l3-diploma-principles-practice",
        "achieved",
        "Pearson",
        started_on=COURSE_START,
        achieved_on=SCIENCE_ON,
        first_part_achieved_on=NVQ_ON,
    )
    assert _save(trainee, details).qualification.first_part_achieved_on is None


def test_the_final_sign_off_gate_needs_both_parts(trainee, supervisor) -> None:
    saved = _save(trainee, _two_part("achieved", NVQ_ON, SCIENCE_ON)).qualification
    verify_qualification(trainee, saved.id, actor=supervisor, today=uk_today())
    problems = final_signoff_prerequisites(trainee.id, uk_today())
    assert not [p for p in problems if "Level 3" in p or "part" in p]


def test_the_qualification_form_refuses_one_part_and_saves_nothing(trainee, as_user) -> None:
    client = as_user(trainee)
    before = audit_count()
    form = {
        "kind": TWO_PART,
        "status": "achieved",
        "awarding_body": "City & Guilds",
        **date_fields("started_on", COURSE_START),
        **date_fields("first_part_achieved_on", NVQ_ON),
    }
    soup = page(client.post("/registration/qualification", data=form))
    assert "achieved only when both parts are" in text(soup, ".nhsuk-error-summary")
    assert "Pharmaceutical Science" in text(soup, "#second_part_achieved_on-error")
    assert audit_count() == before
    assert qualification_for(trainee.id) is None

    form |= date_fields("second_part_achieved_on", SCIENCE_ON)
    assert client.post("/registration/qualification", data=form).status_code == 302
    soup = page(client.get("/registration/"))
    parts = [text(row, "dd") for row in soup.select("#qualification-summary [data-part]")]
    assert parts == ["Achieved 30 June 2023", "Achieved 15 September 2023"]


# --- An "other" Level 3 qualification: a reason, and a flag until verified -------------------

REASON = "The training hub mapped its units to the Level 3 Diploma in the Principles and Practice."


def _other(justification: str | None) -> QualificationDetails:
    return QualificationDetails(
        "other",
        "achieved",
        "Pearson",
        title="BTEC National Diploma in Pharmaceutical Science",
        started_on=COURSE_START,
        achieved_on=SCIENCE_ON,
        justification=justification,
    )


@pytest.mark.parametrize("justification", [None, "", "   \n  "])
def test_an_other_qualification_needs_a_written_reason(trainee, justification) -> None:
    with pytest.raises(DomainError, match="Explain why this qualification") as caught:
        _save(trainee, _other(justification))
    db.session.rollback()
    assert caught.value.field == "justification"
    assert qualification_for(trainee.id) is None


def test_an_other_qualification_keeps_its_reason(trainee) -> None:
    assert _save(trainee, _other(f"  {REASON} ")).qualification.justification == REASON


def test_a_reason_is_not_kept_for_a_recognised_qualification(trainee) -> None:
    details = QualificationDetails(
        "apprenticeship", "in-progress", "NCFE CACHE", started_on=COURSE_START, justification="x"
    )
    assert _save(trainee, details).qualification.justification is None


def test_the_qualification_form_asks_for_the_reason_and_saves_nothing(trainee, as_user) -> None:
    client = as_user(trainee)
    before = audit_count()
    form = {
        "kind": "other",
        "title": "BTEC National Diploma",
        "status": "in-progress",
        "awarding_body": "Pearson",
        **date_fields("started_on", COURSE_START),
    }
    soup = page(client.post("/registration/qualification", data=form))
    assert "Explain why this qualification should count" in text(soup, "#justification-error")
    assert audit_count() == before
    assert qualification_for(trainee.id) is None


def _dashboard_flags(client, name: str) -> list[str]:
    soup = page(client.get("/lead/dashboard"))
    row = soup.select_one(f'#trainees tr:-soup-contains("{name}")')
    return [li.get_text(strip=True) for li in row.select(".app-flag-list li")]


def test_the_lead_dashboard_flags_an_other_qualification_until_it_is_verified(
    trainee, supervisor, lead, as_user
) -> None:
    flag = "Other Level 3 qualification not yet verified"
    client = as_user(lead)
    assert flag not in _dashboard_flags(client, trainee.name)
    saved = _save(trainee, _other(REASON)).qualification
    db.session.commit()
    assert flag in _dashboard_flags(client, trainee.name)
    soup = page(client.get(f"/registration/people/{trainee.id}"))
    assert text(soup, "#qualification-justification") == REASON

    verify_qualification(trainee, saved.id, actor=supervisor, today=uk_today())
    db.session.commit()
    assert flag not in _dashboard_flags(client, trainee.name)


def test_a_recognised_qualification_is_not_flagged_before_verification(
    trainee, lead, as_user
) -> None:
    _save(trainee, _two_part("in-progress", NVQ_ON, None))
    db.session.commit()
    assert "Other Level 3 qualification not yet verified" not in _dashboard_flags(
        as_user(lead), trainee.name
    )
