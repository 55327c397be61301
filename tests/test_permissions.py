"""Deny by default, checked for every route the app registers.

The routes come from `app.url_map`, so a new route is covered the moment it exists:
it fails here until its view declares roles and its URL arguments have a sample below.
What each role may do with whose records is the access matrix in tests/security.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent

ROLES = ("trainee", "supervisor", "lead", "admin")
# Endpoints that answer without a view of ours.
SKIP_ENDPOINTS = {"static"}


def _routes(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_its_roles(app):
    undeclared = [
        rule.rule
        for rule, _ in _routes(app)
        if not getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
    ]
    assert undeclared == []


def test_a_route_without_declared_roles_is_refused_even_when_signed_in(app, make_user, login):
    @app.route("/undeclared-probe")
    def undeclared_probe():
        return "should never be served"

    client = app.test_client()
    login(client, make_user(roles=ROLES))
    response = client.get("/undeclared-probe")
    assert response.status_code == 403
    assert b"should never be served" not in response.data


@pytest.fixture
def world(app, make_user, make_org, framework):
    """One person per role, a trainee enrolled with a supervisor, all inside one hub."""
    from app.services.accounts import organisations
    from app.services.supervision import enrolments

    hub = make_org("Hub", "training-hub")
    practice = make_org("Practice", "practice", hub)
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000001")
    trainee = make_user(roles=("trainee",), org=practice)
    lead = make_user(roles=("lead",), org=hub)
    admin = make_user(roles=("admin",), org=hub)
    cohort = organisations.create_cohort("Cohort A", hub, framework_id=framework.id)
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor, cohort=cohort)
    evidence, attachment = _submitted_evidence_with_file(app, enrolment, trainee)
    sign_off = _signed_off(enrolment, supervisor)
    db.session.commit()
    return {
        "users": {"trainee": trainee, "supervisor": supervisor, "lead": lead, "admin": admin},
        "args": {
            "code": framework.code,
            "version": framework.version,
            "user_id": trainee.id,
            "trainee_id": trainee.id,
            "signer_id": supervisor.id,
            "org_id": practice.id,
            "organisation_id": practice.id,
            "cohort_id": cohort.id,
            "enrolment_id": enrolment.id,
            "evidence_id": evidence.id,
            "attachment_id": attachment.id,
            "version_number": 1,
            "competency_code": framework.domains[0].competencies[0].code,
            "type_code": framework.evidence_types[0].code,
            "page": 1,
            # Registration pages: POST-only routes, so ids need not exist.
            "week_id": 1,
            "record_id": 1,
            # Supervision: a competency not yet signed off, and a sign-off of another.
            "competency_id": framework.domains[0].competencies[0].id,
            "sign_off_id": sign_off.id,
            "notification_id": 1,  # POST-only routes
            "objective_id": 1,  # a development objective: a GET of none answers 404
            "token_id": 1,
            "token": "no-such-link",  # a one-time link's token (none was ever issued)
            "request_id": 1,  # an assessment request (POST-only routes)
            "kind": "progress-csv",  # an export's kind
            "job_id": 1,  # a background export (none was asked for: 404)
            "upload_id": 1,  # a framework file uploaded for publishing (none: 404)
            "list_number": 1,  # a credential status list (none issued: 404)
            "public_id": "5a0f1c1e-0000-4000-8000-000000000001",  # a credential (none: 404)
        },
    }


def _signed_off(enrolment, supervisor):
    """A standing sign-off (with an override, since no evidence is accepted yet)."""
    from app.models.base import utcnow
    from app.services.supervision import signoffs

    return signoffs.sign_off(
        enrolment,
        enrolment.framework.domains[0].competencies[1],
        signer=supervisor,
        outcome_code=enrolment.framework.scale[-1].code,
        comment="Seen in practice.",
        override_justification="Assessed directly in practice.",
        authenticated_at=utcnow(),
    )


def _submitted_evidence_with_file(app, enrolment, trainee):
    """The trainee's evidence, submitted so their supervisor and lead may see it too."""
    import io

    from app.services.portfolio import evidence as evidence_service
    from tests.evidence.conftest import valid_answers

    code = enrolment.framework.domains[0].competencies[0].code
    evidence = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account"),
        [(code, "")],
        actor=trainee,
    )
    attachment = evidence_service.add_attachment(
        evidence,
        io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
        "notes.pdf",
        actor=trainee,
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    evidence_service.submit(evidence, actor=trainee)
    return evidence, attachment


def _url(rule, args) -> str:
    missing = [a for a in rule.arguments if a not in args]
    assert not missing, f"add a sample value for {missing} used by {rule.rule}"
    return rule.build({a: args[a] for a in rule.arguments}, append_unknown=False)[1]


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def _signed_in_client(app, login, user):
    """A client with a session cookie for pages and a bearer token for the API."""
    from app.services.accounts import api_tokens

    client = app.test_client()
    login(client, user)
    token = api_tokens.create_token(user)
    db.session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_no_get_route_changes_state(app, world, login):
    """GET must be safe: opening every page as an admin-and-everything user writes nothing."""
    client = app.test_client()
    everyone = world["users"]["admin"]
    from app.services.accounts import users as accounts

    accounts.set_roles(everyone, ROLES, actor=everyone)
    db.session.commit()
    client = _signed_in_client(app, login, everyone)
    before = _audit_count()
    for rule, method in _routes(app):
        if method == "GET" and rule.endpoint != "auth.logout":
            client.get(_url(rule, world["args"]))
    # Page views may read anything but must write nothing.
    assert _audit_count() == before
