"""The registration pages: the person's own page, verifying, Level 3 and the training log,
and queries that do not grow with what is shown."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from app.extensions import db
from app.services.accounts import users as accounts
from app.services.pathway import training_log
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.registration.revalidation import RecordInput, add_record
from app.services.supervision import enrolments
from app.services.supervision.access import SELF_SUPERVISION
from tests.registration.conftest import HTML, PDF
from tests.registration.page_helpers import (
    CURRENT_EXPIRY,
    REGISTERED_ON,
    TODAY,
    audit_count,
    date_fields,
    monday,
    page,
    registered,
    text,
)

# --- The trainee's own page ------------------------------------------------------------------


def test_the_trainee_sees_their_flag_in_words(trainee, as_user):
    registered(trainee)
    soup = page(as_user(trainee).get("/registration/"))
    assert text(soup, "#registration-flag").startswith("Current Not verified")
    assert text(soup, "#registration-verification") == "Not yet verified against the register"
    assert text(soup, "#registration-number") == "5012345"


def test_an_expired_registration_says_so(trainee, as_user):
    registered(trainee, expires_on=TODAY - timedelta(days=1))
    soup = page(as_user(trainee).get("/registration/"))
    assert text(soup, "#registration-flag").startswith("Expired")


def test_recording_a_number_with_spaces_through_the_form(trainee, as_user):
    client = as_user(trainee)
    response = client.post(
        "/registration/details",
        data={
            "register": "pharmacy-technician",
            "status": "registered",
            "number": "501 2345",
            **date_fields("registered_on", REGISTERED_ON),
            **date_fields("expires_on", CURRENT_EXPIRY),
        },
    )
    assert response.status_code == 302
    assert registration.registration_history(trainee.id)[0].number == "5012345"


def test_a_pharmacist_number_shows_the_error_summary_and_the_message_inline(trainee, as_user):
    client = as_user(trainee)
    before = audit_count()
    response = client.post(
        "/registration/details",
        data={
            "register": "pharmacy-technician",
            "status": "registered",
            "number": "2012345",
            **date_fields("registered_on", REGISTERED_ON),
            **date_fields("expires_on", CURRENT_EXPIRY),
        },
    )
    soup = page(response)
    assert "pharmacist number" in text(soup, ".nhsuk-error-summary")
    assert "start with 5" in text(soup, "#number-error")
    assert soup.title.get_text().startswith("Error:")
    assert audit_count() == before


def test_history_shows_each_change(trainee, supervisor, as_user):
    registered(trainee, verified_by=supervisor)
    registered(trainee, expires_on=CURRENT_EXPIRY + timedelta(days=60))
    soup = page(as_user(trainee).get("/registration/"))
    rows = soup.select("#registration-history tbody tr")
    assert len(rows) == 2
    assert "Not verified" in rows[0].get_text()
    assert "Sam Supervisor" in rows[1].get_text()


# --- Verifying: who may ------------------------------------------------------------------------


def test_the_supervisor_verifies_and_the_page_says_who_and_when(trainee, supervisor, as_user):
    row = registered(trainee)
    client = as_user(supervisor)
    soup = page(client.get(f"/registration/people/{trainee.id}"))
    assert soup.select_one("#verify-registration-form") is not None
    response = client.post(
        f"/registration/people/{trainee.id}/registration/verify", data={"record_id": row.id}
    )
    assert response.status_code == 302
    soup = page(client.get(f"/registration/people/{trainee.id}"))
    assert text(soup, "#registration-verification") == (
        f"Verified against the register on {TODAY.day} {TODAY:%B %Y} by Sam Supervisor"
    )
    assert soup.select_one("#verify-registration-form") is None


def test_a_trainee_cannot_verify_their_own_registration(trainee, as_user):
    row = registered(trainee)
    client = as_user(trainee)
    before = audit_count()
    response = client.post(
        f"/registration/people/{trainee.id}/registration/verify", data={"record_id": row.id}
    )
    assert response.status_code == 403
    assert audit_count() == before


def test_a_trainee_who_is_also_a_supervisor_cannot_verify_themself(
    make_user, practice, framework, supervisor, as_user
):
    person = make_user(roles=("trainee", "supervisor"), org=practice)
    enrolments.enrol(person, framework, supervisor=supervisor)
    db.session.commit()
    row = registered(person)
    client = as_user(person)
    before = audit_count()
    response = client.post(
        f"/registration/people/{person.id}/registration/verify", data={"record_id": row.id}
    )
    assert response.status_code == 403
    summary = BeautifulSoup(response.data, "html.parser").select_one(".nhsuk-error-summary")
    assert SELF_SUPERVISION in summary.get_text(" ", strip=True)
    assert registration.registration_history(person.id)[0].verified_by_id is None
    assert audit_count() == before
    # Their own records through the oversight pages: the same refusal.
    assert client.get(f"/registration/people/{person.id}").status_code == 403


@pytest.mark.parametrize("who", ["outside_lead", "other_supervisor"])
def test_people_who_do_not_oversee_the_trainee_get_404(trainee, as_user, request, who):
    row = registered(trainee)
    client = as_user(request.getfixturevalue(who))
    for url in (
        f"/registration/people/{trainee.id}",
        f"/registration/people/{trainee.id}/training",
        f"/registration/people/{trainee.id}/revalidation",
        f"/registration/people/{trainee.id}/revalidation/print",
        f"/registration/people/{trainee.id}/qualification/certificate",
    ):
        assert client.get(url).status_code == 404, url
    before = audit_count()
    response = client.post(
        f"/registration/people/{trainee.id}/registration/verify", data={"record_id": row.id}
    )
    assert response.status_code == 404
    assert audit_count() == before


def test_a_lead_in_the_subtree_sees_and_verifies(trainee, lead, as_user):
    row = registered(trainee)
    client = as_user(lead)
    assert client.get(f"/registration/people/{trainee.id}").status_code == 200
    client.post(
        f"/registration/people/{trainee.id}/registration/verify", data={"record_id": row.id}
    )
    assert registration.registration_history(trainee.id)[0].verified_by_id == lead.id


# --- Level 3 and its certificate ------------------------------------------------------------


def qualification_form(**extra) -> dict:
    return {
        "kind": "l3-diploma-principles-practice",
        "awarding_body": "Pearson",
        "status": "achieved",
        **date_fields("started_on", date(TODAY.year - 3, 9, 1)),
        **date_fields("achieved_on", date(TODAY.year - 1, 7, 1)),
        **extra,
    }


def test_a_certificate_is_uploaded_and_downloaded_as_an_attachment(trainee, supervisor, as_user):
    client = as_user(trainee)
    response = client.post(
        "/registration/qualification",
        data=qualification_form(certificate=(io.BytesIO(PDF), "../../My cert.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    soup = page(client.get("/registration/"))
    assert "Download My cert.pdf" in text(soup, "#certificate")

    for viewer, url in (
        (client, "/registration/qualification/certificate"),
        (as_user(supervisor), f"/registration/people/{trainee.id}/qualification/certificate"),
    ):
        download = viewer.get(url, buffered=True)
        assert download.status_code == 200
        assert download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert "My cert.pdf" in download.headers["Content-Disposition"]
        assert download.headers["Content-Type"] == "application/pdf"
        assert "no-store" in download.headers["Cache-Control"]
        download.close()


def test_a_certificate_that_is_really_html_is_refused_on_the_page(trainee, as_user):
    response = as_user(trainee).post(
        "/registration/qualification",
        data=qualification_form(certificate=(io.BytesIO(HTML), "certificate.pdf")),
        content_type="multipart/form-data",
    )
    soup = page(response)
    assert "cannot be attached" in text(soup, "#certificate-error")
    assert qualifications.qualification_for(trainee.id) is None


def test_without_a_certificate_the_download_explains(trainee, as_user):
    client = as_user(trainee)
    response = client.get("/registration/qualification/certificate")
    assert response.status_code == 302
    assert "No certificate" in page(client.get("/registration/")).get_text()


def test_the_supervisor_verifies_the_qualification(trainee, supervisor, as_user):
    as_user(trainee).post("/registration/qualification", data=qualification_form())
    qualification = qualifications.qualification_for(trainee.id)
    client = as_user(supervisor)
    client.post(
        f"/registration/people/{trainee.id}/qualification/verify",
        data={"record_id": qualification.id},
    )
    soup = page(client.get(f"/registration/people/{trainee.id}"))
    assert text(soup, "#qualification-verification").startswith("Verified on")


# --- Training log and eligibility ------------------------------------------------------------


def test_the_eligibility_panel_shows_each_rule_with_its_numbers(trainee, as_user):
    start = monday(TODAY - timedelta(days=800))
    training_log.set_training_start(trainee, start, actor=trainee, today=TODAY)
    weeks = [
        training_log.WeekEntry(start + timedelta(weeks=n), Decimal(30), Decimal(20), "Sam")
        for n in range(20)
    ]
    weeks.append(
        training_log.WeekEntry(start + timedelta(weeks=20), Decimal(30), Decimal("13.5"), "Sam")
    )
    training_log.import_weeks(trainee, weeks, actor=trainee, today=TODAY)
    db.session.commit()
    soup = page(as_user(trainee).get("/registration/training"))
    assert text(soup, "#eligibility-summary").startswith("Not yet eligible")
    rules = {row["data-rule"]: row for row in soup.select("#eligibility-rules tbody tr")}
    total = " ".join(rules["total-hours"].get_text(" ", strip=True).split())
    assert total == "At least 1,260 hours in total Not yet met 600 of 1,260 hours"
    assert "Met" in rules["minimum-period"].get_text()
    assert "Not yet met" in rules["year-2-hours"].get_text()
    assert "13.5 supervised hours, fewer than 14" in text(soup, "#uncounted-weeks")
    assert len(soup.select("#weeks-table tbody tr")) == 21


def test_logging_a_week_through_the_form(trainee, as_user):
    client = as_user(trainee)
    week = monday(TODAY) - timedelta(weeks=1)
    response = client.post(
        "/registration/training/weeks",
        data={
            **date_fields("week_starting", week),
            "hours": "37.5",
            "supervised_hours": "20",
            "supervisor_name": "Sam Supervisor",
        },
    )
    assert response.status_code == 302
    assert training_log.weeks_for(trainee.id)[0].hours == Decimal("37.5")


def test_a_week_not_starting_on_monday_is_explained(trainee, as_user):
    response = as_user(trainee).post(
        "/registration/training/weeks",
        data={
            **date_fields("week_starting", monday(TODAY) - timedelta(days=5)),
            "hours": "35",
            "supervised_hours": "20",
            "supervisor_name": "Sam",
        },
    )
    soup = page(response)
    assert "Weeks start on a Monday" in text(soup, ".nhsuk-error-summary")


def test_the_clinical_supervisor_signs_the_declaration(trainee, supervisor, lead, as_user):
    start = monday(TODAY - timedelta(days=100))
    training_log.set_training_start(trainee, start, actor=trainee, today=TODAY)
    training_log.log_week(
        trainee,
        training_log.WeekEntry(start, Decimal(35), Decimal(20), "Sam"),
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    form = {
        **date_fields("period_start", start),
        **date_fields("period_end", start + timedelta(days=6)),
        "confirm": "y",
    }
    url = f"/registration/people/{trainee.id}/training/declaration"
    assert as_user(lead).post(url, data=form).status_code == 403
    client = as_user(supervisor)
    soup = page(client.get(f"/registration/people/{trainee.id}/training"))
    assert soup.select_one("#declaration-form") is not None
    assert client.post(url, data=form).status_code == 302
    soup = page(as_user(trainee).get("/registration/training"))
    statement = text(soup, "[data-declaration]")
    assert "Sam Supervisor, a registered pharmacist, declare that Taylor Trainee" in statement
    assert "GPhC 2000001" in statement


# --- Queries that do not grow with the rows shown ----------------------------------------------


def _people_page_queries(make_trainee, supervisor, as_user, count_queries, n):
    for _ in range(n):
        person = make_trainee()
        registered(person)
        qualifications.save_qualification(
            person,
            qualifications.QualificationDetails(
                "apprenticeship", "enrolled", "NCFE CACHE", started_on=TODAY
            ),
            actor=person,
            today=TODAY,
        )
        db.session.commit()
    client = as_user(supervisor)
    client.get("/registration/people")
    with count_queries() as queries:
        soup = page(client.get("/registration/people"))
    return queries.count, len(soup.select("#people-table tbody tr"))


def test_the_people_list_takes_the_same_queries_for_2_or_7_people(
    make_trainee, supervisor, as_user, count_queries
):
    few, shown_few = _people_page_queries(make_trainee, supervisor, as_user, count_queries, 2)
    many, shown_many = _people_page_queries(make_trainee, supervisor, as_user, count_queries, 5)
    assert (shown_few, shown_many) == (2, 7)
    assert few == many


def test_the_overview_takes_the_same_queries_however_much_is_recorded(
    trainee, supervisor, as_user, count_queries
):
    client = as_user(trainee)
    registered(trainee, verified_by=supervisor)
    start = monday(TODAY - timedelta(days=200))
    training_log.set_training_start(trainee, start, actor=trainee, today=TODAY)
    db.session.commit()

    def measure() -> int:
        with count_queries() as queries:
            page(client.get("/registration/"))
        return queries.count

    before = measure()
    for n in range(3):
        registered(
            trainee, expires_on=CURRENT_EXPIRY + timedelta(days=n + 1), verified_by=supervisor
        )
    training_log.import_weeks(
        trainee,
        [
            training_log.WeekEntry(start + timedelta(weeks=n), Decimal(30), Decimal(20), "Sam")
            for n in range(12)
        ],
        actor=trainee,
        today=TODAY,
    )
    for n in range(4):
        add_record(
            trainee,
            RecordInput("cpd-unplanned", f"R{n}", TODAY, {"what_learned": "a b", "benefit": "c d"}),
            actor=trainee,
            today=TODAY,
        )
    db.session.commit()
    assert measure() == before


def test_an_account_without_the_trainee_role_is_not_listed(supervisor, make_user, as_user):
    other = make_user(roles=("supervisor",))
    accounts.set_roles(other, ["supervisor"], actor=other)
    db.session.commit()
    soup = page(as_user(supervisor).get("/registration/people"))
    assert text(soup, "#people-count") == "0 people"


def test_registration_flag_shows_on_the_trainee_home_and_the_supervisors_list(
    app, make_user, make_org, login, framework
):
    from bs4 import BeautifulSoup

    from app.extensions import db
    from app.services.supervision import enrolments

    practice = make_org("Flag Practice")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000777")
    trainee = make_user(roles=("trainee",), org=practice, name="Flag Trainee")
    enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()

    trainee_client = app.test_client()
    login(trainee_client, trainee)
    home = BeautifulSoup(trainee_client.get("/portfolio/").data, "html.parser")
    tag = home.select_one("#registration-status .app-registration-flag")
    assert tag.get_text(strip=True) == "No registration recorded"

    supervisor_client = app.test_client()
    login(supervisor_client, supervisor)
    page = BeautifulSoup(supervisor_client.get("/supervision/").data, "html.parser")
    row = next(tr for tr in page.select("tbody tr") if "Flag Trainee" in tr.get_text())
    assert "No registration recorded" in row.get_text(" ", strip=True)


# --- What the overview offers, as the services decide -----------------------------------------


def _programme_links(soup: BeautifulSoup) -> list[str]:
    return [a["href"] for a in soup.select("#programme-section a")]


def test_only_a_manager_of_the_enrolment_is_offered_its_programme_status(
    trainee, supervisor, lead, as_user
):
    (enrolment,) = enrolments.enrolments_for(trainee.id)
    link = f"/registration/enrolments/{enrolment.id}/programme"
    assert _programme_links(page(as_user(lead).get(f"/registration/people/{trainee.id}"))) == [link]
    assert as_user(lead).get(link).status_code == 200
    as_supervisor = as_user(supervisor)
    assert _programme_links(page(as_supervisor.get(f"/registration/people/{trainee.id}"))) == []
    assert _programme_links(page(as_user(trainee).get("/registration/"))) == []


def test_the_overview_offers_to_verify_only_an_achieved_unverified_qualification(
    trainee, supervisor, as_user
):
    details = qualifications.QualificationDetails(
        "l3-diploma-principles-practice", "in-progress", "Pearson", started_on=date(2024, 9, 2)
    )
    qualifications.save_qualification(trainee, details, actor=trainee, today=TODAY)
    db.session.commit()
    client = as_user(supervisor)
    overview = f"/registration/people/{trainee.id}"
    assert page(client.get(overview)).select_one("#verify-qualification-form") is None
    achieved = qualifications.QualificationDetails(
        "l3-diploma-principles-practice",
        "achieved",
        "Pearson",
        started_on=date(2022, 9, 5),
        achieved_on=date(2024, 7, 1),
    )
    saved = qualifications.save_qualification(trainee, achieved, actor=trainee, today=TODAY)
    db.session.commit()
    soup = page(client.get(overview))
    assert soup.select_one("#verify-qualification-form") is not None
    assert "Principles and Practice" in text(soup, "#qualification-summary")
    qualifications.verify_qualification(
        trainee, saved.qualification.id, actor=supervisor, today=TODAY
    )
    db.session.commit()
    assert page(client.get(overview)).select_one("#verify-qualification-form") is None
