"""An independent verifier: what a relying party's own software does, using none of the
app's credential code. It resolves the issuer's did:web to the published DID document,
re-canonicalises with PyLD directly (RDFC-1.0, the contexts read from the shipped files),
checks the Ed25519 signature with PyNaCl, then fetches the status list the credential
names, checks that list's signature the same way and reads the credential's bit.
"""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from pyld import jsonld

from tests.credentials.completed_training import *  # noqa: F403 - fixtures: completed, issued...
from tests.credentials.completed_training import revoke

CONTEXTS = Path(__file__).resolve().parents[2] / "app" / "services" / "credentials" / "contexts"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _loader(url, options=None):
    # Never the network: only the two contexts the credentials name (a KeyError otherwise).
    document = json.loads((CONTEXTS / CONTEXT_FILES[url]).read_text())
    return {"contextUrl": None, "documentUrl": url, "document": document}


def _base58(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + BASE58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _nquads(document: dict) -> bytes:
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _loader}
    return jsonld.normalize(document, options).encode()


def _did_document(client, did: str) -> dict:
    """did:web resolution: did:web:<host> is https://<host>/.well-known/did.json."""
    assert did.startswith("did:web:")
    host = unquote(did.removeprefix("did:web:"))
    assert host == "127.0.0.1:5000"  # the test app's BASE_URL; the client serves it
    return json.loads(client.get("/.well-known/did.json").data)


def _signature_verifies(client, document: dict) -> bool:
    """eddsa-rdfc-2022: sha256(canonical proof options) + sha256(canonical document)."""
    unsecured = copy.deepcopy(document)
    proof = unsecured.pop("proof")
    signature = _base58(proof.pop("proofValue")[1:])  # multibase "z": base58btc
    assert (proof["type"], proof["cryptosuite"]) == ("DataIntegrityProof", "eddsa-rdfc-2022")
    issuer = document["issuer"]
    issuer = issuer["id"] if isinstance(issuer, dict) else issuer
    did = _did_document(client, issuer)
    assert did["id"] == issuer
    assert proof["verificationMethod"] in did["assertionMethod"]
    method = next(m for m in did["verificationMethod"] if m["id"] == proof["verificationMethod"])
    assert method["type"] == "Multikey"
    raw = _base58(method["publicKeyMultibase"][1:])
    assert raw[:2] == b"\xed\x01"  # multicodec ed25519-pub
    options = {**proof, "@context": unsecured["@context"]}
    data = hashlib.sha256(_nquads(options)).digest() + hashlib.sha256(_nquads(unsecured)).digest()
    try:
        VerifyKey(raw[2:]).verify(data, signature)
    except BadSignatureError:
        return False
    return True


def _revoked(client, credential: dict) -> bool:
    entry = credential["credentialStatus"]
    assert entry["statusPurpose"] == "revocation"
    status_list = json.loads(client.get(urlsplit(entry["statusListCredential"]).path).data)
    assert _signature_verifies(client, status_list)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_an_issued_credential_verifies_with_pyld_and_pynacl_alone(client, credential):
    assert _signature_verifies(client, credential)
    assert not _revoked(client, credential)


def test_the_independent_verifier_sees_a_one_character_change(client, credential):
    changed = copy.deepcopy(credential)
    name = changed["credentialSubject"]["achievement"]["name"]
    changed["credentialSubject"]["achievement"]["name"] = name.replace("T", "t", 1)
    assert not _signature_verifies(client, changed)


def test_the_independent_verifier_sees_the_revocation(client, completed, credential):
    revoke(completed)
    assert _signature_verifies(client, credential)  # still the credential that was issued
    assert _revoked(client, credential)
