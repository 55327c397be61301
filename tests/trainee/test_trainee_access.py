"""Who may open a trainee's evidence through the portfolio pages: its trainee, no one else.

Another trainee's item or file answers 404 (as if it did not exist) for every action and
changes nothing; a supervisor never sees a draft.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.services.portfolio import evidence as evidence_service
from app.services.supervision.enrolments import active_enrolment
from tests.trainee.conftest import MINIMAL_PDF, evidence_form


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.fixture
def item_with_file(app, enrolment, log_evidence):
    """A draft of the enrolment's trainee with one PDF attached: (evidence id, attachment id)."""

    def make(status: str = "draft"):
        item = log_evidence(enrolment, "reflective-account", ["D1.1"])
        attachment = evidence_service.add_attachment(
            item,
            io.BytesIO(MINIMAL_PDF),
            "mine.pdf",
            actor=enrolment.trainee,
            upload_dir=app.config["UPLOAD_DIR"],
            max_bytes=app.config["MAX_UPLOAD_BYTES"],
        )
        if status == "submitted":
            evidence_service.submit(item, actor=enrolment.trainee)
        db.session.commit()
        return item.id, attachment.id

    return make


def _requests(evidence_id: int, attachment_id: int):
    base = f"/portfolio/evidence/{evidence_id}"
    return [
        ("get", base, None),
        ("get", f"{base}/edit", None),
        ("get", f"{base}/versions/1", None),
        ("get", f"{base}/delete", None),
        ("get", f"{base}/attachments/{attachment_id}", None),
        ("post", f"{base}/edit", evidence_form("reflective-account", ["D1.1"], title="Hijack")),
        ("post", f"{base}/submit", {}),
        ("post", f"{base}/delete", {}),
        ("post", f"{base}/attachments", {"attachment": (io.BytesIO(MINIMAL_PDF), "x.pdf")}),
    ]


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_another_trainee_gets_404_for_every_action_and_changes_nothing(
    client, login, make_trainee, framework, item_with_file, status
):
    evidence_id, attachment_id = item_with_file(status)
    login(client, make_trainee(framework))
    before = audit_count()
    for method, url, data in _requests(evidence_id, attachment_id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert b"mine.pdf" not in response.data
    assert audit_count() == before


def test_a_trainee_without_an_enrolment_cannot_reach_anyones_evidence(
    client, login, make_user, item_with_file
):
    evidence_id, attachment_id = item_with_file()
    login(client, make_user(roles=("trainee",)))
    for method, url, data in _requests(evidence_id, attachment_id):
        assert getattr(client, method)(url, data=data).status_code == 404, url


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_a_supervisor_is_refused_the_trainees_portfolio_pages(
    client, login, supervisor, item_with_file, status
):
    evidence_id, attachment_id = item_with_file(status)
    login(client, supervisor)
    for method, url, data in _requests(evidence_id, attachment_id):
        assert getattr(client, method)(url, data=data).status_code == 403, url


def test_a_supervisor_who_is_also_a_trainee_cannot_open_their_trainees_draft(
    client, login, make_user, make_trainee, framework, org, log_evidence
):
    """Holding both roles must not let the supervisor role reach a draft via trainee pages."""
    both = make_user(roles=("supervisor", "trainee"), org=org, gphc="2000077")
    supervised = make_trainee(framework, supervised_by=both)
    draft = log_evidence(active_enrolment(supervised.id), "reflective-account", ["D1.1"])
    login(client, both)
    assert client.get(f"/portfolio/evidence/{draft.id}").status_code == 404
    listing = client.get("/portfolio/evidence")
    assert draft.title.encode() not in listing.data


def test_a_supervisor_downloads_a_submitted_file_but_never_a_drafts(
    client, login, make_user, make_trainee, framework, org, app
):
    """The download asks evidence_access, which shows supervisors shared items only."""
    both = make_user(roles=("supervisor", "trainee"), org=org, gphc="2000078")
    supervised = make_trainee(framework, supervised_by=both)
    enrolment = active_enrolment(supervised.id)
    from tests.evidence.conftest import valid_answers

    files = {}
    for status in ("draft", "submitted"):
        item = evidence_service.create_draft(
            enrolment,
            "reflective-account",
            valid_answers("reflective-account"),
            [("D1.1", "")],
            actor=supervised,
        )
        attachment = evidence_service.add_attachment(
            item,
            io.BytesIO(MINIMAL_PDF),
            f"{status}.pdf",
            actor=supervised,
            upload_dir=app.config["UPLOAD_DIR"],
            max_bytes=app.config["MAX_UPLOAD_BYTES"],
        )
        if status == "submitted":
            evidence_service.submit(item, actor=supervised)
        files[status] = f"/portfolio/evidence/{item.id}/attachments/{attachment.id}"
    db.session.commit()
    login(client, both)
    assert client.get(files["draft"]).status_code == 404
    assert client.get(files["submitted"]).status_code == 200
