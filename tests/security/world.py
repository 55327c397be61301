"""A small world for the access-control tests: one trainee's records and the people around them.

Trainee A ("the owner", Ada Ownerby) has a record of every kind the routes act on:
an enrolment, submitted and draft evidence with files, a sign-off, a development plan
(learning needs, a reviewed objective, a stage), a registration, a qualification
certificate, a training log week, a revalidation record, a notification, an API token.
Around her:

- trainee B, in the same practice, with evidence of their own ("another trainee");
- supervisor A, her clinical supervisor ("supervisor assigned");
- supervisor B, in the same practice, supervising trainee B only ("not assigned");
- the lead of her hub ("lead inside") and the lead of another hub with a trainee of their
  own ("lead outside");
- an administrator.

Everyone but A has something of their own, so a refusal is never just an empty account.

Beside them, Dee Selfsup ("self supervisor") holds the trainee and supervisor roles and
has records of every kind A has, under an enrolment recorded with Dee as her own clinical
and education supervisor: written to the row directly, as an enrolment made before the
rule that nobody supervises themselves would hold. The matrix's self-supervision row
walks every route over Dee's own records (`World.args_for`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Base
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.users import ApiToken, User
from app.services.accounts import api_tokens, organisations
from app.services.clock import uk_today
from app.services.development import learning_needs, objectives, stages
from app.services.feedback import rounds as feedback_rounds
from app.services.notifications import messages as notifications
from app.services.pathway import training_log
from app.services.portfolio import evidence as evidence_service
from app.services.registration import qualifications, revalidation
from app.services.registration import records as registration
from app.services.reporting import summary_upkeep
from app.services.storage.documents import Upload
from app.services.supervision import enrolments, signoffs
from tests.evidence.conftest import valid_answers

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

# The relation of each actor to trainee A's records: the roles of the access matrix.
ACTORS = (
    "anonymous",
    "owner",
    "other_trainee",
    "assigned_supervisor",
    "unassigned_supervisor",
    "lead_inside",
    "lead_outside",
    "admin",
    "self_supervisor",
)

# Words that identify A's records. Each may appear only in answers to the actors named.
OWNER_NAME = "Ada Ownerby"
OWNER_EMAIL = "ada.ownerby@example.org"
SHARED_TITLE = "Shared reflection on inhaler checks"
DRAFT_TITLE = "Private draft about a near miss"
MARKERS: dict[str, frozenset[str]] = {
    OWNER_NAME: frozenset({"owner", "assigned_supervisor", "lead_inside", "admin"}),
    OWNER_EMAIL: frozenset({"owner", "assigned_supervisor", "lead_inside", "admin"}),
    SHARED_TITLE: frozenset({"owner", "assigned_supervisor", "lead_inside"}),
    DRAFT_TITLE: frozenset({"owner"}),
}


@dataclass
class World:
    users: dict[str, User]
    # URL arguments naming A's records: the "own" case of the matrix.
    args: dict[str, object]
    # The same, with A's draft evidence in place of the submitted item.
    draft_args: dict[str, object]
    # Ids of records of others, for form fields that name one (a supervisor to assign).
    others: dict[str, int] = field(default_factory=dict)
    # The self supervisor's own records, in place of A's, for her row of the matrix.
    self_args: dict[str, object] = field(default_factory=dict)
    self_draft_args: dict[str, object] = field(default_factory=dict)

    def args_for(self, actor: str, *, draft: bool = False) -> dict[str, object]:
        if actor == "self_supervisor":
            return self.self_draft_args if draft else self.self_args
        return self.draft_args if draft else self.args


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _evidence(app: Flask, enrolment, trainee: User, title: str, *, submit: bool):
    code = enrolment.framework.domains[0].competencies[0].code
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title=title),
        [(code, "")],
        actor=trainee,
    )
    attachment = evidence_service.add_attachment(
        item,
        io.BytesIO(PDF),
        "notes.pdf",
        actor=trainee,
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    if submit:
        evidence_service.submit(item, actor=trainee)
    return item, attachment


def _objective(enrolment, trainee: User, framework, today: date):
    """An open objective of the trainee's development plan, due in a month."""
    return objectives.add_objective(
        enrolment,
        trainee=trainee,
        description="Run the practice's inhaler clinic on my own.",
        target_on=today + timedelta(days=30),
        competency_ids=[framework.domains[0].competencies[0].id],
        today=today,
    )


def _development_plan(enrolment, trainee: User, supervisor: User, objective, today: date):
    """Her learning needs rated and commented on, her objective reviewed, her stage."""
    learning_needs.save_ratings(
        enrolment,
        trainee=trainee,
        ratings={
            c.id: enrolment.framework.scale[0].code
            for c in learning_needs.rated_competencies(enrolment, None)
        },
    )
    learning_needs.comment(enrolment, supervisor=supervisor, text="Start at the clinic.")
    objectives.review_objective(
        enrolment,
        objective,
        reviewer=supervisor,
        outcome="continuing",
        comment="One more supervised clinic.",
        today=today,
    )
    stages.record_stage(
        enrolment, actor=supervisor, stage="entry", started_on=enrolment.started_on, today=today
    )


def _feedback_round(enrolment, trainee: User) -> None:
    """An open multi-source feedback round with one colleague asked."""
    round_ = feedback_rounds.open_round(enrolment, actor=trainee)
    feedback_rounds.nominate(
        round_, name="Rhea Rater", email="rhea.rater@example.net", role="nurse", actor=trainee
    )


def _registration_records(
    app: Flask,
    person: User,
    supervisor: User,
    today: date,
    *,
    number: str = "5012345",
    what_learned: str = "How to find licensed alternatives during a shortage.",
) -> dict:
    """A registered technician's records: registration, certificate, training log, CPD."""
    expires_on = today + timedelta(days=150)
    row = registration.record_registration(
        person,
        registration.RegistrationDetails(
            "pharmacy-technician",
            "registered",
            number,
            date(expires_on.year - 3, 3, 1),
            expires_on,
        ),
        actor=person,
    )
    qualifications.save_qualification(
        person,
        qualifications.QualificationDetails(
            kind="l3-diploma-principles-practice",
            status="achieved",
            awarding_body="NCFE CACHE",
            started_on=date(2020, 1, 6),
            achieved_on=date(2022, 1, 6),
        ),
        actor=person,
        today=today,
        certificate=Upload(io.BytesIO(PDF), "certificate.pdf"),
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    start = _monday_on_or_before(today - timedelta(days=70))
    training_log.set_training_start(person, start, actor=person, today=today)
    week = training_log.log_week(
        person,
        training_log.WeekEntry(start + timedelta(weeks=1), Decimal(30), Decimal(20), "Sam"),
        actor=person,
        today=today,
    )
    record = revalidation.add_record(
        person,
        revalidation.RecordInput(
            "cpd-unplanned",
            "Query about a shortage",
            today,
            {
                "what_learned": what_learned,
                "benefit": "A patient switched to an available product the same day.",
            },
        ),
        actor=person,
        today=today,
    )
    return {"registration_id": row.id, "week_id": week.id, "record_id": record.id}


def build_world(app: Flask, make_user, make_org, framework) -> World:
    today = uk_today()
    north = make_org("North hub", "training-hub")
    practice = make_org("North practice", "practice", north)
    south = make_org("South hub", "training-hub")
    south_practice = make_org("South practice", "practice", south)

    owner = make_user(roles=("trainee",), org=practice, name=OWNER_NAME, email=OWNER_EMAIL)
    other = make_user(roles=("trainee",), org=practice, name="Bo Otherton")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000001")
    unassigned = make_user(roles=("supervisor",), org=practice, gphc="2000002")
    lead = make_user(roles=("lead",), org=north)
    outside_lead = make_user(roles=("lead",), org=south)
    admin = make_user(roles=("admin",), org=north)
    south_trainee = make_user(roles=("trainee",), org=south_practice, name="Cy Southey")
    south_supervisor = make_user(roles=("supervisor",), org=south_practice, gphc="2000003")

    cohort = organisations.create_cohort("North cohort", north, framework_id=framework.id)
    started = today - timedelta(days=120)
    enrolment = enrolments.enrol(
        owner, framework, supervisor=supervisor, cohort=cohort, started_on=started
    )
    other_enrolment = enrolments.enrol(
        other, framework, supervisor=unassigned, cohort=cohort, started_on=started
    )
    enrolments.enrol(south_trainee, framework, supervisor=south_supervisor, started_on=started)

    shared, shared_file = _evidence(app, enrolment, owner, SHARED_TITLE, submit=True)
    draft, draft_file = _evidence(app, enrolment, owner, DRAFT_TITLE, submit=False)
    _evidence(app, other_enrolment, other, "Bo's own reflection", submit=True)
    sign_off = signoffs.sign_off(
        enrolment,
        framework.domains[0].competencies[1],
        signer=supervisor,
        outcome_code=framework.scale[-1].code,
        comment="Seen in practice.",
        override_justification="Assessed directly in practice.",
        authenticated_at=utcnow(),
    )
    records = _registration_records(app, owner, supervisor, today)
    objective = _objective(enrolment, owner, framework, today)
    _development_plan(enrolment, owner, supervisor, objective, today)
    _feedback_round(enrolment, owner)
    note = notifications.notify(owner, "evidence.reviewed", "Your evidence was reviewed.")
    api_tokens.create_token(owner, "Ada's script")
    token_id = db.session.scalar(select(func.max(ApiToken.id)))
    db.session.commit()
    self_supervisor = make_user(
        roles=("trainee", "supervisor"), org=practice, name="Dee Selfsup", gphc="2000004"
    )

    args: dict[str, object] = {
        "code": framework.code,
        "version": framework.version,
        "user_id": owner.id,
        "trainee_id": owner.id,
        "signer_id": supervisor.id,
        "org_id": practice.id,
        "organisation_id": practice.id,
        "cohort_id": cohort.id,
        "enrolment_id": enrolment.id,
        "evidence_id": shared.id,
        "attachment_id": shared_file.id,
        "version_number": 1,
        # A competency not yet signed off, so the sign-off form shows.
        "competency_id": framework.domains[0].competencies[0].id,
        "competency_code": framework.domains[0].competencies[0].code,
        "type_code": framework.evidence_types[0].code,
        "sign_off_id": sign_off.id,
        "notification_id": note.id,
        "token_id": token_id,
        "week_id": records["week_id"],
        "record_id": records["record_id"],
        "objective_id": objective.id,
        "token": "no-such-link",  # a one-time link's token (none was ever issued)
        "request_id": 1,  # an assessment request (none was ever made: 404)
        "list_number": 1,  # a credential status list (no credential was issued: 404)
        "public_id": "5a0f1c1e-0000-4000-8000-000000000001",  # a credential (none issued: 404)
        "kind": "progress-csv",  # an export's kind
        "job_id": 1,  # a background export (none was ever asked for: 404)
        "upload_id": 1,  # a framework file uploaded for publishing (none was: 404)
    }
    self_args, self_draft_args = _self_supervised_records(
        app, self_supervisor, unassigned, framework, cohort, started, today, args
    )
    return World(
        users={
            "owner": owner,
            "other_trainee": other,
            "assigned_supervisor": supervisor,
            "unassigned_supervisor": unassigned,
            "lead_inside": lead,
            "lead_outside": outside_lead,
            "admin": admin,
            "self_supervisor": self_supervisor,
        },
        args=args,
        draft_args={**args, "evidence_id": draft.id, "attachment_id": draft_file.id},
        others={
            "registration_id": records["registration_id"],
            "unassigned_supervisor_id": unassigned.id,
            "framework_id": framework.id,
        },
        self_args=self_args,
        self_draft_args=self_draft_args,
    )


def _self_supervised_records(
    app: Flask, person: User, real_supervisor: User, framework, cohort, started, today, args
) -> tuple[dict, dict]:
    """Dee's records, made through the services while `real_supervisor` supervised her,
    then her enrolment rewritten to name her as her own supervisor."""
    enrolment = enrolments.enrol(
        person, framework, supervisor=real_supervisor, cohort=cohort, started_on=started
    )
    shared, shared_file = _evidence(app, enrolment, person, "Dee's shared reflection", submit=True)
    draft, draft_file = _evidence(app, enrolment, person, "Dee's draft", submit=False)
    sign_off = signoffs.sign_off(
        enrolment,
        framework.domains[0].competencies[1],
        signer=real_supervisor,
        outcome_code=framework.scale[-1].code,
        comment="Watched at the counter.",
        override_justification="Checked at the counter.",
        authenticated_at=utcnow(),
    )
    records = _registration_records(
        app,
        person,
        real_supervisor,
        today,
        number="5012346",
        what_learned="Where the practice keeps its stock records.",
    )
    objective = _objective(enrolment, person, framework, today)
    note = notifications.notify(person, "evidence.reviewed", "Your evidence was reviewed.")
    api_tokens.create_token(person, "Dee's script")
    token_id = db.session.scalar(select(func.max(ApiToken.id)))
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .values(clinical_supervisor_id=person.id, education_supervisor_id=person.id)
    )
    summary_upkeep.touch([enrolment.id])  # no flush sees a bulk UPDATE
    db.session.commit()
    own = {
        **args,
        "user_id": person.id,
        "trainee_id": person.id,
        "enrolment_id": enrolment.id,
        "evidence_id": shared.id,
        "attachment_id": shared_file.id,
        "sign_off_id": sign_off.id,
        "notification_id": note.id,
        "token_id": token_id,
        "week_id": records["week_id"],
        "record_id": records["record_id"],
        "objective_id": objective.id,
    }
    return own, {**own, "evidence_id": draft.id, "attachment_id": draft_file.id}


def signed_in_client(app: Flask, login, user: User | None):
    """A client with a session cookie for pages and a bearer token for the API."""
    client = app.test_client()
    if user is None:
        return client
    login(client, user)
    token = api_tokens.create_token(user)
    db.session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def fingerprint(app: Flask) -> tuple:
    """Every row of every table, and the stored files: equal fingerprints, nothing changed."""
    db.session.commit()
    rows = []
    for table in Base.metadata.sorted_tables:
        result = db.session.execute(select(table).order_by(*table.primary_key.columns))
        rows.append((table.name, tuple(tuple(r) for r in result)))
    db.session.commit()
    uploads = Path(app.config["UPLOAD_DIR"])
    files = tuple(sorted(str(p.relative_to(uploads)) for p in uploads.rglob("*") if p.is_file()))
    return tuple(rows), files
