"""The issuer's public keys, published as a `did:web` DID document.

A verifier turns the issuer id (`did:web:<host>`, `keys.issuer_id`) into
`https://<host>/.well-known/did.json` and finds there every key the service has signed
with: the current one and each of `CREDENTIAL_PREVIOUS_KEYS`, as `Multikey` verification
methods (`publicKeyMultibase`, `z6Mk...`), all listed under `assertionMethod` because
credentials are assertions. A rotated key stays here for as long as it is configured,
so what it signed still verifies; a key removed from the list stops being trusted.
"""

from __future__ import annotations

from typing import Any

from app.services.credentials import keys

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_document() -> dict[str, Any]:
    """The DID document served at `keys.did_document_url(BASE_URL)`."""
    issuer = keys.current_issuer_id()
    published = keys.issuer_keys()
    return {
        "@context": DID_CONTEXTS,
        "id": issuer,
        "verificationMethod": [
            {
                "id": key.verification_method,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": key.public_key_multibase,
            }
            for key in published
        ],
        "assertionMethod": [key.verification_method for key in published],
    }
