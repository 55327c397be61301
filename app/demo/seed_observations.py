"""Demonstration observations, added by `demo seed` beside the rest of the demo:

- a trainee whose only observation (a mini-CEX) the assessor judged below the level
  expected: it is accepted and shown, but D3.2 still needs an observation judged at the
  expected level;
- a trainee with the two observed consultations the consultation-skills rule asks for
  (on separate days, competent or better in all five areas) and a reflective account,
  so D3.1 is ready for sign-off.

Every item goes through the services, so it is validated, reviewed and audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.frameworks import Framework
from app.models.organisations import Cohort
from app.models.users import User
from app.services.accounts import organisations, passwords
from app.services.accounts import users as accounts
from app.services.clock import uk_today
from app.services.frameworks import catalogue as framework_service
from app.services.portfolio import evidence
from app.services.portfolio.assessment_forms import MINI_CEX, MRCF_SECTIONS
from app.services.supervision import enrolments, reviews

BELOW_EXPECTED = ("observed.below@example.org", "Casey Morgan", "Harbour Street Surgery")
TWO_CONSULTATIONS = ("consultations@example.org", "Priya Shah", "Quayside Medical Centre")
DEMO_OBSERVATION_PEOPLE = (BELOW_EXPECTED, TWO_CONSULTATIONS)
DEMO_SUPERVISOR_EMAIL = "supervisor@example.org"
COHORT_NAME = "Spring 2026 intake"
ASSESSOR = {
    "assessor_name": "Sam Okafor",
    "assessor_role": "pharmacist",
    "assessor_registration_number": "2034567",
}


def observation_demo_logins(password: str) -> list[tuple[str, str, str]]:
    return [("trainee", email, password) for email, _name, _org in DEMO_OBSERVATION_PEOPLE]


def _mini_cex_below(day: date) -> dict[str, object]:
    ratings = {
        spec.name: "3" if spec.name == "rating_communication" else "2"
        for spec in MINI_CEX.fields
        if spec.name.startswith("rating_")
    }
    return {
        "title": "Blood pressure clinic consultation",
        "occurred_on": day.isoformat(),
        "setting": "Harbour Street Surgery, hypertension clinic",
        "focus": "Explaining a new antihypertensive and how to take it.",
        **ratings,
        "went_well": "A warm opening; the patient felt listened to.",
        "development": "Check what the patient already knows before explaining side effects.",
        "agreed_action": "Observe a pharmacist's consultation, then be observed again.",
        "overall_judgement": "below",
        **ASSESSOR,
        "assessed_on": day.isoformat(),
    }


def _consultation(title: str, day: date, rating: str) -> dict[str, object]:
    answers: dict[str, object] = {
        "title": title,
        "occurred_on": day.isoformat(),
        "setting": "Quayside Medical Centre, medicines clinic",
        "focus": "A review of a patient's new medicines after a hospital stay.",
        "went_well": "Shared the decision about the timing of doses with the patient.",
        "development": "Summarise more briefly before closing.",
        "overall_judgement": "at",
        **ASSESSOR,
        "assessed_on": day.isoformat(),
    }
    for key, _title, items in MRCF_SECTIONS:
        answers.update({f"{key}_{item}": "yes" for item, _label in items})
        answers[f"{key}_rating"] = rating
    return answers


def seed_observation_demo(*, password_hash: str | None = None, today: date | None = None) -> bool:
    """Add the observation demo unless it is there already; True when something was added."""
    if accounts.find_user_by_email(BELOW_EXPECTED[0]) is not None:
        return False
    supervisor = accounts.find_user_by_email(DEMO_SUPERVISOR_EMAIL)
    ncf = framework_service.find_framework("ncf-pcpt", "3")
    if supervisor is None or ncf is None:
        return False
    today = today or uk_today()
    if password_hash is None:
        from app.demo.seed import DEMO_PASSWORD

        password_hash = passwords.hash_password(DEMO_PASSWORD)
    below, consulting = _enrolled_trainees(ncf, supervisor, password_hash, today)
    start = today - timedelta(days=40)
    _accepted(below, supervisor, today, _below_expected_items(start))
    _accepted(consulting, supervisor, today, _consultation_items(start))
    db.session.flush()
    return True


def _enrolled_trainees(
    ncf: Framework, supervisor: User, password_hash: str, today: date
) -> list[User]:
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT_NAME))
    trainees: list[User] = []
    for email, name, organisation in DEMO_OBSERVATION_PEOPLE:
        trainee = accounts.create_user(
            email=email,
            name=name,
            roles=["trainee"],
            password=None,
            password_hash=password_hash,
            organisation=organisations.find_organisation(organisation),
        )
        enrolments.enrol(
            trainee,
            ncf,
            supervisor=supervisor,
            cohort=cohort if cohort and cohort.framework_id == ncf.id else None,
            started_on=today - timedelta(days=100),
        )
        trainees.append(trainee)
    db.session.flush()
    return trainees


Item = tuple[str, dict[str, object], list[tuple[str, str]]]


def _below_expected_items(start: date) -> list[Item]:
    """A mini-CEX judged below the expected level, and a reflection, both on D3.2."""
    return [
        ("mini-cex", _mini_cex_below(start), [("D3.2", "Observed in a clinic.")]),
        (
            "reflective-account",
            _reflection("Teaching inhaler technique", start + timedelta(days=2)),
            [("D3.2", "What I learned from the observation.")],
        ),
    ]


def _consultation_items(start: date) -> list[Item]:
    """Two observed consultations nine days apart, competent or better, and a reflection."""
    return [
        (
            "consultation-observation",
            _consultation("First observed consultation", start, "4"),
            [("D3.1", "Observed with the consultation tool.")],
        ),
        (
            "consultation-observation",
            _consultation("Second observed consultation", start + timedelta(days=9), "5"),
            [("D3.1", "Observed again, on another day.")],
        ),
        (
            "reflective-account",
            _reflection("Sharing a decision about a new medicine", start + timedelta(days=10)),
            [("D3.1", "How the patient's priorities changed the plan.")],
        ),
    ]


def _reflection(title: str, day: date) -> dict[str, object]:
    return {
        "title": title,
        "occurred_on": day.isoformat(),
        "setting": "A GP practice",
        "what_happened": "A patient was unsure about a change to their medicines.",
        "so_what": "Asking what mattered to them first made the rest of the talk easier.",
        "now_what": "I will open every consultation by asking about the patient's concerns.",
    }


def _accepted(
    trainee: User,
    supervisor: User,
    today: date,
    items: list[Item],
) -> None:
    enrolment = enrolments.active_enrolment(trainee.id)
    for kind, answers, links in items:
        item = evidence.create_draft(enrolment, kind, answers, links, actor=trainee, today=today)
        evidence.submit(item, actor=trainee)
        reviews.record_review(
            item, reviewer=supervisor, decision="accepted", comment="", version_number=1
        )
