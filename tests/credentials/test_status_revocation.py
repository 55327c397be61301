"""Revoking a completion's credential, and the W3C Bitstring Status List that publishes it.

The rule: only the enrolment's clinical supervisor, password fresh, with a reason; one
transaction, one audit event; the published list's bit for the credential is set from then
on, and reading the list writes nothing."""

from __future__ import annotations

import base64
import gzip
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.notifications import Notification
from app.services.credentials import keys, proofs, revocation
from app.services.errors import DomainError
from app.services.privacy import erasure
from app.services.supervision.signing import ReauthenticationRequired
from tests.credentials.completed_training import *  # noqa: F403 - fixtures: completed, issued...
from tests.credentials.completed_training import fresh, revoke
from tests.privacy.conftest import record_of
from tests.supervision.conftest import make_stale, soup


def _bits(document: dict) -> bytes:
    encoded = document["credentialSubject"]["encodedList"]
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _bit(bits: bytes, index: int) -> int:
    return (bits[index // 8] >> (7 - index % 8)) & 1


def _audit_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _status_list(client, issued):
    response = client.get(f"/credentials/status/{issued.status_list}")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    return response.get_json(force=True)


def test_the_status_list_is_a_signed_bitstring_status_list_credential(client, issued):
    document = _status_list(client, issued)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["id"] == "http://127.0.0.1:5000/credentials/status/1"
    assert document["issuer"] == keys.current_issuer_id()
    subject = document["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "revocation")
    assert len(_bits(document)) == 16 * 1024
    assert proofs.check_proof(document, keys.trusted_key).valid


def test_the_credential_names_its_place_in_the_published_list(credential, issued):
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == "http://127.0.0.1:5000/credentials/status/1"
    assert status["statusListIndex"] == str(issued.status_list_index)


def test_revoking_sets_the_credentials_bit_and_only_that_one(client, completed, issued):
    before = _bits(_status_list(client, issued))
    assert _bit(before, issued.status_list_index) == 0
    revoke(completed)
    after = _status_list(client, issued)
    bits = _bits(after)
    assert _bit(bits, issued.status_list_index) == 1
    assert sum(bin(b).count("1") for b in bits) == 1
    assert proofs.check_proof(after, keys.trusted_key).valid


def test_reading_the_status_list_writes_nothing(client, issued):
    events = len(_audit_events())
    first = client.get("/credentials/status/1").data
    assert client.get("/credentials/status/1").data == first  # the same list, the same bytes
    assert len(_audit_events()) == events


@pytest.mark.parametrize("number", [0, 2, 99])
def test_a_list_no_credential_was_given_a_place_in_is_not_found(client, issued, number):
    assert client.get(f"/credentials/status/{number}").status_code == 404


def test_revoking_writes_one_audit_event_and_tells_the_trainee(app, completed, issued, trainee):
    events = len(_audit_events())
    revoke(completed, reason="Signed on a registration that had lapsed.")
    new = _audit_events()[events:]
    assert [e.action for e in new] == ["credential.revoked"]
    assert str(new[0].subject_id) == str(issued.id)
    assert new[0].data["status_list_index"] == issued.status_list_index
    assert "Signed on" not in str(new[0].data)  # a digest of the reason, not its words
    db.session.refresh(issued)
    assert issued.revoked_at is not None
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == trainee.id, Notification.kind == "credential_revoked"
        )
    )
    assert note.text.endswith("Signed on a registration that had lapsed.")


def _refused_and_unchanged(issued, call, message: str, error=DomainError) -> None:
    events = len(_audit_events())
    with pytest.raises(error, match=message):
        call()
    db.session.rollback()
    db.session.refresh(issued)
    assert issued.revoked_at is None
    assert len(_audit_events()) == events


def test_a_credential_is_revoked_once(completed, issued):
    revoke(completed)
    revoked_at = issued.revoked_at
    with pytest.raises(DomainError, match="already been revoked"):
        revoke(completed)
    db.session.rollback()
    db.session.refresh(issued)
    assert issued.revoked_at == revoked_at
    actions = db.session.scalars(select(AuditEvent.action))
    assert list(actions).count("credential.revoked") == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_revoking_needs_a_reason_in_words(completed, issued, reason):
    call = lambda: revocation.revoke(  # noqa: E731
        completed, actor=completed.clinical_supervisor, reason=reason, authenticated_at=fresh()
    )
    _refused_and_unchanged(issued, call, "Say why|1000 characters")


def test_revoking_needs_the_password_entered_moments_ago(completed, issued):
    stale = utcnow() - timedelta(hours=1)
    call = lambda: revocation.revoke(  # noqa: E731
        completed, actor=completed.clinical_supervisor, reason="Wrong.", authenticated_at=stale
    )
    _refused_and_unchanged(issued, call, "Confirm your password", ReauthenticationRequired)


def test_only_the_clinical_supervisor_revokes(completed, issued, make_user, org):
    other = make_user(roles=("supervisor",), org=org, gphc="2000002", name="Other Pharmacist")
    call = lambda: revocation.revoke(  # noqa: E731
        completed, actor=other, reason="Wrong.", authenticated_at=fresh()
    )
    _refused_and_unchanged(issued, call, "clinical supervisor")
    assert not revocation.may_revoke(other, completed, issued)
    assert revocation.may_revoke(completed.clinical_supervisor, completed, issued)


def test_an_enrolment_without_a_credential_has_nothing_to_revoke(enrolment):
    with pytest.raises(DomainError, match="No credential has been issued"):
        revocation.revoke(
            enrolment, actor=enrolment.clinical_supervisor, reason="x", authenticated_at=fresh()
        )


# --- The supervisor's page ---------------------------------------------------------------


def _page(completed):
    return f"/credentials/enrolments/{completed.id}/revoke"


def test_the_supervisor_revokes_on_the_page_with_a_reason(client, login, completed, issued):
    login(client, completed.clinical_supervisor)
    page = soup(client.get(_page(completed)))
    assert page.h1.get_text() == "Revoke the training credential"
    response = client.post(_page(completed), data={"reason": "Signed in error."})
    assert response.status_code == 302
    assert response.location == f"/supervision/enrolments/{completed.id}"
    db.session.refresh(issued)
    assert issued.revoked_at is not None
    record = soup(client.get(response.location))
    assert "The credential is revoked: anyone who checks it is told so." in record.get_text()
    revoked = record.select_one("#credential-revoked").get_text(" ", strip=True)
    assert revoked.startswith("Credential revoked The credential was revoked on")
    assert f"by {completed.clinical_supervisor.name}" in revoked
    assert revoked.endswith("Reason: Signed in error.")
    assert record.find("a", string="Revoke the credential") is None


def test_the_revocation_keeps_who_and_why_until_the_trainee_is_erased(app, completed, issued):
    revoke(completed, reason="Signed on a lapsed registration.")
    db.session.refresh(issued)
    assert issued.revoked_by_name == completed.clinical_supervisor.name
    assert issued.revocation_reason == "Signed on a lapsed registration."
    [entry] = [e["credential"] for e in record_of(app, completed.trainee_id)["enrolments"]]
    assert (entry["revoked_by"], entry["revocation_reason"]) == (
        completed.clinical_supervisor.name,
        "Signed on a lapsed registration.",
    )
    erasure.erase_person(completed.trainee, actor=None)
    db.session.commit()
    db.session.refresh(issued)
    assert issued.revocation_reason == "[erased]"
    assert issued.revoked_at is not None  # the status list still says revoked


def test_the_record_offers_revoking_to_the_clinical_supervisor_only(
    client, login, completed, issued, trainee
):
    record = f"/supervision/enrolments/{completed.id}"
    login(client, completed.clinical_supervisor)
    link = soup(client.get(record)).find("a", string="Revoke the credential")
    assert link["href"] == _page(completed)
    client.post("/auth/logout")
    login(client, trainee)
    page = soup(client.get(record))
    assert page.find("a", string="Revoke the credential") is None
    assert page.find("a", string="check a training credential")["href"] == "/credentials/verify"


def test_the_page_without_a_reason_says_so_and_revokes_nothing(client, login, completed, issued):
    login(client, completed.clinical_supervisor)
    page = soup(client.post(_page(completed), data={"reason": ""}))
    summary = page.select_one(".nhsuk-error-summary").get_text()
    assert "Say why you are revoking this credential" in summary
    db.session.refresh(issued)
    assert issued.revoked_at is None


def test_the_page_asks_for_the_password_again_first(client, login, completed, issued):
    login(client, completed.clinical_supervisor)
    make_stale(client)
    response = client.post(_page(completed), data={"reason": "Signed in error."})
    assert response.status_code == 302
    assert response.location.startswith("/auth/confirm")
    db.session.refresh(issued)
    assert issued.revoked_at is None


def test_once_revoked_the_page_offers_nothing_more(client, login, completed, issued):
    revoke(completed)
    login(client, completed.clinical_supervisor)
    response = client.get(_page(completed))
    assert response.status_code == 302
    counted = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "credential.revoked")
    )
    assert counted == 1
