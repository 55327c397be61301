"""Saving the evidence form as the trainee types, and notes sent from the offline queue:
the JSON endpoints, the key that stores a note once, and the app's manifest, service
worker and session pages. The browser journeys are in tests/browser/test_offline_*.py."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.evidence import Evidence
from app.services.portfolio import drafts
from app.services.portfolio.assessment_forms import FREE_FORM, MINI_CEX, OBSERVATION, REFLECTIVE
from tests.trainee.conftest import VALID_NHS_NUMBER, evidence_form, soup

KEY = "0b6f7c1e-3f7a-4d55-9a55-1f0c2f1d9e01"
AUTOSAVE = "/portfolio/evidence/new/reflective-account/autosave"


def evidence_rows() -> list[Evidence]:
    return list(db.session.scalars(select(Evidence).order_by(Evidence.id)))


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def note(**overrides) -> dict:
    return {**evidence_form("reflective-account", ["D1.1"]), "client_key": KEY, **overrides}


def test_only_forms_of_words_and_dates_can_be_written_offline():
    assert drafts.is_text_only(FREE_FORM)
    assert drafts.is_text_only(REFLECTIVE)
    assert not drafts.is_text_only(OBSERVATION)
    assert not drafts.is_text_only(MINI_CEX)


def test_the_first_save_makes_a_draft_and_the_next_changes_it(client, signed_in_trainee):
    first = client.post(AUTOSAVE, data=note(title="Inhaler stock"))
    assert first.status_code == 200
    body = first.get_json()
    assert body["saved"] is True
    (item,) = evidence_rows()
    assert body["evidence_id"] == item.id
    assert body["detail_url"] == f"/portfolio/evidence/{item.id}"
    assert (item.title, item.status, item.client_key) == ("Inhaler stock", "draft", KEY)

    again = client.post(AUTOSAVE, data=note(title="Inhaler stock in care homes"))
    assert again.get_json()["evidence_id"] == item.id
    db.session.expire_all()
    (item,) = evidence_rows()
    assert item.title == "Inhaler stock in care homes"
    assert item.current_version_number == 1


def test_the_same_note_sent_twice_is_stored_once_with_one_audit_event(client, signed_in_trainee):
    before = audit_count()
    for _ in range(2):
        assert client.post(AUTOSAVE, data=note()).status_code == 200
    assert len(evidence_rows()) == 1
    assert audit_count() == before + 1  # the second, identical, changed nothing


def test_the_plain_form_with_the_key_saves_the_draft_typed_so_far(client, signed_in_trainee):
    client.post(AUTOSAVE, data=note(title="Half written"))
    response = client.post(
        "/portfolio/evidence/new/reflective-account", data=note(title="Finished")
    )
    assert response.status_code == 302
    (item,) = evidence_rows()
    assert item.title == "Finished"


def test_without_script_the_form_has_no_key_and_saves_a_new_draft_each_time(
    client, signed_in_trainee
):
    page = soup(client.get("/portfolio/evidence/new/reflective-account"))
    assert page.select_one("input[name=client_key]")["value"] == ""
    data = evidence_form("reflective-account", ["D1.1"])
    for _ in range(2):
        assert (
            client.post("/portfolio/evidence/new/reflective-account", data=data).status_code == 302
        )
    assert [e.client_key for e in evidence_rows()] == [None, None]


def test_an_incomplete_form_is_refused_with_the_fields_message_and_nothing_saved(
    client, signed_in_trainee
):
    before = audit_count()
    response = client.post(AUTOSAVE, data=note(title=""))
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] is False
    assert body["message"] == body["fields"]["title"]
    assert "title" in body["message"].lower()
    assert evidence_rows() == []
    assert audit_count() == before


def test_an_nhs_number_is_refused_as_on_the_form(client, signed_in_trainee):
    response = client.post(AUTOSAVE, data=note(what_happened=f"Patient {VALID_NHS_NUMBER}"))
    assert response.status_code == 200
    assert "NHS number" in response.get_json()["message"]
    assert evidence_rows() == []


def test_a_postcode_asks_for_the_confirmation_and_is_saved_once_confirmed(
    client, signed_in_trainee
):
    text = {"what_happened": "Delivered to the home at LS1 4AP"}
    warned = client.post(AUTOSAVE, data=note(**text))
    assert warned.status_code == 200
    body = warned.get_json()
    assert body["patient_data_warning"] is True
    assert body["message"].startswith("Check this does not identify a patient: ")
    assert evidence_rows() == []
    confirmed = client.post(AUTOSAVE, data=note(confirm_no_patient="y", **text))
    assert confirmed.status_code == 200


@pytest.mark.parametrize("key", ["", "short", "has spaces in it", "x" * 65, "semi;colon-key"])
def test_a_missing_or_malformed_key_is_refused(client, signed_in_trainee, key):
    response = client.post(AUTOSAVE, data=note(client_key=key))
    assert response.status_code == 200
    assert response.get_json()["message"]
    assert evidence_rows() == []


def test_the_same_key_from_another_trainee_makes_their_own_draft(
    client, login, signed_in_trainee, make_trainee, framework
):
    client.post(AUTOSAVE, data=note(title="Mine"))
    other = make_trainee(framework)
    client.post("/auth/logout")
    login(client, other)
    assert client.post(AUTOSAVE, data=note(title="Theirs")).status_code == 200
    assert sorted(e.title for e in evidence_rows()) == ["Mine", "Theirs"]


def test_a_draft_is_saved_as_typed_but_submitted_evidence_is_not(
    client, signed_in_trainee, log_evidence, enrolment
):
    draft = log_evidence(enrolment, "reflective-account", ["D1.1"], status="draft")
    submitted = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    data = evidence_form("reflective-account", ["D1.1"], title="Typed again")
    saved = client.post(f"/portfolio/evidence/{draft.id}/autosave", data=data)
    assert saved.status_code == 200
    refused = client.post(f"/portfolio/evidence/{submitted.id}/autosave", data=data)
    assert refused.status_code == 200
    assert "press the button" in refused.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Evidence, draft.id).title == "Typed again"
    assert db.session.get(Evidence, submitted.id).status == "submitted"
    edit_page = soup(client.get(f"/portfolio/evidence/{submitted.id}/edit"))
    assert not edit_page.select_one("form[data-autosave-url]")


def test_add_evidence_lists_the_forms_kept_for_writing_offline(client, signed_in_trainee):
    page = soup(client.get("/portfolio/evidence/new"))
    kept = json.loads(page.select_one("[data-offline-pages]")["data-offline-pages"])
    assert "/portfolio/evidence/new/reflective-account" in kept
    assert "/portfolio/evidence/new/mini-cex" not in kept


def test_the_manifest_names_the_app_its_home_and_nhs_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "PCPT Portfolio"
    assert manifest["start_url"] == "/portfolio/"
    assert manifest["display"] == "standalone"
    assert {
        "src": "/static/nhsuk/images/nhsuk-icon-512.png",
        "sizes": "512x512",
        "type": "image/png",
        "purpose": "any",
    } in manifest["icons"]
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert b'addEventListener("fetch"' in response.data
    assert response.headers["Cache-Control"] == "no-store"


def test_every_page_links_the_manifest(client):
    page = soup(client.get("/auth/login"))
    assert page.select_one("link[rel=manifest]")["href"] == "/manifest.webmanifest"


def test_signing_out_tells_the_browser_to_clear_what_it_kept(client, signed_in_trainee):
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_staying_signed_in_restarts_the_idle_clock(app, client, signed_in_trainee):
    with client.session_transaction() as session:
        session["seen_at"] = session["seen_at"] - 20  # within a 30-second step
        before = session["seen_at"]
    response = client.post("/auth/session/stay-signed-in")
    assert response.get_json() == {"idle_seconds": app.config["SESSION_IDLE_MINUTES"] * 60}
    with client.session_transaction() as session:
        assert session["seen_at"] > before


def test_the_offline_page_names_nobody_and_points_to_add_evidence(client):
    page = soup(client.get("/offline"))
    assert page.select_one("h1").get_text(strip=True) == "You are offline"
    assert page.find("a", string="Add evidence")["href"] == "/portfolio/evidence/new"
