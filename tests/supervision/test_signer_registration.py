"""The signer is checked as strictly as the trainee (issue 15.1): every signature needs the
signer's own GPhC registration on the right register, registered, unexpired on the day and
verified by someone else; refused, it says why and what to do, and nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.registration import Registration
from app.models.reviews import Review
from app.models.signoffs import Completion, SignOff, SignOffRevocation
from app.services.audit.record_checks import verify_records
from app.services.calendar_months import add_months
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration import signers
from app.services.registration.records import RegistrationDetails, record_registration
from app.services.supervision import completion, reviews, signoffs
from tests.registration.page_helpers import date_fields
from tests.supervision.conftest import banners, competency, count, fresh, soup, text_of

TODAY = uk_today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture(autouse=True)
def _today_when_the_test_runs():
    """TODAY as the service sees it while the test runs, not when pytest collected it (a run
    that crosses midnight would otherwise compare two different days)."""
    global TODAY, YESTERDAY
    TODAY = uk_today()
    YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def renew(app, register_checker):
    """renew(person, **changes): a new current registration row (the newest counts)."""

    def make(person, **changes) -> Registration:
        values = {
            "user_id": person.id,
            "register": "pharmacist",
            "number": "2000001",
            "status": "registered",
            "registered_on": date(2015, 1, 15),
            "expires_on": TODAY + timedelta(days=200),
            "verified_by_id": register_checker.id,
            "verified_on": TODAY,
        }
        values.update(changes)
        row = Registration(**values)
        db.session.add(row)
        db.session.commit()
        return row

    return make


def audit_count() -> int:
    return count(AuditEvent)


# --- The rule, at its boundaries ------------------------------------------------------------


def test_a_registration_expiring_today_still_signs_and_one_expired_yesterday_does_not(
    supervisor, renew
):
    renew(supervisor, expires_on=TODAY)
    assert signers.signer_registration_problems(supervisor.id, TODAY) == []
    renew(supervisor, expires_on=YESTERDAY)
    problems = signers.signer_registration_problems(supervisor.id, TODAY)
    assert problems == [f"Your GPhC registration expired on {YESTERDAY.day} {YESTERDAY:%B %Y}"]


def test_an_unverified_registration_cannot_sign(supervisor, renew):
    renew(supervisor, verified_by_id=None, verified_on=None)
    refusal = signers.signer_refusal(supervisor.id, TODAY)
    assert refusal is not None
    assert refusal.reasons == [
        "Your GPhC registration has not been checked on the register by an education lead "
        "or an administrator"
    ]
    assert refusal.next_step == (
        "Ask your education lead or an administrator to check your registration on the GPhC "
        "register and verify it."
    )


def test_a_registration_verified_by_the_signer_themselves_does_not_count(supervisor, renew):
    renew(supervisor, verified_by_id=supervisor.id)
    assert signers.signer_registration_problems(supervisor.id, TODAY) == [
        "Your GPhC registration has not been checked on the register by an education lead "
        "or an administrator"
    ]


def test_no_registration_at_all_says_so_and_what_to_do(make_user):
    nobody = make_user(roles=("supervisor",))
    refusal = signers.signer_refusal(nobody.id, TODAY)
    assert refusal is not None
    assert refusal.reasons == ["No GPhC registration is recorded"]
    assert "record your GPhC registration" in refusal.next_step


@pytest.mark.parametrize(
    ("registers", "blocked"),
    [(signers.SIGN_OFF_REGISTERS, True), (signers.DECLARATION_REGISTERS, False)],
    ids=["sign-off", "declaration"],
)
def test_a_pharmacy_technician_may_sign_the_declaration_but_not_a_sign_off(
    supervisor, renew, registers, blocked
):
    renew(supervisor, register="pharmacy-technician", number="5000123")
    problems = signers.signer_registration_problems(supervisor.id, TODAY, registers)
    assert bool(problems) is blocked
    if blocked:
        assert problems == [
            "Your GPhC registration 5000123 is not on the pharmacist register, "
            "which this signature needs"
        ]


def test_the_refusal_a_lapsed_supervisor_sees_says_why_and_what_to_do(supervisor, renew):
    renew(supervisor, status="lapsed", expires_on=YESTERDAY)
    refusal = signers.signer_refusal(supervisor.id, TODAY)
    assert refusal is not None
    assert refusal.message == (
        "You cannot sign. Your GPhC registration is recorded as lapsed. "
        f"Your GPhC registration expired on {YESTERDAY.day} {YESTERDAY:%B %Y}. "
        "Renew your registration with the GPhC, then ask your education lead or an "
        "administrator to record the renewed registration and verify it on the GPhC register."
    )


# --- Every signature refuses, and writes nothing ---------------------------------------------


def test_a_lapsed_supervisor_cannot_sign_off_and_nothing_is_written(
    enrolment, ready, sign, supervisor, renew
):
    ready(enrolment, "B1")
    renew(supervisor, expires_on=YESTERDAY)
    before = audit_count()
    with pytest.raises(signers.SignerNotRegistered, match="expired on"):
        sign(enrolment, "B1")
    db.session.rollback()
    assert count(SignOff) == 0
    assert audit_count() == before


def test_a_sign_off_on_the_expiry_day_is_allowed(enrolment, ready, sign, supervisor, renew):
    ready(enrolment, "B1")
    renew(supervisor, expires_on=TODAY)
    assert sign(enrolment, "B1").signer_registration["expires_on"] == TODAY.isoformat()


def test_a_lapsed_supervisor_cannot_revoke(enrolment, ready, sign, supervisor, renew):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    renew(supervisor, expires_on=YESTERDAY)
    before = audit_count()
    with pytest.raises(signers.SignerNotRegistered):
        signoffs.revoke(
            record, actor=supervisor, reason="Signed in error", authenticated_at=fresh()
        )
    db.session.rollback()
    assert count(SignOffRevocation) == 0
    assert audit_count() == before


def test_a_lapsed_supervisor_cannot_sign_the_training_complete(
    enrolment, ready, sign, supervisor, renew, registered, qualified
):
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    registered(enrolment.trainee)
    qualified(enrolment.trainee)
    renew(supervisor, verified_by_id=None, verified_on=None)
    before = audit_count()
    with pytest.raises(signers.SignerNotRegistered, match="not been checked on the register"):
        completion.complete(enrolment, signer=supervisor, authenticated_at=fresh(), today=TODAY)
    db.session.rollback()
    assert count(Completion) == 0
    assert audit_count() == before


def test_accepting_an_observed_item_needs_the_reviewers_registration(
    enrolment, submitted, supervisor, renew
):
    observed = submitted(enrolment, "observation", ["B1"])
    renew(supervisor, expires_on=YESTERDAY)
    before = audit_count()
    with pytest.raises(signers.SignerNotRegistered, match="expired on"):
        reviews.record_review(
            observed,
            reviewer=supervisor,
            decision="accepted",
            comment="",
            version_number=observed.current_version_number,
        )
    db.session.rollback()
    assert count(Review) == 0
    assert audit_count() == before


def test_asking_for_changes_or_accepting_unobserved_evidence_needs_no_registration(
    enrolment, submitted, supervisor, renew
):
    observed = submitted(enrolment, "observation", ["B1"])
    reflection = submitted(enrolment, "reflective-account", ["B1"])
    renew(supervisor, expires_on=YESTERDAY)
    reviews.record_review(
        observed,
        reviewer=supervisor,
        decision="changes_requested",
        comment="Add the date of the clinic.",
        version_number=observed.current_version_number,
    )
    reviews.record_review(
        reflection,
        reviewer=supervisor,
        decision="accepted",
        comment="",
        version_number=reflection.current_version_number,
    )
    db.session.commit()
    assert count(Review) == 2


# --- Records keep the registration as it stood --------------------------------------------


def test_a_sign_off_keeps_the_registration_it_was_signed_with(
    enrolment, ready, sign, supervisor, renew
):
    ready(enrolment, "B1")
    signed_with = renew(supervisor, expires_on=TODAY + timedelta(days=30))
    record = sign(enrolment, "B1")
    renew(supervisor, expires_on=TODAY + timedelta(days=395))
    db.session.expire_all()
    kept = db.session.get(SignOff, record.id).signer_registration
    assert kept["id"] == signed_with.id
    assert (kept["register"], kept["number"]) == ("pharmacist", "2000001")
    assert kept["expires_on"] == (TODAY + timedelta(days=30)).isoformat()
    assert record.record_sha256 == signoffs.sign_off_digest(record)
    assert verify_records() == []


def test_the_sign_off_page_shows_the_registration_as_it_stood_when_signed(
    client, login, enrolment, ready, sign, supervisor, renew
):
    ready(enrolment, "B1")
    renew(supervisor, expires_on=TODAY + timedelta(days=30))
    record = sign(enrolment, "B1")
    renew(supervisor, number="2000002", expires_on=TODAY + timedelta(days=395))
    login(client, supervisor)
    page = soup(client.get(f"/supervision/sign-offs/{record.id}"))
    expires = TODAY + timedelta(days=30)
    assert text_of(page, "#sign-off-registration") == (
        f"Pharmacist register, number 2000001, registered, expiring on "
        f"{expires.day} {expires:%B %Y}; verified on {TODAY.day} {TODAY:%B %Y}"
    )


# --- The pages ----------------------------------------------------------------------------


def _sign_off_url(enrolment, code: str) -> str:
    return (
        f"/supervision/enrolments/{enrolment.id}/competencies/"
        f"{competency(enrolment, code).id}/sign-off"
    )


def test_the_sign_off_page_refuses_a_lapsed_supervisor_before_the_form(
    client, login, enrolment, ready, supervisor, renew
):
    ready(enrolment, "B1")
    renew(supervisor, expires_on=YESTERDAY)
    login(client, supervisor)
    page = soup(client.get(_sign_off_url(enrolment, "B1")))
    assert page.select_one("#sign-off-form") is None
    reasons = text_of(page, "#signer-refusal-reasons")
    assert reasons == f"Your GPhC registration expired on {YESTERDAY.day} {YESTERDAY:%B %Y}."
    assert "Renew your registration with the GPhC" in text_of(page, "#signer-refusal-next-step")
    before = audit_count()
    response = client.post(
        _sign_off_url(enrolment, "B1"), data={"outcome": "competent", "comment": "Seen it."}
    )
    assert response.status_code == 200
    assert count(SignOff) == 0
    assert audit_count() == before


def test_the_supervisors_home_flags_their_own_registration(client, login, supervisor, renew):
    renew(supervisor, expires_on=YESTERDAY)
    login(client, supervisor)
    page = soup(client.get("/supervision/"))
    assert "Expired" in text_of(page, "#own-registration")
    assert "expired on" in text_of(page, "#signer-refusal")


def test_the_supervisors_home_shows_renewal_due_without_refusing(client, login, supervisor, renew):
    renew(supervisor, expires_on=TODAY + timedelta(days=40))
    login(client, supervisor)
    page = soup(client.get("/supervision/"))
    assert "Overdue for renewal" in text_of(page, "#own-registration")
    assert page.select_one("#signer-refusal") is None


def test_a_technician_supervisors_home_states_their_role_instead_of_a_refusal(
    client, login, supervisor, renew
):
    renew(supervisor, register="pharmacy-technician", number="5000001")
    login(client, supervisor)
    page = soup(client.get("/supervision/"))
    assert page.select_one("#signer-refusal") is None
    notice = text_of(page, "#technician-signer")
    assert "registered as a pharmacy technician" in notice
    assert "signed by a pharmacist" in notice


def test_a_lapsed_technician_is_still_told_what_stops_them(client, login, supervisor, renew):
    renew(supervisor, register="pharmacy-technician", number="5000001", expires_on=YESTERDAY)
    login(client, supervisor)
    page = soup(client.get("/supervision/"))
    assert page.select_one("#technician-signer") is None
    assert "expired on" in text_of(page, "#signer-refusal")


def test_the_lead_dashboard_does_not_flag_a_technician_whose_registration_stands(
    client, login, make_user, org, enrolment, supervisor, renew
):
    lead = make_user(roles=("lead",), org=org.parent)
    renew(supervisor, register="pharmacy-technician", number="5000001")
    login(client, lead)
    page = soup(client.get("/lead/dashboard"))
    assert page.select("#blocked-signers li") == []


def test_the_lead_dashboard_flags_supervisors_who_cannot_sign(
    client, login, make_user, org, enrolment, supervisor, renew
):
    lead = make_user(roles=("lead",), org=org.parent)
    renew(supervisor, expires_on=YESTERDAY)
    login(client, lead)
    page = soup(client.get("/lead/dashboard"))
    (flagged,) = page.select("#blocked-signers li")
    assert flagged.get_text(strip=True) == (
        f"Priya Shah: Their GPhC registration expired on {YESTERDAY.day} {YESTERDAY:%B %Y}."
    )


def test_the_lead_dashboard_lists_the_first_who_cannot_sign_and_narrows_by_organisation(
    client, login, make_user, make_org, org, enrolment, supervisor, renew, monkeypatch
):
    from app.lead import dashboard

    monkeypatch.setattr(dashboard, "BLOCKED_SIGNERS_LISTED", 2)
    lead = make_user(roles=("lead",), org=org.parent)
    other = make_org("Hillside practice", "practice", org.parent)
    for name, where in (("Amy Able", org), ("Ben Bell", other), ("Cal Cole", other)):
        make_user(roles=("supervisor",), org=where, name=name)  # no registration recorded
    renew(supervisor, expires_on=YESTERDAY)
    login(client, lead)

    page = soup(client.get("/lead/dashboard"))
    names = [li.a.get_text(strip=True) for li in page.select("#blocked-signers li")]
    assert names == ["Amy Able", "Ben Bell"]
    assert "more supervisors in your organisation cannot sign" in text_of(
        page, "#blocked-signers-more"
    )

    # Narrowed to Riverside: its two, nothing left out.
    page = soup(client.get(f"/lead/dashboard?organisation={org.id}"))
    names = [li.a.get_text(strip=True) for li in page.select("#blocked-signers li")]
    assert names == ["Amy Able", "Priya Shah"]
    assert page.select_one("#blocked-signers-more") is None


def test_a_lead_records_and_verifies_a_supervisors_registration(
    client, login, make_user, org, supervisor, renew
):
    lead = make_user(roles=("lead",), org=org.parent, name="Leigh Lead")
    renew(supervisor, expires_on=YESTERDAY)
    login(client, lead)
    url = f"/registration/signers/{supervisor.id}"
    expiry = TODAY + timedelta(days=300)
    response = client.post(
        url,
        data={
            "register": "pharmacist",
            "status": "registered",
            "number": "2000001",
            **date_fields("registered_on", date(2015, 1, 15)),
            **date_fields("expires_on", expiry),
        },
        follow_redirects=True,
    )
    page = soup(response)
    assert "Check it on the GPhC register, then verify it" in banners(page)
    assert "has not been checked" in text_of(page, "#signer-blocked")
    current = db.session.scalar(
        select(Registration)
        .where(Registration.user_id == supervisor.id)
        .order_by(Registration.id.desc())
    )
    page = soup(
        client.post(
            f"{url}/verify",
            data={"record_id": str(current.id)},
            follow_redirects=True,
        )
    )
    assert "checked on the GPhC register today" in banners(page)
    assert "may sign" in text_of(page, "#signer-may-sign")
    assert signers.signer_registration_problems(supervisor.id, TODAY) == []


def test_the_signer_page_takes_the_renewal_date_and_checks_the_expiry_against_it(
    client, login, make_user, org, supervisor, renew
):
    renew(supervisor, expires_on=YESTERDAY)
    login(client, make_user(roles=("lead",), org=org.parent))
    url = f"/registration/signers/{supervisor.id}"
    renewed = TODAY - timedelta(days=20)
    details = {
        "register": "pharmacist",
        "status": "registered",
        "number": "2000001",
        **date_fields("registered_on", date(2015, 1, 15)),
        **date_fields("renewed_on", renewed),
    }
    rows_before = count(Registration)
    too_late = add_months(renewed, 13) + timedelta(days=1)
    page = soup(client.post(url, data={**details, **date_fields("expires_on", too_late)}))
    assert "13 months" in text_of(page, ".nhsuk-error-summary")
    assert count(Registration) == rows_before
    client.post(url, data={**details, **date_fields("expires_on", add_months(renewed, 13))})
    newest = db.session.scalar(
        select(Registration)
        .where(Registration.user_id == supervisor.id)
        .order_by(Registration.id.desc())
    )
    assert (newest.renewed_on, newest.expires_on) == (renewed, add_months(renewed, 13))


def test_nobody_verifies_their_own_signing_registration(client, login, make_user, org, renew):
    both = make_user(roles=("supervisor", "lead"), org=org.parent, gphc="2000009")
    row = renew(both, number="2000009", verified_by_id=None, verified_on=None)
    login(client, both)
    assert client.get(f"/registration/signers/{both.id}").status_code == 404
    response = client.post(f"/registration/signers/{both.id}/verify", data={"record_id": row.id})
    assert response.status_code == 404
    db.session.refresh(row)
    assert row.verified_by_id is None


def test_an_administrator_reaches_the_signing_registration_from_the_user_page(
    client, login, make_user, supervisor
):
    admin = make_user(roles=("admin",))
    login(client, admin)
    page = soup(client.get(f"/admin/users/{supervisor.id}"))
    link = page.select_one("#signer-registration-link")
    assert link is not None
    assert link["href"] == f"/registration/signers/{supervisor.id}"
    signer_page = soup(client.get(link["href"]))
    back = signer_page.select_one(".nhsuk-back-link a, a.nhsuk-back-link")
    assert back["href"] == f"/admin/users/{supervisor.id}"


def test_a_leads_signer_page_leads_back_to_the_dashboard(client, login, make_user, org, supervisor):
    login(client, make_user(roles=("lead",), org=org.parent))
    page = soup(client.get(f"/registration/signers/{supervisor.id}"))
    back = page.select_one(".nhsuk-back-link a, a.nhsuk-back-link")
    assert (back["href"], back.get_text(strip=True)) == ("/lead/dashboard", "Cohort dashboard")


def test_a_lead_may_not_record_a_registration_for_a_supervisor_outside_their_organisation(
    make_user, make_org, supervisor
):
    outsider = make_user(roles=("lead",), org=make_org("South hub", "training-hub"))
    details = RegistrationDetails(
        "pharmacist", "registered", "2000001", date(2015, 1, 15), TODAY + timedelta(days=99)
    )
    with pytest.raises(DomainError, match="cannot change this person's registration"):
        record_registration(supervisor, details, actor=outsider)
