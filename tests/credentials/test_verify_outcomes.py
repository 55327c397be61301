"""The four answers a check gives (valid, tampered, revoked, unknown issuer), each with its
reason, for credentials issued on completion through the real services."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.extensions import db
from app.services.credentials import keys, proofs
from app.services.credentials.multikey import public_multikey, secret_multikey
from app.services.credentials.verification import (
    NotACredential,
    Verdict,
    credential_by_address,
    parse_credential,
    verify,
)
from tests.credentials.completed_training import *  # noqa: F403 - fixtures: issued, credential...
from tests.credentials.completed_training import revoke


def _check_text(text: str):
    return verify(parse_credential(text))


def _one_byte_changed(text: str, old: str, new: str) -> str:
    assert len(old.encode()) == len(new.encode())
    assert old != new
    at = text.index(old)
    changed = text[:at] + new + text[at + len(old) :]
    assert sum(a != b for a, b in zip(text.encode(), changed.encode(), strict=True)) == 1
    return changed


def _resigned(document: dict, key: Ed25519PrivateKey, issuer: str | None = None) -> dict:
    """The same credential signed with another key (and, given, naming another issuer)."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    issuer = issuer or keys.current_issuer_id()
    unsigned["issuer"] = {**unsigned["issuer"], "id": issuer}
    method = f"{issuer}#{public_multikey(key.public_key())}"
    return proofs.add_proof(unsigned, key, method, "2026-01-01T00:00:00Z")


def test_a_credential_as_issued_is_valid_and_says_what_it_records(issued, credential):
    result = verify(credential)
    assert result.verdict is Verdict.VALID
    assert result.label == "Valid"
    assert result.reason == (
        "The signature matches the content, made with the service's current key, and the "
        "service has not revoked it."
    )
    assert result.credential_id == credential["id"]
    assert result.achievement.startswith("Training completed: Supervision test framework")
    assert result.issuer_name == "PCPT Portfolio"
    assert result.valid_from == credential["validFrom"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("Training completed:", "Training complated:", id="achievement-name"),
        pytest.param("Sign-off of B1", "Sign-off of B2", id="evidence-entry"),
        pytest.param('"identityHash": "sha256$', '"identityHash": "sha256%', id="recipient"),
    ],
)
def test_a_one_byte_change_anywhere_in_the_content_is_tampered(issued, old, new):
    result = _check_text(_one_byte_changed(issued.document, old, new))
    assert result.verdict is Verdict.TAMPERED
    assert result.label == "Tampered"
    assert result.reason == (
        "The signature does not match the content: the credential was changed after it was signed."
    )
    assert result.achievement is None  # nothing a changed credential says is repeated


def test_a_one_byte_change_in_the_signature_is_tampered(issued, credential):
    value = credential["proof"]["proofValue"]
    changed = value[:20] + ("2" if value[20] != "2" else "3") + value[21:]
    result = _check_text(_one_byte_changed(issued.document, value, changed))
    assert result.verdict is Verdict.TAMPERED


def test_a_proof_this_service_would_not_write_is_tampered(credential):
    changed = {**credential, "@context": [*credential["@context"], "https://example.org/x"]}
    result = verify(changed)
    assert result.verdict is Verdict.TAMPERED
    assert "unknown context: https://example.org/x" in result.reason
    assert "so this is not as it was issued" in result.reason
    other_suite = {**credential, "proof": {**credential["proof"], "cryptosuite": "eddsa-2022"}}
    result = verify(other_suite)
    assert result.verdict is Verdict.TAMPERED
    assert "eddsa-rdfc-2022 cryptosuite" in result.reason


def test_a_changed_date_is_tampered_with_the_reason_in_words(issued, credential):
    year = credential["validFrom"][:4]
    text = _one_byte_changed(
        issued.document, f'"validFrom": "{year}', f'"validFrom": "{int(year) - 1}'
    )
    result = _check_text(text)
    assert result.verdict is Verdict.TAMPERED
    assert result.reason.startswith("The signature does not match the content")


def test_a_credential_signed_with_another_key_in_this_services_name_is_unknown_issuer(
    credential,
):
    forged = _resigned(credential, Ed25519PrivateKey.generate())
    result = verify(forged)
    assert result.verdict is Verdict.UNKNOWN_ISSUER
    assert result.label == "Unknown issuer"
    assert "signed with a key this service has never published" in result.reason
    assert result.credential_id is None


def test_a_credential_from_another_issuer_is_unknown_issuer_naming_it(credential):
    other = _resigned(credential, Ed25519PrivateKey.generate(), issuer="did:web:elsewhere.example")
    result = verify(other)
    assert result.verdict is Verdict.UNKNOWN_ISSUER
    assert result.reason.startswith("It names its issuer as did:web:elsewhere.example, not this")


def test_a_revoked_credential_is_revoked_with_the_day(completed, credential):
    revoke(completed)
    result = verify(credential)
    assert result.verdict is Verdict.REVOKED
    assert result.label == "Revoked"
    assert "but this service revoked the credential on" in result.reason
    assert result.revoked_at is not None
    assert result.achievement is not None  # the signature matched: it says what was revoked


def test_after_a_key_rotation_the_previous_key_still_verifies_while_it_is_published(
    app, credential
):
    old_public = keys.issuer_keys()[0].public_key_multibase
    app.config["CREDENTIAL_SIGNING_KEY"] = secret_multikey(Ed25519PrivateKey.generate())
    app.config["CREDENTIAL_PREVIOUS_KEYS"] = [old_public]
    result = verify(credential)
    assert result.verdict is Verdict.VALID
    assert "made with an earlier key of the service" in result.reason

    app.config["CREDENTIAL_PREVIOUS_KEYS"] = []
    assert verify(credential).verdict is Verdict.UNKNOWN_ISSUER


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Paste, upload or name a credential to check"),
        ("this is not json", "This is not JSON"),
        ('{"id": "x"', "This is not JSON"),
        ("[1, 2]", "a credential is a JSON object"),
        ('{"@context": [], "type": ["VerifiableCredential"]}', "it has no proof"),
        ('{"proof": ' * 40 + "1" + "}" * 40, "nested more deeply"),
        ('{"proof": "' + "x" * 70_000 + '"}', "longer than any credential"),
    ],
)
def test_input_that_is_not_a_signed_credential_is_refused_saying_why(app, text, message):
    with pytest.raises(NotACredential, match=message):
        parse_credential(text)


def test_a_credential_can_be_named_by_its_address_or_its_id_alone(issued, credential):
    by_address = credential_by_address(credential["id"])
    assert by_address == credential
    assert credential_by_address(issued.public_id) == credential
    assert verify(by_address).verdict is Verdict.VALID


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("http://127.0.0.1:5000/credentials/00000000-0000-4000-8000-000000000000", "issued no"),
        ("00000000-0000-4000-8000-000000000000", "issued no credential"),
        ("https://elsewhere.example/credentials/1", "starting http://127.0.0.1:5000/credentials/"),
        ("../../etc/passwd", "as it appears in it"),
    ],
)
def test_an_address_that_names_no_credential_of_this_service_is_refused(issued, address, message):
    with pytest.raises(NotACredential, match=message):
        credential_by_address(address)


def test_after_erasure_the_address_finds_no_copy_but_the_holders_copy_still_verifies(
    issued, credential
):
    issued.document = ""  # what erasing the technician's record leaves (privacy.erasure)
    db.session.commit()
    with pytest.raises(NotACredential, match="no longer keeps a copy of that credential"):
        credential_by_address(credential["id"])
    assert verify(credential).verdict is Verdict.VALID


def test_the_documents_verified_are_the_json_the_technician_holds(issued):
    # The stored text is what is downloaded; the tests above change it byte by byte.
    assert json.loads(issued.document)["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
