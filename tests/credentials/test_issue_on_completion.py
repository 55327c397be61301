"""An Open Badges 3.0 credential is issued on the final sign-off: not before, not twice,
in the completion's own transaction, audited, and it verifies with the published key."""

# The supervision fixtures are imported by name; pytest passes them in as arguments.

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.credentials import IssuedCredential
from app.models.signoffs import Completion
from app.services.credentials import issuing, keys, proofs
from app.services.errors import DomainError
from app.services.frameworks import case_identifiers
from app.services.supervision import completion
from tests.credentials.completed_training import *  # noqa: F403 - fixtures: signed_and_checked...
from tests.credentials.completed_training import complete, fresh
from tests.supervision.conftest import count

TODAY = datetime.now(UTC).date()


def _item(code: str) -> str:
    """The competency's CFItem identifier, as the CASE export gives it."""
    return case_identifiers.derived("supervision-test", "1", case_identifiers.competency_key(code))


def issued_rows() -> list[IssuedCredential]:
    return list(db.session.scalars(select(IssuedCredential)))


def test_nothing_is_issued_before_the_final_sign_off(enrolment, ready, sign, trainee):
    ready(enrolment, "B1")
    sign(enrolment, "B1")
    assert issued_rows() == []
    with pytest.raises(completion.PrerequisitesUnmet):
        completion.complete(
            enrolment, signer=enrolment.clinical_supervisor, authenticated_at=fresh(), today=TODAY
        )
    db.session.rollback()
    assert issued_rows() == []
    assert count(Completion) == 0


def test_the_final_sign_off_issues_one_signed_credential(signed_and_checked, trainee):
    record = complete(signed_and_checked)
    [credential] = issued_rows()
    assert (credential.completion_id, credential.enrolment_id) == (record.id, record.enrolment_id)
    assert credential.trainee_id == trainee.id
    document = json.loads(credential.document)
    assert hashlib.sha256(credential.document.encode()).hexdigest() == credential.document_sha256

    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"] == f"http://127.0.0.1:5000/credentials/{credential.public_id}"
    assert document["issuer"] == {
        "id": "did:web:127.0.0.1%3A5000",
        "type": ["Profile"],
        "name": "PCPT Portfolio",
        "url": "http://127.0.0.1:5000",
    }
    assert document["validFrom"] == record.completed_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    achievement = document["credentialSubject"]["achievement"]
    # The framework is provisional, and the credential says so in words.
    assert "Supervision test framework" in achievement["name"]
    assert "provisional" in achievement["name"]
    assert achievement["version"] == "1 (provisional)"
    assert achievement["tag"] == ["framework-status:provisional"]
    assert "working draft" in achievement["description"]
    assert "Every one of the 2 competencies" in achievement["criteria"]["narrative"]
    case = "http://127.0.0.1:5000/api/v1/frameworks/supervision-test/versions/1/case"
    assert [
        (a["targetCode"], a["targetName"], a["targetUrl"]) for a in achievement["alignment"]
    ] == [
        ("B1", "B1 Explains how to use an inhaler", f"{case}#{_item('B1')}"),
        ("B2", "B2 Reconciles medicines on discharge", f"{case}#{_item('B2')}"),
    ]

    [identity] = document["credentialSubject"]["identifier"]
    assert identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    expected = hashlib.sha256((trainee.email.lower() + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    text = credential.document
    assert trainee.email not in text
    assert "Sam Okafor" not in text

    evidence = document["evidence"]
    assert [e["name"] for e in evidence] == [
        "Sign-off of B1 Explains how to use an inhaler",
        "Sign-off of B2 Reconciles medicines on discharge",
        "Final sign-off of the training",
    ]
    assert all(
        "the clinical supervisor, a GPhC-registered pharmacist" in e["description"]
        for e in evidence
    )
    assert "“Competent”" in evidence[0]["description"]
    # Roles and dates only: no signer's name, no evidence content or comments.
    assert "Priya Shah" not in text
    assert "Seen doing this well in clinic." not in text
    assert "Reflection on B1" not in text

    status = document["credentialStatus"]
    assert status == {
        "id": "http://127.0.0.1:5000/credentials/status/1#0",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "0",
        "statusListCredential": "http://127.0.0.1:5000/credentials/status/1",
    }
    assert (credential.status_list, credential.status_list_index) == (1, 0)
    assert credential.revoked_at is None

    [current] = keys.issuer_keys()
    assert document["proof"]["verificationMethod"] == current.verification_method
    assert credential.verification_method == current.verification_method
    result = proofs.check_proof(document, keys.trusted_key)
    assert result.valid, result.reason


def test_the_completions_one_audit_event_names_the_credential(signed_and_checked):
    complete(signed_and_checked)
    [credential] = issued_rows()
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert events[-1].action == "enrolment.completed"
    assert events[-2].action != "enrolment.completed"  # one event for the whole sign-off
    recorded = events[-1].data["credential"]
    assert recorded["id"] == credential.id
    assert recorded["public_id"] == credential.public_id
    assert recorded["document_sha256"] == credential.document_sha256
    assert (recorded["status_list"], recorded["status_list_index"]) == (
        credential.status_list,
        credential.status_list_index,
    )
    assert events[-1].actor_id == signed_and_checked.clinical_supervisor_id


def test_a_second_final_sign_off_issues_nothing_more(signed_and_checked):
    complete(signed_and_checked)
    with pytest.raises(DomainError):
        complete(signed_and_checked)
    db.session.rollback()
    assert len(issued_rows()) == 1


def test_when_signing_fails_the_completion_is_not_recorded_either(signed_and_checked, monkeypatch):
    def broken_key():
        raise RuntimeError("the key store is unavailable")

    monkeypatch.setattr(keys, "signing_key", broken_key)
    with pytest.raises(RuntimeError):
        complete(signed_and_checked)
    db.session.rollback()
    assert issued_rows() == []
    assert count(Completion) == 0
    assert db.session.get(type(signed_and_checked), signed_and_checked.id).status == "active"


def test_a_one_byte_change_to_an_issued_credential_is_detected(signed_and_checked):
    complete(signed_and_checked)
    [credential] = issued_rows()
    text = credential.document
    position = text.index("Supervision test framework")
    tampered = text[:position] + "T" + text[position + 1 :]
    assert len(tampered) == len(text)
    result = proofs.check_proof(json.loads(tampered), keys.trusted_key)
    assert result.outcome == "tampered"
    # And the identity hash: changing one hex digit is caught too.
    document = json.loads(text)
    identity = document["credentialSubject"]["identifier"][0]
    digit = identity["identityHash"][-1]
    identity["identityHash"] = identity["identityHash"][:-1] + ("0" if digit != "0" else "1")
    assert proofs.check_proof(document, keys.trusted_key).outcome == "tampered"


def test_the_next_credential_takes_the_next_place_in_the_status_list(
    signed_and_checked, make_user, org, enrol, small_framework, ready, sign, registered, qualified
):
    complete(signed_and_checked)
    other = make_user(roles=("trainee",), org=org, name="Ola Bello")
    second = enrol(other, small_framework)
    for code in ("B1", "B2"):
        ready(second, code)
        sign(second, code)
    registered(other, number="5000043")
    qualified(other)
    complete(second)
    assert [(c.status_list, c.status_list_index) for c in issued_rows()] == [(1, 0), (1, 1)]
    mine = issuing.credential_for_enrolment(second.id)
    assert json.loads(mine.document)["credentialStatus"]["statusListIndex"] == "1"


def test_erasing_the_trainee_empties_the_stored_copy_but_keeps_its_place(
    signed_and_checked, trainee, make_user
):
    from app.models.users import User
    from app.services.privacy import erasure

    complete(signed_and_checked)
    [before] = issued_rows()
    digest, place = before.document_sha256, (before.status_list, before.status_list_index)
    admin = make_user(roles=("admin",), name="Ada Admin")
    erasure.erase_person(db.session.get(User, trainee.id), actor=admin)
    db.session.commit()
    [after] = issued_rows()
    assert after.document == ""
    assert after.document_sha256 == digest
    assert (after.status_list, after.status_list_index) == place
    assert after.revoked_at is None


def test_each_alignment_points_at_a_cfitem_of_the_versions_case_package(app, signed_and_checked):
    from app.services.frameworks.case_export import case_package

    complete(signed_and_checked)
    [credential] = issued_rows()
    alignments = json.loads(credential.document)["credentialSubject"]["achievement"]["alignment"]
    package = case_package(signed_and_checked.framework_id, app.config["BASE_URL"])
    items = {item["uri"]: item for item in package["CFItems"]}
    for alignment in alignments:
        item = items[alignment["targetUrl"]]
        assert item["humanCodingScheme"] == alignment["targetCode"]
