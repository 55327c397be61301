"""`flask demo generate`: a bulk dataset that is what the services would have written."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.demo.generate import (
    DEMO_PASSWORD_HASH,
    REGION_LEAD_EMAIL,
    TABLES,
    generate_dataset,
    hub_lead_email,
    supervisor_email,
    trainee_email,
)
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.models import (
    AuditEvent,
    Cohort,
    Enrolment,
    Evidence,
    EvidenceLink,
    EvidenceVersion,
    Notification,
    Organisation,
    Qualification,
    Registration,
    Review,
    SignOff,
    SupervisionSession,
    User,
    UserRole,
)
from app.services.accounts import passwords
from app.services.audit import chain as audit
from app.services.portfolio import sufficiency
from app.services.portfolio.assessment_forms import form_for as form_definition
from app.services.portfolio.assessment_forms import validate
from app.services.portfolio.assessment_scales import assessment_of
from app.services.portfolio.content import version_digest
from app.services.supervision.signoffs import accepted_evidence_versions, sign_off_digest

TODAY = date(2026, 3, 16)
TRAINEES, PER_TRAINEE = 20, 5


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def generated(framework):
    result = generate_dataset(TRAINEES, PER_TRAINEE, seed=7, today=TODAY)
    db.session.commit()
    return result


def _dump() -> dict[str, list[tuple]]:
    """Every generated table's rows in id order (audit events apart: they carry the time)."""
    dump = {}
    for table in TABLES:
        order = list(table.primary_key.columns)
        dump[table.name] = [
            tuple(row) for row in db.session.execute(table.select().order_by(*order))
        ]
    return dump


def test_counts_follow_the_requested_size(generated):
    assert generated.rows["evidence"] == count(Evidence) == TRAINEES * PER_TRAINEE
    roles = dict(
        db.session.execute(select(UserRole.role, func.count()).group_by(UserRole.role)).all()
    )
    # One supervisor for every 8 trainees, a lead for the region and one for its hub.
    assert roles == {"trainee": TRAINEES, "supervisor": math.ceil(TRAINEES / 8), "lead": 2}
    assert count(Enrolment) == TRAINEES
    assert db.session.scalar(select(func.count(func.distinct(Enrolment.trainee_id)))) == TRAINEES
    assert count(Qualification) == TRAINEES
    # Every trainee and supervisor has a registration record; leads have none.
    assert count(Registration) == TRAINEES + math.ceil(TRAINEES / 8)
    kinds = Counter(db.session.scalars(select(Organisation.kind)))
    assert kinds == {"region": 1, "training-hub": 1, "pcn": 6, "practice": 30}
    assert count(Cohort) == 1
    assert count(SupervisionSession) > 0
    assert count(Notification) > 0
    for table, written in generated.rows.items():
        assert written == db.session.scalar(
            select(func.count()).select_from(next(t for t in TABLES if t.name == table))
        ), table


def test_the_shared_password_hash_is_the_demo_password():
    assert passwords.verify_password(DEMO_PASSWORD_HASH, DEMO_PASSWORD)


def test_every_user_signs_in_with_the_demo_password(generated, client):
    for email in (REGION_LEAD_EMAIL, hub_lead_email(1), supervisor_email(1), trainee_email(20)):
        response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/auth/logout")


def test_evidence_is_in_every_state_with_one_to_three_links(generated):
    statuses = Counter(db.session.scalars(select(Evidence.status)))
    assert set(statuses) == {"draft", "submitted", "changes_requested", "accepted"}
    assert statuses["accepted"] > TRAINEES * PER_TRAINEE / 2
    links = Counter(db.session.scalars(select(EvidenceLink.evidence_version_id)))
    assert count(EvidenceVersion) == len(links)
    assert set(links.values()) <= {1, 2, 3}
    assert db.session.scalar(select(func.max(EvidenceVersion.number))) == 2
    types = db.session.scalar(select(func.count(func.distinct(Evidence.evidence_type_id))))
    assert types >= 5


def test_rows_are_what_the_services_would_write(generated):
    items = db.session.scalars(
        select(Evidence).options(
            selectinload(Evidence.versions)
            .selectinload(EvidenceVersion.links)
            .selectinload(EvidenceLink.competency),
            selectinload(Evidence.attachments),
        )
    ).all()
    reviews = {r.evidence_version_id: r for r in db.session.scalars(select(Review))}
    for item in items:
        current = item.versions[-1]
        assert item.current_version_number == current.number == len(item.versions)
        assert (item.title, item.occurred_on) == (current.title, current.occurred_on)
        for version in item.versions:
            # The content digest is the evidence service's, of exactly what is stored.
            assert version.content_sha256 == version_digest(item, version)
            answers = {**version.fields, "title": version.title, "occurred_on": version.occurred_on}
            kind = item.evidence_type
            form = form_definition(kind.code, observed=kind.observed)
            values, errors = validate(form, answers, today=TODAY)
            assert errors == {}
            cleaned = {k: v for k, v in values.items() if k not in ("title", "occurred_on")}
            assert cleaned == version.fields
            # What sufficiency counts of the assessment is read from those answers.
            assert (version.judgement, version.rating_level) == assessment_of(form, values)
            review = reviews.get(version.id)
            if review is not None:
                assert review.content_sha256 == version.content_sha256
                assert version.submitted_at is not None
                assert version.submitted_at <= review.created_at
        # The status is what the last review (or submission) of the current version left.
        review = reviews.get(current.id)
        if review is not None:
            assert item.status == review.decision
        else:
            assert item.status == ("submitted" if current.submitted_at else "draft")
        if item.status == "draft" and item.current_version_number == 1:
            assert item.submitted_at is None


def test_sign_offs_carry_their_digest_and_the_accepted_evidence(generated):
    sign_offs = db.session.scalars(select(SignOff)).all()
    competencies = 20 * TRAINEES
    # About 60% of all competencies are signed off.
    assert 0.4 < len(sign_offs) / competencies < 0.8
    for record in sign_offs:
        assert record.record_sha256 == sign_off_digest(record)
        assert record.evidence_versions == accepted_evidence_versions(
            record.enrolment_id, record.competency_id
        )
        enrolment = db.session.get(Enrolment, record.enrolment_id)
        assert record.signer_id == enrolment.clinical_supervisor_id
        progress = next(
            p
            for p in sufficiency.progress_for(enrolment, count_drafts=False)
            if p.competency_id == record.competency_id
        )
        # A sign-off whose rule was unmet says so, with the signer's justification.
        assert record.unmet_rule == progress.missing
        assert (record.override_justification is not None) == bool(progress.missing)


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not(framework):
    generate_dataset(TRAINEES, PER_TRAINEE, seed=3, today=TODAY)
    first = _dump()
    db.session.rollback()
    generate_dataset(TRAINEES, PER_TRAINEE, seed=3, today=TODAY)
    again = _dump()
    db.session.rollback()
    generate_dataset(TRAINEES, PER_TRAINEE, seed=4, today=TODAY)
    other = _dump()
    db.session.rollback()
    assert first == again
    assert first["evidence"] != other["evidence"]


def test_the_audit_chain_stays_intact_with_one_event_for_the_run(generated, runner):
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.action == "demo.generated"
    assert event.data["seed"] == 7
    assert event.data["rows"]["evidence"] == TRAINEES * PER_TRAINEE
    assert audit.verify_chain().intact
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def _login(client, email: str) -> None:
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_pages_render_for_a_generated_trainee_supervisor_and_leads(generated, client):
    trainee = db.session.scalar(select(User).where(User.email == trainee_email(1)))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.trainee_id == trainee.id))
    _login(client, trainee.email)
    home = client.get("/portfolio/")
    assert home.status_code == 200
    assert "D1.1" in home.text
    assert client.get("/portfolio/evidence").status_code == 200
    assert client.get("/portfolio/competencies/D1.1").status_code == 200
    client.post("/auth/logout")

    supervisor = db.session.get(User, enrolment.clinical_supervisor_id)
    waiting = db.session.scalar(
        select(Evidence.id)
        .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
        .where(Evidence.status == "submitted", Enrolment.clinical_supervisor_id == supervisor.id)
        .limit(1)
    )
    _login(client, supervisor.email)
    queue = client.get("/supervision/")
    assert queue.status_code == 200
    assert trainee.name in queue.text
    assert client.get(f"/supervision/evidence/{waiting}/review").status_code == 200
    assert client.get(f"/supervision/enrolments/{enrolment.id}").status_code == 200
    client.post("/auth/logout")

    for email in (REGION_LEAD_EMAIL, hub_lead_email(1)):
        _login(client, email)
        dashboard = client.get(f"/lead/dashboard?cohort={enrolment.cohort_id}")
        assert dashboard.status_code == 200
        assert trainee.name in dashboard.text
        assert client.get(f"/lead/trainees/{enrolment.id}").status_code == 200
        export = client.get("/lead/exports/progress.csv")
        assert export.status_code == 200
        assert len(export.text.strip().splitlines()) == TRAINEES + 1
        client.post("/auth/logout")


def test_the_command_prints_counts_and_logins(runner):
    result = runner.invoke(
        args=["demo", "generate", "--trainees", "9", "--evidence-per-trainee", "2", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "evidence" in result.output
    assert "18" in result.output
    assert REGION_LEAD_EMAIL in result.output
    assert count(Enrolment) == 9
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # A second run would mix two datasets: it is refused and changes nothing.
    again = runner.invoke(args=["demo", "generate", "--trainees", "9"])
    assert again.exit_code == 1
    assert "already holds a generated dataset" in again.output
    assert count(Enrolment) == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trainees", "0"], "--trainees must be from 1"),
        (["--trainees", "many"], "--trainees must be a whole number"),
        (["--trainees", "5", "--evidence-per-trainee", "-1"], "--evidence-per-trainee must be"),
        (["--trainees", "5", "--seed", "x"], "--seed must be a whole number"),
    ],
)
def test_bad_sizes_are_refused_with_one_line_and_change_nothing(runner, args, message):
    result = runner.invoke(args=["demo", "generate", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert count(User) == 0
    assert count(AuditEvent) == 0


def test_generate_refuses_the_production_configuration(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo", "generate", "--trainees", "3"])
    assert result.exit_code == 1
    assert "production" in result.output
    assert count(User) == 0
