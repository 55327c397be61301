"""Demonstration registration data, added by `demo seed` beside the rest of the demo:

- the demo trainee: registration status "trainee" and a Level 3 diploma in progress;
- two pre-registration trainees supervised by the demo supervisor, one eligible to
  register (2 years, 1,300 supervised hours spread over both years) and one not (1,100
  hours, only 300 of them in the first year, and two weeks too lightly supervised);
- a registered technician whose registration expires in about 5 months, with some of
  this year's revalidation records.

Every record goes through the services (so it is validated and audited) except the
weekly logs, which are one bulk insert per trainee to keep seeding fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models.organisations import Cohort
from app.models.users import User
from app.services.accounts import organisations, passwords
from app.services.accounts import users as accounts
from app.services.calendar_months import add_months
from app.services.clock import uk_today
from app.services.frameworks import catalogue as framework_service
from app.services.pathway import training_log
from app.services.registration import qualifications, revalidation
from app.services.registration import records as registration
from app.services.registration.revalidation_rules import PeerDeclaration
from app.services.supervision import enrolments


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    organisation: str


ELIGIBLE = DemoPerson("prereg.eligible@example.org", "Morgan Ellis", "Quayside Medical Centre")
NOT_ELIGIBLE = DemoPerson("prereg.notyet@example.org", "Jordan Blake", "Quayside Medical Centre")
TECHNICIAN = DemoPerson("technician@example.org", "Riley Chen", "Clifftop Health Centre")
DEMO_REGISTRATION_PEOPLE = (ELIGIBLE, NOT_ELIGIBLE, TECHNICIAN)
DEMO_SUPERVISOR_EMAIL = "supervisor@example.org"
DEMO_TRAINEE_EMAIL = "trainee@example.org"
COHORT_NAME = "Spring 2026 intake"


def registration_demo_logins(password: str) -> list[tuple[str, str, str]]:
    return [("trainee", person.email, password) for person in DEMO_REGISTRATION_PEOPLE]


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(first: date, count: int, hours: int, supervised: int, supervisor: str, every: int = 1):
    return [
        training_log.WeekEntry(
            first + timedelta(weeks=n * every), Decimal(hours), Decimal(supervised), supervisor
        )
        for n in range(count)
    ]


def seed_registration_demo(*, password_hash: str | None = None, today: date | None = None) -> bool:
    """Add the registration demo unless it is there already; True when something was added."""
    if accounts.find_user_by_email(ELIGIBLE.email) is not None:
        return False
    supervisor = accounts.find_user_by_email(DEMO_SUPERVISOR_EMAIL)
    ncf = framework_service.find_framework("ncf-pcpt", "3")
    if supervisor is None or ncf is None:
        return False
    today = today or uk_today()
    if password_hash is None:
        from app.demo.seed import DEMO_PASSWORD

        password_hash = passwords.hash_password(DEMO_PASSWORD)
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT_NAME))

    people: dict[str, User] = {}
    for person in DEMO_REGISTRATION_PEOPLE:
        people[person.email] = accounts.create_user(
            email=person.email,
            name=person.name,
            roles=["trainee"],
            password=None,
            password_hash=password_hash,
            organisation=organisations.find_organisation(person.organisation),
        )
    training_start = _monday_on_or_before(add_months(today, -26))
    for person in (ELIGIBLE, NOT_ELIGIBLE, TECHNICIAN):
        enrolments.enrol(
            people[person.email],
            ncf,
            supervisor=supervisor,
            cohort=cohort if cohort and cohort.framework_id == ncf.id else None,
            started_on=today - timedelta(days=90),
        )
    db.session.flush()

    _seed_demo_trainee(today)
    _seed_pre_registration(people[ELIGIBLE.email], supervisor, training_start, today, eligible=True)
    _seed_pre_registration(
        people[NOT_ELIGIBLE.email], supervisor, training_start, today, eligible=False
    )
    _seed_technician(people[TECHNICIAN.email], supervisor, today)
    db.session.flush()
    return True


def _trainee_status(person: User) -> None:
    registration.record_registration(
        person,
        registration.RegistrationDetails("pharmacy-technician", "trainee", None, None, None),
        actor=person,
    )


def _seed_demo_trainee(today: date) -> None:
    trainee = accounts.find_user_by_email(DEMO_TRAINEE_EMAIL)
    if trainee is None or registration.registration_history(trainee.id):
        return
    _trainee_status(trainee)
    qualifications.save_qualification(
        trainee,
        qualifications.QualificationDetails(
            kind="l3-diploma-principles-practice",
            status="in-progress",
            awarding_body="Pearson",
            started_on=today - timedelta(days=100),
        ),
        actor=trainee,
        today=today,
    )


def _seed_pre_registration(
    person: User, supervisor: User, training_start: date, today: date, *, eligible: bool
) -> None:
    _trainee_status(person)
    course_start = training_start + timedelta(days=30)
    details = qualifications.QualificationDetails(
        kind="l3-diploma-principles-practice",
        status="achieved" if eligible else "in-progress",
        awarding_body="City & Guilds",
        started_on=course_start,
        achieved_on=today - timedelta(days=45) if eligible else None,
    )
    qualifications.save_qualification(person, details, actor=person, today=today)
    training_log.set_training_start(person, training_start, actor=person, today=today)
    year_2 = _monday_on_or_before(add_months(training_start, 12)) + timedelta(weeks=1)
    name = supervisor.name
    if eligible:
        # 25 hours (18 supervised) in alternate weeks: 650 in each year, 1,300 in all.
        weeks = _weeks(training_start, 26, 25, 18, name, every=2)
        weeks += _weeks(year_2, 26, 25, 18, name, every=2)
    else:
        # 300 hours in year 1 (15 weeks), 800 in year 2 (40 weeks): 1,100 in all, plus
        # two weeks with too little supervision that do not count.
        weeks = _weeks(training_start, 15, 20, 20, name, every=3)
        weeks += _weeks(training_start + timedelta(weeks=1), 2, 20, 12, name, every=3)
        weeks += _weeks(year_2, 40, 20, 16, name)
    training_log.import_weeks(person, weeks, actor=person, today=today)


def _seed_technician(person: User, supervisor: User, today: date) -> None:
    expires_on = add_months(today, 5)
    registered_on = date(expires_on.year - 3, 3, 1)
    technician = registration.record_registration(
        person,
        registration.RegistrationDetails(
            "pharmacy-technician", "registered", "5012345", registered_on, expires_on
        ),
        actor=person,
    )
    registration.verify_registration(person, technician.id, actor=supervisor, today=today)
    saved = qualifications.save_qualification(
        person,
        qualifications.QualificationDetails(
            kind="l3-diploma-principles-practice",
            status="achieved",
            awarding_body="NCFE CACHE",
            started_on=registered_on - timedelta(days=800),
            achieved_on=registered_on - timedelta(days=60),
        ),
        actor=person,
        today=today,
    )
    qualifications.verify_qualification(
        person, saved.qualification.id, actor=supervisor, today=today
    )
    year = revalidation.current_year(person.id)
    if year is None:
        return
    for record in _revalidation_records(year[1].starts_on):
        revalidation.add_record(person, record, actor=person, today=today)


def _revalidation_records(starts: date) -> list[revalidation.RecordInput]:
    """A year's CPD and peer discussion, spread over its first five months."""
    return [
        revalidation.RecordInput(
            "cpd-planned",
            "Inhaler technique refresher",
            starts + timedelta(days=20),
            {
                "what_planned": "To update my inhaler technique checks for the new devices "
                "on our formulary.",
                "how_learned": "I completed an online module and practised with placebo devices.",
                "benefit": "I now correct common errors with the new dry powder inhaler at "
                "review appointments.",
            },
        ),
        revalidation.RecordInput(
            "cpd-planned",
            "Medicines reconciliation at discharge",
            starts + timedelta(days=80),
            {
                "what_planned": "To reconcile discharge medicines more reliably.",
                "how_learned": "I shadowed the practice pharmacist for two sessions.",
                "benefit": "Discharge changes are now actioned within two working days.",
            },
        ),
        revalidation.RecordInput(
            "cpd-unplanned",
            "Query about a shortage",
            starts + timedelta(days=120),
            {
                "what_learned": "How to find licensed alternatives during a supply shortage.",
                "benefit": "I helped a patient switch to an available product the same day.",
            },
        ),
        revalidation.RecordInput(
            "peer-discussion",
            "Discussion with a community pharmacist",
            starts + timedelta(days=150),
            {
                "discussion": "We discussed how I handle repeat prescribing requests.",
                "changed_practice": "I now check monitoring dates before every re-authorisation.",
                "example": "A patient overdue a blood test was booked before the next issue.",
            },
            peer=PeerDeclaration("Sam Patel", "Community pharmacist", True, True, True),
        ),
    ]
