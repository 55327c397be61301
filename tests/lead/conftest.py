"""Fixtures for the cohort dashboard and exports: a hub with two PCNs, leads at each
level, supervisors, a cohort seeded through the services, and a bulk seeder that
inserts hundreds of trainees with evidence, sign-offs and registrations in one go."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.registration import Qualification, Registration
from app.models.signoffs import SignOff
from app.models.supervision import SupervisionSession
from app.models.users import User, UserRole
from app.services.portfolio import evidence as evidence_service
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.registration.qualifications import QualificationDetails
from app.services.registration.records import RegistrationDetails
from app.services.reporting import summary_upkeep
from app.services.supervision import enrolments, signoffs
from app.services.supervision import sessions as supervision_sessions
from tests.evidence.conftest import valid_answers


@pytest.fixture
def today() -> date:
    return utcnow().date()


@pytest.fixture
def hub(make_org):
    return make_org("North Coast Training Hub", "training-hub")


@pytest.fixture
def harbour(make_org, hub):
    return make_org("Harbour PCN", "pcn", hub)


@pytest.fixture
def cliff(make_org, hub):
    return make_org("Clifftop PCN", "pcn", hub)


@pytest.fixture
def harbour_practice(make_org, harbour):
    return make_org("Harbour Street Surgery", "practice", harbour)


@pytest.fixture
def cliff_practice(make_org, cliff):
    return make_org("Clifftop Health Centre", "practice", cliff)


@pytest.fixture
def lead(make_user, hub):
    return make_user(roles=("lead",), org=hub, name="Leigh Lead")


@pytest.fixture
def harbour_lead(make_user, harbour):
    return make_user(roles=("lead",), org=harbour, name="Hana Harbour")


@pytest.fixture
def cliff_lead(make_user, cliff):
    return make_user(roles=("lead",), org=cliff, name="Cleo Cliff")


@pytest.fixture
def supervisor(make_user, harbour_practice):
    return make_user(roles=("supervisor",), org=harbour_practice, gphc="2034567", name="Sam Okafor")


@pytest.fixture
def other_supervisor(make_user, cliff_practice):
    return make_user(roles=("supervisor",), org=cliff_practice, gphc="2045678", name="Una Other")


@pytest.fixture
def cohort(hub, framework):
    from app.services.accounts import organisations

    found = organisations.create_cohort("Spring intake", hub, framework_id=framework.id)
    db.session.commit()
    return found


def _log(enrolment, code: str, competencies: list[str], status: str, title: str):
    item = evidence_service.create_draft(
        enrolment,
        code,
        valid_answers(code, title=title),
        [(c, "") for c in competencies],
        actor=enrolment.trainee,
    )
    if status != "draft":
        evidence_service.submit(item, actor=enrolment.trainee)
    if status == "accepted":
        evidence_service.set_status_from_review(item, "accepted", version_number=1)
    return item


@pytest.fixture
def seeded(
    app,
    framework,
    cohort,
    supervisor,
    other_supervisor,
    harbour_practice,
    cliff_practice,
    today,
    password_hash,
):
    """Three trainees made through the services, each in a known state.

    - Ada Harbour (Harbour PCN, Sam Okafor): D1.1 signed off, D1.2 ready, a submitted and
      a draft item, registered and verified, Level 3 achieved, a session this month.
    - Ben Harbour (Harbour PCN, Sam Okafor): nothing yet; registration expired.
    - Cal Cliff (Clifftop PCN, Una Other): a formula-looking name, one accepted item.
    """
    people = {}
    start = today - timedelta(days=274)  # half of the default 548-day duration
    specs = (
        ("ada", "Ada Harbour", harbour_practice, supervisor),
        ("ben", "Ben Harbour", harbour_practice, supervisor),
        ("cal", "=Cal Cliff", cliff_practice, other_supervisor),
    )
    from app.services.accounts import users as accounts

    for key, name, org, sup in specs:
        trainee = accounts.create_user(
            email=f"{key}@example.org",
            name=name,
            roles=["trainee"],
            password=None,
            password_hash=password_hash,
            organisation=org,
        )
        enrolment = enrolments.enrol(
            trainee, framework, supervisor=sup, cohort=cohort, started_on=start
        )
        people[key] = (trainee, enrolment)
    db.session.flush()

    ada, ada_enrolment = people["ada"]
    d1 = framework.domains[0]
    first, second = d1.competencies[0], d1.competencies[1]
    _log(
        ada_enrolment,
        "reflective-account",
        [first.code, second.code],
        "accepted",
        "Audit of repeats",
    )
    _log(
        ada_enrolment,
        "work-based-observation",
        [first.code, second.code],
        "accepted",
        "Observed clinic",
    )
    _log(ada_enrolment, "case-study", [second.code], "submitted", "Care home visit")
    _log(ada_enrolment, "reflective-account", [second.code], "draft", "Private draft thoughts")
    signoffs.sign_off(
        ada_enrolment,
        first,
        signer=supervisor,
        outcome_code=framework.scale[-1].code,
        comment="Seen in practice.",
        authenticated_at=utcnow(),
    )
    details = RegistrationDetails(
        "pharmacy-technician",
        "registered",
        "5012345",
        date(2024, 3, 1),
        today + timedelta(days=300),
    )
    row = registration.record_registration(ada, details, actor=ada)
    registration.verify_registration(ada, row.id, actor=supervisor, today=today)
    saved = qualifications.save_qualification(
        ada,
        QualificationDetails(
            kind="l3-diploma-principles-practice",
            status="achieved",
            awarding_body="City & Guilds",
            started_on=date(2022, 9, 1),
            achieved_on=date(2024, 1, 15),
        ),
        actor=ada,
        today=today,
    )
    qualifications.verify_qualification(ada, saved.qualification.id, actor=supervisor, today=today)
    supervision_sessions.record_session(
        ada_enrolment,
        supervisor=supervisor,
        held_on=today,
        duration_minutes=45,
        topics="Repeat prescribing audit",
        today=today,
    )

    ben, _ = people["ben"]
    expired = RegistrationDetails(
        "pharmacy-technician", "registered", "5023456", date(2023, 3, 1), today - timedelta(days=5)
    )
    registration.record_registration(ben, expired, actor=ben)

    _, cal_enrolment = people["cal"]
    _log(cal_enrolment, "reflective-account", [first.code], "accepted", "+SUM(A1:A9)")
    db.session.commit()
    return people


_PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def attach_file(app):
    def attach(item, name: str = "notes.pdf", content: bytes = _PDF):
        found = evidence_service.add_attachment(
            item,
            io.BytesIO(content),
            name,
            actor=item.enrolment.trainee,
            upload_dir=app.config["UPLOAD_DIR"],
            max_bytes=app.config["MAX_UPLOAD_BYTES"],
        )
        db.session.commit()
        return found

    return attach


@pytest.fixture
def bulk_trainees(app, framework):
    """bulk(count, orgs=[...], supervisor=..., cohort=...) inserts `count` active trainees,
    each with an accepted and a submitted item, a few sign-offs, a registration, a Level 3
    record and a supervision session, in one transaction of multi-row inserts."""
    counter = iter(range(1, 1_000_000))
    competencies = [c for d in framework.domains for c in d.competencies]
    types = {t.code: t for t in framework.evidence_types}

    def bulk(count: int, *, orgs, supervisor, cohort=None, today: date | None = None) -> list[int]:
        today = today or utcnow().date()
        now = datetime.now(UTC)
        batch = [next(counter) for _ in range(count)]
        user_ids = list(
            db.session.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [
                    {
                        "email": f"bulk{n}@example.org",
                        "name": f"Bulk Trainee {n:05d}",
                        "organisation_id": orgs[n % len(orgs)].id,
                    }
                    for n in batch
                ],
            )
        )
        db.session.execute(insert(UserRole), [{"user_id": u, "role": "trainee"} for u in user_ids])
        start = today - timedelta(days=200)
        enrolment_ids = list(
            db.session.scalars(
                insert(Enrolment).returning(Enrolment.id, sort_by_parameter_order=True),
                [
                    {
                        "trainee_id": u,
                        "framework_id": framework.id,
                        "cohort_id": cohort.id if cohort else None,
                        "clinical_supervisor_id": supervisor.id,
                        "started_on": start,
                        "expected_end_on": start + timedelta(days=548),
                        "status": "active",
                        "wte": 1,
                        "funding": "arrs",
                        "afc_band": "5",
                    }
                    for u in user_ids
                ],
            )
        )
        evidence_rows = []
        for i, e in enumerate(enrolment_ids):
            for code, status in (("reflective-account", "accepted"), ("case-study", "submitted")):
                evidence_rows.append(
                    {
                        "enrolment_id": e,
                        "evidence_type_id": types[code].id,
                        "title": f"{code} {i}",
                        "occurred_on": today - timedelta(days=30),
                        "status": status,
                        "submitted_at": now - timedelta(days=20),
                        "updated_at": now - timedelta(days=i % 60),
                    }
                )
        evidence_ids = list(
            db.session.scalars(
                insert(Evidence).returning(Evidence.id, sort_by_parameter_order=True),
                evidence_rows,
            )
        )
        version_ids = list(
            db.session.scalars(
                insert(EvidenceVersion).returning(EvidenceVersion.id, sort_by_parameter_order=True),
                [
                    {
                        "evidence_id": ev,
                        "number": 1,
                        "title": row["title"],
                        "occurred_on": row["occurred_on"],
                        "fields": {},
                        "content_sha256": "0" * 64,
                        "submitted_at": row["submitted_at"],
                    }
                    for ev, row in zip(evidence_ids, evidence_rows, strict=True)
                ],
            )
        )
        db.session.execute(
            insert(EvidenceLink),
            [
                {"evidence_version_id": v, "competency_id": competencies[i % 3].id, "note": ""}
                for i, v in enumerate(version_ids)
            ],
        )
        sign_offs = []
        for i, (e, u) in enumerate(zip(enrolment_ids, user_ids, strict=True)):
            for c in competencies[: i % 4]:
                sign_offs.append(
                    {
                        "enrolment_id": e,
                        "competency_id": c.id,
                        "sequence": 1,
                        "competency_code": c.code,
                        "outcome_code": "competent",
                        "outcome_label": "Competent",
                        "proficient": True,
                        "comment": "Seen",
                        "unmet_rule": [],
                        "signer_id": supervisor.id,
                        "signer_name": supervisor.name,
                        "signer_gphc_number": "2034567",
                        "trainee_name": f"Bulk {u}",
                        "statement": "I confirm",
                        "evidence_versions": [],
                        "signed_at": now - timedelta(days=i % 90),
                        "record_sha256": uuid.uuid4().hex * 2,
                    }
                )
        if sign_offs:
            db.session.execute(insert(SignOff), sign_offs)
        db.session.execute(
            insert(Registration),
            [
                {
                    "user_id": u,
                    "register": "pharmacy-technician",
                    "number": f"5{u:06d}"[-7:],
                    "status": "registered",
                    "registered_on": date(2024, 3, 1),
                    "expires_on": today + timedelta(days=30 + (u % 400)),
                }
                for u in user_ids
            ],
        )
        db.session.execute(
            insert(Qualification),
            [
                {
                    "user_id": u,
                    "kind": "l3-diploma-principles-practice",
                    "awarding_body": "Pearson",
                    "status": "in-progress",
                }
                for u in user_ids
            ],
        )
        db.session.execute(
            insert(SupervisionSession),
            [
                {
                    "enrolment_id": e,
                    "supervisor_id": supervisor.id,
                    "held_on": today - timedelta(days=i % 50),
                    "duration_minutes": 30,
                    "topics": "Progress",
                }
                for i, e in enumerate(enrolment_ids)
            ],
        )
        summary_upkeep.touch(enrolment_ids)  # multi-row inserts pass the flush hooks by
        db.session.commit()
        return enrolment_ids

    return bulk
