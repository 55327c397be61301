"""A request that fails half-way leaves nothing half-written.

A fault is injected between two writes of one real request: the first write has reached
the database (flushed), the second raises. The person sees the error page, and the
database holds neither write: the transaction is rolled back whole, and no e-mail goes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.evidence import Evidence, EvidenceVersion
from app.models.notifications import Notification
from app.models.signoffs import SignOff
from app.services.audit import chain as audit
from app.services.notifications import messages as notifications
from app.services.portfolio import evidence as evidence_service
from tests.evidence.conftest import TODAY, valid_answers
from tests.supervision.conftest import competency, count, sent_mail


class InjectedFault(RuntimeError):
    """The failure a test plants between two writes."""


@pytest.fixture
def production_errors(app):
    """Errors answer 500 pages, as in production, instead of reaching the test."""
    app.testing = False
    yield app
    app.testing = True


def fail_on(monkeypatch, module, name: str, when=lambda *a, **kw: True) -> list[str]:
    """Make `module.name` raise InjectedFault when `when(...)` holds; returns the calls seen."""
    original = getattr(module, name)
    seen: list[str] = []

    def faulty(*args, **kwargs):
        if when(*args, **kwargs):
            # The first write of the request is already in the database, uncommitted.
            db.session.flush()
            seen.append(name)
            raise InjectedFault("injected between two writes")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, faulty)
    return seen


def test_a_fault_between_submitting_and_auditing_leaves_the_draft_unsubmitted(
    production_errors, monkeypatch, login, enrolment, trainee
):
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title="Inhaler clinic"),
        [("B1", "Taught inhaler technique")],
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    item_id = item.id
    client = production_errors.test_client()
    login(client, trainee)
    events_before = count(AuditEvent)
    # The status and the version's submitted_at are written; the audit event then fails.
    seen = fail_on(
        monkeypatch, audit, "record", lambda action, *a, **kw: action == "evidence.submitted"
    )

    response = client.post(f"/portfolio/evidence/{item_id}/submit")

    assert seen == ["record"]
    assert response.status_code == 500
    db.session.expire_all()
    found = db.session.get(Evidence, item_id)
    assert (found.status, found.submitted_at) == ("draft", None)
    version = db.session.scalar(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == item_id)
    )
    assert version.submitted_at is None
    assert count(AuditEvent) == events_before
    assert audit.verify_chain().intact


def test_a_fault_between_the_sign_off_and_its_notification_leaves_no_sign_off(
    production_errors, monkeypatch, login, enrolment, ready, supervisor
):
    ready(enrolment, "B1")
    path = (
        f"/supervision/enrolments/{enrolment.id}/competencies/"
        f"{competency(enrolment, 'B1').id}/sign-off"
    )
    client = production_errors.test_client()
    login(client, supervisor)
    client.post("/auth/confirm", data={"password": "correct horse battery"})
    mail_before, events_before = len(sent_mail(production_errors)), count(AuditEvent)
    notes_before = count(Notification)
    # The sign-off row and its audit event are written; telling the trainee then fails.
    seen = fail_on(monkeypatch, notifications, "notify")

    response = client.post(
        path, data={"outcome": "competent", "comment": "Teaches technique clearly."}
    )

    assert seen == ["notify"]
    assert response.status_code == 500
    assert count(SignOff) == 0
    assert count(AuditEvent) == events_before
    assert count(Notification) == notes_before
    assert len(sent_mail(production_errors)) == mail_before
    assert audit.verify_chain().intact

    # Once the fault is gone the same request signs off, once.
    monkeypatch.undo()
    assert client.post(path, data={"outcome": "competent", "comment": "Clear."}).status_code == 302
    assert count(SignOff) == 1
