"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC-DI-EdDSA).

Signing (`add_proof`):
1. the proof options (type `DataIntegrityProof`, cryptosuite `eddsa-rdfc-2022`, created,
   verificationMethod, proofPurpose) take the document's `@context`;
2. both the options and the document without `proof` are canonicalised with RDFC-1.0;
3. the data signed is sha256(canonical options) followed by sha256(canonical document);
4. the Ed25519 signature, base58btc-multibase encoded, is the `proofValue`.

Verification (`check_proof`) repeats steps 1-3 from the document as received and checks
the signature with the public key the caller trusts for the proof's verificationMethod.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.services.credentials.jsonld import UnknownContext, canonicalize
from app.services.credentials.multikey import (
    KeyFormatError,
    multibase_decode,
    multibase_encode,
)

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

KeyLookup = Callable[[str], Ed25519PublicKey | None]


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking a proof.

    `outcome` is one of: "valid"; "tampered" (the signature does not match the content);
    "unknown_key" (the proof names a key the caller does not trust); "malformed" (no proof,
    another cryptosuite, a context the service does not ship, or a value that cannot be
    read). `reason` says why in words.
    """

    outcome: str
    reason: str
    verification_method: str | None = None

    @property
    def valid(self) -> bool:
        return self.outcome == "valid"


def xsd_datetime(moment: datetime) -> str:
    """A UTC `xsd:dateTime` to the second, as proofs and `validFrom` carry it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = dict(options)
    config.pop("proofValue", None)
    config["@context"] = unsecured.get("@context")
    proof_hash = hashlib.sha256(canonicalize(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()
    return proof_hash + document_hash


def proof_options(
    verification_method: str, created: datetime | str, purpose: str = "assertionMethod"
) -> dict[str, Any]:
    return {
        "type": PROOF_TYPE,
        "created": created if isinstance(created, str) else xsd_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": purpose,
    }


def add_proof(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
    purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of `document` with an `eddsa-rdfc-2022` proof made with `private_key`."""
    if "proof" in document:
        raise ValueError("The document already carries a proof")
    options = proof_options(verification_method, created, purpose)
    signature = private_key.sign(_hash_data(document, options))
    signed = copy.deepcopy(document)
    signed["proof"] = {**options, "proofValue": multibase_encode(signature)}
    return signed


def check_proof(document: Any, key_for: KeyLookup) -> ProofCheck:
    """Check the document's single `eddsa-rdfc-2022` proof; `key_for` maps a
    verificationMethod id to the Ed25519 public key trusted for it (None: not trusted)."""
    if not isinstance(document, dict):
        return ProofCheck("malformed", "The credential is not a JSON object.")
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return ProofCheck("malformed", "The credential carries no single proof.")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(
            "malformed",
            f"The proof is not a {PROOF_TYPE} with the {CRYPTOSUITE} cryptosuite.",
        )
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return ProofCheck("malformed", "The proof does not name its verification method.")
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck("malformed", "The proof's purpose is not assertionMethod.", method)
    key = key_for(method)
    if key is None:
        return ProofCheck(
            "unknown_key", "The proof was made with a key this issuer does not publish.", method
        )
    try:
        signature = multibase_decode(proof.get("proofValue"))
    except KeyFormatError:
        return ProofCheck("malformed", "The proof value is not base58btc multibase.", method)
    try:
        data = _hash_data(document, proof)
    except UnknownContext as error:
        return ProofCheck(
            "malformed", f"The credential names an unknown context: {error.url}.", method
        )
    except (ValueError, TypeError):
        return ProofCheck("malformed", "The credential is not valid JSON-LD.", method)
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return ProofCheck(
            "tampered",
            "The signature does not match the content: the credential was changed after "
            "it was signed.",
            method,
        )
    return ProofCheck("valid", "The signature matches the content.", method)
