"""Removing a file from evidence through the pages: only one nobody else has seen yet,
after a confirmation, with the stored file deleted once the removal is committed."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.evidence import Attachment
from app.services.storage import quota as storage_quota
from tests.trainee.conftest import MINIMAL_PDF, banner, soup
from tests.trainee.test_trainee_attachments import PNG, stored_files


def attach(client, item, content: bytes, filename: str) -> None:
    response = client.post(
        f"/portfolio/evidence/{item.id}/attachments",
        data={"attachment": (io.BytesIO(content), filename)},
    )
    assert response.status_code == 302, response.data[:500]


def files_list(page) -> dict[str, str | None]:
    """Each listed file's name -> the href of its Remove link, if it has one."""
    listed = {}
    for item in page.select("ul[aria-label='Attached files'] > li"):
        name = item.find("a").get_text(strip=True)
        removes = [a for a in item.find_all("a") if a.get_text(strip=True).startswith("Remove")]
        listed[name] = removes[0]["href"] if removes else None
    return listed


def test_a_draft_file_is_removed_after_confirming_and_its_stored_file_goes(
    client, app, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attach(client, item, MINIMAL_PDF, "Supervision notes.pdf")
    attach(client, item, PNG, "wrong photo.png")
    used = storage_quota.used_bytes(signed_in_trainee.id)
    unwanted = db.session.scalars(
        select(Attachment.id).where(Attachment.original_filename == "wrong photo.png")
    ).one()
    detail = soup(client.get(f"/portfolio/evidence/{item.id}"))
    links = files_list(detail)
    assert set(links) == {"Supervision notes.pdf", "wrong photo.png"}
    remove_href = links["wrong photo.png"]
    assert remove_href == f"/portfolio/evidence/{item.id}/attachments/{unwanted}/remove"
    # The link's words name the file for screen reader users.
    remove_link = detail.find("a", href=remove_href)
    assert remove_link.get_text(" ", strip=True) == "Remove wrong photo.png"

    # Asking changes nothing: the page asks to confirm, with a POST form.
    confirm = soup(client.get(remove_href))
    assert confirm.h1.get_text(strip=True) == "Are you sure you want to remove wrong photo.png?"
    assert "Nobody else has seen it" in confirm.get_text()
    assert confirm.main.find("form", method="post").find("button").get_text(strip=True) == (
        "Yes, remove this file"
    )
    assert db.session.get(Attachment, unwanted) is not None
    assert len(stored_files(app)) == 2

    response = client.post(remove_href)
    assert response.headers["Location"] == f"/portfolio/evidence/{item.id}#files"
    page = soup(client.get(response.headers["Location"]))
    assert "wrong photo.png is removed." in banner(page)
    assert set(files_list(page)) == {"Supervision notes.pdf"}
    db.session.expire_all()
    kept = db.session.scalars(select(Attachment)).one()
    assert kept.original_filename == "Supervision notes.pdf"
    assert [p.name for p in stored_files(app)] == [kept.storage_key]
    assert storage_quota.used_bytes(signed_in_trainee.id) == used - len(PNG)
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.data["attachment_id"]) == ("evidence.attachment_removed", unwanted)


def test_files_a_supervisor_could_see_have_no_remove_link_and_cannot_be_removed(
    client, app, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attach(client, item, MINIMAL_PDF, "seen.pdf")
    assert client.post(f"/portfolio/evidence/{item.id}/submit").status_code == 302
    # Attaching to submitted evidence starts version 2, whose own file can go.
    attach(client, item, PNG, "new.png")
    seen = db.session.scalars(
        select(Attachment).where(Attachment.original_filename == "seen.pdf")
    ).one()
    page = soup(client.get(f"/portfolio/evidence/{item.id}"))
    links = files_list(page)
    assert links["seen.pdf"] is None
    assert links["new.png"] is not None

    explained = soup(client.get(f"/portfolio/evidence/{item.id}/attachments/{seen.id}/remove"))
    assert explained.h1.get_text(strip=True) == "seen.pdf cannot be removed"
    assert "It was part of version 1, which you submitted" in explained.get_text()
    assert explained.main.find("form", method="post") is None

    events = db.session.scalar(select(db.func.count(AuditEvent.id)))
    response = client.post(f"/portfolio/evidence/{item.id}/attachments/{seen.id}/remove")
    page = soup(client.get(response.headers["Location"]))
    assert "Only a file added since you last submitted can be removed" in banner(page)
    assert set(files_list(page)) == {"seen.pdf", "new.png"}
    assert len(stored_files(app)) == 2
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events


def test_submitted_evidence_shows_no_remove_links(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attach(client, item, MINIMAL_PDF, "notes.pdf")
    client.post(f"/portfolio/evidence/{item.id}/submit")
    page = soup(client.get(f"/portfolio/evidence/{item.id}"))
    assert files_list(page) == {"notes.pdf": None}


def test_a_file_is_found_only_through_its_own_evidence(
    client, app, signed_in_trainee, enrolment, log_evidence
):
    first = log_evidence(enrolment, "reflective-account", ["D1.1"])
    second = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attach(client, first, MINIMAL_PDF, "notes.pdf")
    attachment = db.session.scalars(select(Attachment)).one()
    wrong = f"/portfolio/evidence/{second.id}/attachments/{attachment.id}/remove"
    assert client.get(wrong).status_code == 404
    assert client.post(wrong).status_code == 404
    missing = f"/portfolio/evidence/{first.id}/attachments/{attachment.id + 1}/remove"
    assert client.post(missing).status_code == 404
    assert db.session.get(Attachment, attachment.id) is not None
    assert len(stored_files(app)) == 1
