"""Demonstration data for `make run`: organisations, a cohort, one account per role, evidence,
a development plan."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset
from app.demo.generate_organisations import REGION_NAME
from app.demo.seed_development import seed_development_demo
from app.demo.seed_evidence import seed_demo_evidence
from app.demo.seed_observations import observation_demo_logins, seed_observation_demo
from app.demo.seed_registration import registration_demo_logins, seed_registration_demo
from app.demo.seed_signers import seed_signers_demo, signer_demo_logins
from app.extensions import db
from app.models.organisations import Organisation
from app.services.accounts import organisations, passwords
from app.services.accounts import users as accounts
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.frameworks import catalogue as framework_service
from app.services.supervision import enrolments

DEMO_PASSWORD = "demo-portfolio-pass"  # noqa: S105 - printed by `demo seed`; never used in production

DEMO_PEOPLE = (
    # role, email, name, organisation, GPhC number
    ("admin", "admin@example.org", "Alex Admin", "North Coast Training Hub", None),
    ("lead", "lead@example.org", "Leigh Lead", "North Coast Training Hub", None),
    ("supervisor", "supervisor@example.org", "Sam Okafor", "Harbour PCN", "2034567"),
    ("trainee", "trainee@example.org", "Taylor Reed", "Harbour Street Surgery", None),
)

# A generated cohort at varied progress, so a lead's heat map and chart have something to show.
PROGRESS_DEMO_TRAINEES = 24
PROGRESS_DEMO_EVIDENCE = 30


def _seed_progress_demo() -> bool:
    """The generated region (its lead sees the cohort's dashboard); False when present."""
    if db.session.scalar(select(Organisation.id).where(Organisation.name == REGION_NAME)):
        return False
    generate_dataset(PROGRESS_DEMO_TRAINEES, PROGRESS_DEMO_EVIDENCE)
    return True


def _organisations() -> Organisation:
    """The demo's hub, its two PCNs and their practices; returns the hub."""
    hub = organisations.create_organisation("North Coast Training Hub", "training-hub")
    harbour = organisations.create_organisation("Harbour PCN", "pcn", hub)
    organisations.create_organisation(
        "Harbour Street Surgery", "practice", harbour, ods_code="Y01234"
    )
    organisations.create_organisation(
        "Quayside Medical Centre", "practice", harbour, ods_code="Y01235"
    )
    cliff = organisations.create_organisation("Clifftop PCN", "pcn", hub)
    organisations.create_organisation(
        "Clifftop Health Centre", "practice", cliff, ods_code="Y02001"
    )
    return hub


def seed_demo() -> tuple[bool, list[tuple[str, str, str]]]:
    """Create the demo records unless they exist; returns (created?, logins)."""
    logins = [(role, email, DEMO_PASSWORD) for role, email, *_ in DEMO_PEOPLE]
    logins += registration_demo_logins(DEMO_PASSWORD)
    logins += signer_demo_logins(DEMO_PASSWORD)
    logins += observation_demo_logins(DEMO_PASSWORD)
    logins.append(("lead", REGION_LEAD_EMAIL, DEMO_PASSWORD))
    if accounts.find_user_by_email(DEMO_PEOPLE[0][1]) is not None:
        # The signers' registrations come first: the demos below sign with them.
        seed_signers_demo(password_hash=None, today=uk_today())
        # Older demo databases gain the later demos; otherwise nothing changes.
        added = seed_registration_demo()
        added = seed_observation_demo() or added
        return _seed_progress_demo() or added, logins

    hub = _organisations()
    # Version 3 by name: 3.1 (the crosswalk's worked example) is imported beside it, and
    # the demo cohort is the one shown moving to it (`frameworks migrate --dry-run`).
    ncf = framework_service.find_framework("ncf-pcpt", "3")
    if ncf is None:
        raise DomainError("import the NCF framework before seeding demo data")
    today = uk_today()
    cohort = organisations.create_cohort(
        "Spring 2026 intake", hub, framework_id=ncf.id, starts_on=today - timedelta(days=120)
    )

    password_hash = passwords.hash_password(DEMO_PASSWORD)
    people = {}
    for role, email, name, org_name, gphc in DEMO_PEOPLE:
        people[role] = accounts.create_user(
            email=email,
            name=name,
            roles=[role],
            password=None,
            password_hash=password_hash,
            organisation=organisations.find_organisation(org_name),
            gphc_number=gphc,
        )
    seed_signers_demo(password_hash=password_hash, today=today)
    enrolment = enrolments.enrol(
        people["trainee"],
        ncf,
        supervisor=people["supervisor"],
        cohort=cohort,
        started_on=today - timedelta(days=120),
    )
    db.session.flush()
    seed_demo_evidence(enrolment, people["trainee"], people["supervisor"], today)
    seed_development_demo(enrolment, people["trainee"], people["supervisor"], today)
    seed_registration_demo(password_hash=password_hash, today=today)
    seed_observation_demo(password_hash=password_hash, today=today)
    _seed_progress_demo()
    return True, logins
