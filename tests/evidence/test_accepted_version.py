"""Revising accepted evidence: what was accepted is what was assessed.

While the trainee drafts a new version of accepted evidence, the draft is theirs alone:
their supervisors and leads go on seeing the accepted version, and it goes on counting
towards sign-off (and is what a sign-off records) until a later version is accepted. A
later version sent back for changes leaves the accepted one counting: a professional
portfolio holds what an assessor accepted, not what the trainee has since written.
"""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.evidence import Evidence
from app.models.frameworks import Competency
from app.services.accounts import api_tokens, organisations
from app.services.accounts.users import create_user
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.access import (
    audience,
    evidence_visible_to,
    version_seen_by,
)
from app.services.portfolio.lists import (
    evidence_linked_to,
    evidence_page,
    evidence_row,
    status_counts,
)
from app.services.portfolio.sufficiency import progress_for
from app.services.supervision import enrolments, reviews, signoffs
from tests.conftest import ROOT, import_framework_file
from tests.evidence.conftest import TODAY, valid_answers
from tests.test_migration_round_trip import empty_database, migration_app  # noqa: F401

ACCEPTED_TITLE = "Inhaler technique reflection"
DRAFT_TITLE = "Inhaler technique reflection, rewritten"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def lead(make_user, org):
    return make_user(roles=("lead",), org=org.parent, name="Hana Hub-Lead")


@pytest.fixture
def upload_dir(app):
    return app.config["UPLOAD_DIR"]


def competency(enrolment, code: str) -> Competency:
    return db.session.scalar(
        select(Competency).where(
            Competency.framework_id == enrolment.framework_id, Competency.code == code
        )
    )


def revise(item: Evidence, title: str, codes: list[str]) -> None:
    """The trainee saves changes to shared evidence: a new version, a draft."""
    evidence_service.edit(
        item,
        valid_answers(item.evidence_type.code, title=title),
        [(code, f"How this shows {code}") for code in codes],
        actor=item.enrolment.trainee,
        today=TODAY,
    )
    db.session.commit()


def submit(item: Evidence) -> None:
    evidence_service.submit(item, actor=item.enrolment.trainee)
    db.session.commit()


def review(item: Evidence, supervisor, decision: str) -> None:
    reviews.record_review(
        item,
        reviewer=supervisor,
        decision=decision,
        comment="" if decision == "accepted" else "Say what you would do next time.",
        version_number=item.current_version_number,
    )
    db.session.commit()


def others_progress(enrolment) -> dict[str, tuple[str, int]]:
    """(status, accepted items) per competency, as a supervisor or lead is shown it."""
    return {
        p.code: (p.status, p.accepted_count)
        for p in progress_for(enrolment, count_drafts=False)
        if p.code in ("D1.1", "D2.1")
    }


def relied_on(enrolment, code: str) -> list[tuple[str, int]]:
    versions = signoffs.accepted_evidence_versions(enrolment.id, competency(enrolment, code).id)
    return [(item.title, item.version) for item in signoffs.relied_on(versions)]


# --- Who sees which version ------------------------------------------------------------


def test_while_the_trainee_revises_accepted_evidence_others_see_the_accepted_version(
    enrolment, supervisor, lead, log_evidence
):
    item = log_evidence(
        enrolment, "reflective-account", ["D1.1"], status="accepted", title=ACCEPTED_TITLE
    )
    revise(item, DRAFT_TITLE, ["D2.1"])
    trainee = enrolment.trainee

    assert version_seen_by(trainee, item) == 2
    mine = evidence_row(trainee, item.id)
    assert (mine.title, mine.status, mine.version_number, mine.competency_codes) == (
        DRAFT_TITLE,
        "draft",
        2,
        ["D2.1"],
    )
    for viewer in (supervisor, lead):
        assert evidence_visible_to(viewer, item.id) is item, viewer.email
        assert version_seen_by(viewer, item) == 1
        row = evidence_row(viewer, item.id)
        assert (row.title, row.status, row.version_number, row.competency_codes) == (
            ACCEPTED_TITLE,
            "accepted",
            1,
            ["D1.1"],
        )
        listed = evidence_page(viewer, enrolment)
        assert [(r.title, r.status) for r in listed.rows] == [(ACCEPTED_TITLE, "accepted")]
        counts = status_counts(viewer, enrolment)
        assert (counts["accepted"], counts["draft"]) == (1, 0)
        # The draft's new claim shows nowhere but to the trainee.
        assert evidence_linked_to(viewer, enrolment, competency(enrolment, "D2.1")) == []
        assert [
            e.title for e in evidence_linked_to(viewer, enrolment, competency(enrolment, "D1.1"))
        ] == [ACCEPTED_TITLE]
    told = audience(item)
    assert [v.name for v in told.supervisors] == [supervisor.name]
    assert [v.name for v in told.leads] == [lead.name]


# --- Which version counts --------------------------------------------------------------


def test_the_accepted_version_counts_until_a_later_one_is_accepted(
    enrolment, supervisor, log_evidence
):
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted", title="Observed consultation")
    item = log_evidence(
        enrolment, "reflective-account", ["D1.1"], status="accepted", title=ACCEPTED_TITLE
    )
    assert others_progress(enrolment) == {"D1.1": ("ready", 2), "D2.1": ("not_started", 0)}

    # The revision moves the item's claim from D1.1 to D2.1: nothing changes for anyone
    # else while it is a draft, and version 1 still counts for D1.1.
    revise(item, DRAFT_TITLE, ["D2.1"])
    assert others_progress(enrolment) == {"D1.1": ("ready", 2), "D2.1": ("not_started", 0)}
    own = {p.code: p.status for p in progress_for(enrolment) if p.code in ("D1.1", "D2.1")}
    assert own == {"D1.1": "ready", "D2.1": "in_progress"}
    assert relied_on(enrolment, "D1.1") == [("Observed consultation", 1), (ACCEPTED_TITLE, 1)]

    # Submitted, it is shared and waits for review; version 1 still counts.
    submit(item)
    assert others_progress(enrolment) == {"D1.1": ("ready", 2), "D2.1": ("in_progress", 0)}

    # Sent back for changes: version 1, which was assessed and accepted, still counts.
    review(item, supervisor, "changes_requested")
    assert others_progress(enrolment) == {"D1.1": ("ready", 2), "D2.1": ("in_progress", 0)}
    assert relied_on(enrolment, "D1.1") == [("Observed consultation", 1), (ACCEPTED_TITLE, 1)]
    assert relied_on(enrolment, "D2.1") == []

    # Changed again: while version 3 is a draft, others see version 1, the accepted one
    # (version 2 was sent back), and it still counts.
    revise(item, "Inhaler technique reflection, third version", ["D2.1"])
    assert others_progress(enrolment) == {"D1.1": ("ready", 2), "D2.1": ("not_started", 0)}
    # Accepted, version 3 counts in place of version 1.
    submit(item)
    review(item, supervisor, "accepted")
    assert item.accepted_version_number == 3
    assert others_progress(enrolment) == {"D1.1": ("in_progress", 1), "D2.1": ("in_progress", 1)}
    assert relied_on(enrolment, "D1.1") == [("Observed consultation", 1)]
    assert relied_on(enrolment, "D2.1") == [("Inhaler technique reflection, third version", 3)]


def test_a_sign_off_made_during_a_revision_records_the_accepted_version(
    enrolment, supervisor, log_evidence
):
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted", title="Observed consultation")
    item = log_evidence(
        enrolment, "reflective-account", ["D1.1"], status="accepted", title=ACCEPTED_TITLE
    )
    accepted_sha = item.current_version.content_sha256
    revise(item, DRAFT_TITLE, ["D1.1"])
    record = signoffs.sign_off(
        enrolment,
        competency(enrolment, "D1.1"),
        signer=supervisor,
        outcome_code="competent",
        comment="Clear and safe.",
        authenticated_at=utcnow(),
    )
    db.session.commit()
    mine = next(v for v in record.evidence_versions if v["evidence_id"] == item.id)
    assert (mine["version"], mine["content_sha256"]) == (1, accepted_sha)
    assert [(r.title, r.version) for r in signoffs.relied_on(record.evidence_versions)] == [
        ("Observed consultation", 1),
        (ACCEPTED_TITLE, 1),
    ]


# --- The pages and the API ---------------------------------------------------------------


def _page(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.data, "html.parser")


def _text(page: BeautifulSoup, selector: str) -> str:
    found = page.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found.get_text(" ", strip=True)


@pytest.fixture
def revised(enrolment, supervisor, upload_dir):
    """Accepted evidence with a file (version 1), and the trainee's draft version 2 with
    a new title and a file of its own."""
    trainee = enrolment.trainee
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title=ACCEPTED_TITLE),
        [("D1.1", "How this shows D1.1")],
        actor=trainee,
        today=TODAY,
    )
    evidence_service.add_attachment(
        item, io.BytesIO(PDF), "accepted.pdf", actor=trainee, upload_dir=upload_dir, max_bytes=2**20
    )
    submit(item)
    review(item, supervisor, "accepted")
    revise(item, DRAFT_TITLE, ["D2.1"])
    evidence_service.add_attachment(
        item,
        io.BytesIO(PDF),
        "draft-only.pdf",
        actor=trainee,
        upload_dir=upload_dir,
        max_bytes=2**20,
    )
    db.session.commit()
    assert (item.status, item.current_version_number, item.accepted_version_number) == (
        "draft",
        2,
        1,
    )
    return item


def test_the_supervisor_opens_the_accepted_version_while_the_trainee_edits(
    app, login, supervisor, revised
):
    client = app.test_client()
    login(client, supervisor)
    page = _page(client.get(f"/supervision/evidence/{revised.id}/review"))
    assert _text(page, "h1") == ACCEPTED_TITLE
    assert _text(page, "#evidence-status").startswith("Accepted Version 1")
    assert DRAFT_TITLE not in page.get_text()
    assert page.select_one("#review-form") is None
    files = {a.get_text(strip=True): a["href"] for a in page.select("#attachments a")}
    assert list(files) == ["accepted.pdf"]
    assert client.get(files["accepted.pdf"]).status_code == 200
    draft_file = next(a for a in revised.attachments if a.original_filename == "draft-only.pdf")
    hidden = client.get(f"/supervision/evidence/{revised.id}/attachments/{draft_file.id}")
    assert hidden.status_code == 404


def test_the_lead_reads_the_accepted_version_in_the_summary_and_the_api(
    app, login, lead, enrolment, revised
):
    client = app.test_client()
    login(client, lead)
    summary = _page(client.get(f"/lead/trainees/{enrolment.id}")).get_text(" ", strip=True)
    assert ACCEPTED_TITLE in summary
    assert DRAFT_TITLE not in summary
    token = api_tokens.create_token(lead, "tests")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    item = api.get(f"/api/v1/evidence/{revised.id}", headers=headers)
    assert item.status_code == 200
    body = item.get_json()
    assert (body["title"], body["status"], body["version"]) == (ACCEPTED_TITLE, "accepted", 1)
    listed = api.get(f"/api/v1/trainees/{enrolment.trainee_id}/evidence", headers=headers)
    assert [(i["title"], i["status"]) for i in listed.get_json()["items"]] == [
        (ACCEPTED_TITLE, "accepted")
    ]


def test_the_trainee_is_told_which_version_others_see_and_which_counts(
    app, login, supervisor, enrolment, revised
):
    client = app.test_client()
    login(client, enrolment.trainee)
    page = _page(client.get(f"/portfolio/evidence/{revised.id}"))
    assert _text(page, "h1") == DRAFT_TITLE
    assert _text(page, "#counted-version").startswith(
        "Version 1, which your supervisor accepted, still counts"
    )
    who = _text(page, "#who-can-see")
    assert "Only you can see version 2, your draft. Version 1, the accepted one" in who
    assert supervisor.name in who


def test_after_changes_are_requested_on_the_new_version_the_reviewer_is_told_what_counts(
    app, login, supervisor, revised
):
    submit(revised)
    review(revised, supervisor, "changes_requested")
    client = app.test_client()
    login(client, supervisor)
    page = _page(client.get(f"/supervision/evidence/{revised.id}/review"))
    assert _text(page, "h1") == DRAFT_TITLE
    assert _text(page, "#evidence-status").startswith("Changes requested Version 2")
    assert _text(page, "#counted-version") == (
        "Version 1 was accepted and still counts towards sign-off; "
        "this version takes its place only if it is accepted."
    )


# --- Existing data ---------------------------------------------------------------------


def test_the_migration_gives_each_item_the_version_last_accepted(migration_app):  # noqa: F811
    """Items revised before this change count again: the column is filled from reviews."""
    upgrade()
    framework = import_framework_file(ROOT / "frameworks" / "ncf-pcpt-3.yaml")
    org = organisations.create_organisation("Migration practice", "practice", None)

    def person(email: str, roles: tuple[str, ...], gphc: str | None = None):
        return create_user(
            email=email,
            name=email.split("@")[0].title(),
            roles=roles,
            password=None,
            password_hash="$argon2id$not-a-usable-hash",
            organisation=org,
            gphc_number=gphc,
        )

    supervisor = person("supervisor@example.org", ("supervisor",), "2000001")
    trainee = person("trainee@example.org", ("trainee",))
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor, started_on=TODAY)
    db.session.commit()

    def item(title: str) -> Evidence:
        made = evidence_service.create_draft(
            enrolment,
            "mcq",
            valid_answers("mcq", title=title),
            [("D1.1", "")],
            actor=trainee,
            today=TODAY,
        )
        submit(made)
        return made

    revised, sent_back, accepted_twice = item("Revised"), item("Sent back"), item("Twice")
    for done in (revised, accepted_twice):
        review(done, supervisor, "accepted")
    review(sent_back, supervisor, "changes_requested")
    revise(revised, "Revised, version 2", ["D1.1"])
    revise(accepted_twice, "Twice, version 2", ["D1.1"])
    submit(accepted_twice)
    review(accepted_twice, supervisor, "accepted")
    ids = {"revised": revised.id, "sent back": sent_back.id, "twice": accepted_twice.id}
    db.session.remove()

    downgrade(revision="5e1f0b7c9a22")
    upgrade()
    found = dict(db.session.execute(select(Evidence.id, Evidence.accepted_version_number)).all())
    assert {name: found[i] for name, i in ids.items()} == {
        "revised": 1,
        "sent back": None,
        "twice": 2,
    }
