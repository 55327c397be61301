"""The signing core reproduces 1EdTech's published OB 3.0 eddsa-rdfc-2022 test vector.

Vector files: tests/credentials/vectors/ (source in its README). Every step is checked:
canonical document and proof, their hashes, the signature, the proof value, and the
whole signed credential; then the vector's credential verifies and a one-byte change
does not.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.services.credentials import jsonld
from app.services.credentials.multikey import (
    private_key_from_multikey,
    public_bytes,
    public_multikey,
)
from app.services.credentials.proofs import add_proof, check_proof

VECTORS = Path(__file__).parent / "vectors"
VECTOR = json.loads((VECTORS / "obv3p0-keys-and-hashes.json").read_text())
SIGNED = json.loads((VECTORS / "obv3p0-signed-credential.json").read_text())
DOCUMENT_CANON = (VECTORS / "obv3p0-document-canon.txt").read_text()
PROOF_CANON = (VECTORS / "obv3p0-proof-canon.txt").read_text()
METHOD = SIGNED["proof"]["verificationMethod"]


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR["private_key_hex"])[:32])


def _public_key() -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(VECTOR["public_key_hex"]))


def _unsigned() -> dict:
    return {k: v for k, v in SIGNED.items() if k != "proof"}


def _proof_config() -> dict:
    config = {k: v for k, v in SIGNED["proof"].items() if k != "proofValue"}
    config["@context"] = SIGNED["@context"]
    return config


def _vector_key(method: str) -> Ed25519PublicKey | None:
    return _public_key() if method == METHOD else None


def test_the_keys_read_as_published():
    key = private_key_from_multikey(VECTOR["secret_key_multibase"])
    assert public_bytes(key.public_key()).hex() == VECTOR["public_key_hex"]
    assert public_multikey(key.public_key()) == VECTOR["public_key_multibase"]
    assert METHOD.endswith("#" + VECTOR["public_key_multibase"])


def test_the_document_canonicalises_to_the_published_n_quads_and_hash():
    canon = jsonld.canonicalize(_unsigned())
    assert canon == DOCUMENT_CANON
    assert hashlib.sha256(canon.encode()).hexdigest() == VECTOR["document_hash_hex"]


def test_the_proof_options_canonicalise_to_the_published_n_quads_and_hash():
    canon = jsonld.canonicalize(_proof_config())
    assert canon == PROOF_CANON
    assert hashlib.sha256(canon.encode()).hexdigest() == VECTOR["proof_hash_hex"]


def test_signing_gives_the_published_signature_proof_value_and_credential():
    signed = add_proof(_unsigned(), _private_key(), METHOD, SIGNED["proof"]["created"])
    assert signed == SIGNED
    assert signed["proof"]["proofValue"] == VECTOR["proof_value"]
    # Ed25519 is deterministic: the signature over the published data is the published one.
    data = bytes.fromhex(VECTOR["data_to_sign_hex"])
    assert _private_key().sign(data).hex() == VECTOR["signature_hex"]


def test_the_published_credential_verifies():
    result = check_proof(SIGNED, _vector_key)
    assert result.valid, result.reason
    assert result.verification_method == METHOD


@pytest.mark.parametrize(
    ("path", "change"),
    [
        (("name",), "Teamwork Badgf"),
        (("issuer", "name"), "Example Corq"),
        (("credentialSubject", "achievement", "criteria", "narrative"), None),
        (("issuanceDate",), "2010-01-01T00:00:01Z"),
        (("proof", "created"), "2010-01-01T19:23:25Z"),
    ],
)
def test_a_one_character_change_is_detected(path, change):
    tampered = json.loads(json.dumps(SIGNED))
    target = tampered
    for key in path[:-1]:
        target = target[key]
    original = target[path[-1]]
    target[path[-1]] = change if change is not None else original[:-1] + "!"
    assert len(target[path[-1]]) == len(original)
    result = check_proof(tampered, _vector_key)
    assert result.outcome == "tampered"
    assert "changed" in result.reason


def test_a_one_byte_change_in_the_proof_value_is_detected():
    tampered = json.loads(json.dumps(SIGNED))
    value = tampered["proof"]["proofValue"]
    tampered["proof"]["proofValue"] = value[:-1] + ("E" if value[-1] != "E" else "F")
    assert check_proof(tampered, _vector_key).outcome == "tampered"


def test_a_key_the_caller_does_not_trust_is_reported_as_unknown():
    result = check_proof(SIGNED, lambda method: None)
    assert result.outcome == "unknown_key"
    assert result.verification_method == METHOD


def test_a_context_not_shipped_is_refused_without_fetching():
    document = json.loads(json.dumps(SIGNED))
    document["@context"] = [*document["@context"], "https://example.org/unknown-context"]
    result = check_proof(document, _vector_key)
    assert result.outcome == "malformed"
    assert "https://example.org/unknown-context" in result.reason
    with pytest.raises(jsonld.UnknownContext):
        jsonld.canonicalize(_unsigned() | {"@context": ["https://example.org/x"]})


def test_the_loader_answers_only_for_shipped_contexts():
    from pyld.jsonld import JsonLdError

    for url in jsonld.CONTEXT_FILES:
        assert "@context" in jsonld.document_loader(url, {})["document"]
    with pytest.raises(JsonLdError):
        jsonld.document_loader("http://127.0.0.1:1/anything", {})
