"""Open Badges 3.0 credentials: issued on completion, signed, checked.

Who does what (two helpers share this package):
- issuing and signing (this module's core, `issuing.py`) — badges;
- the public verify page/JSON, key publication, status list — verify.

API of the signing core, for the verifier and anyone else:

`jsonld` — JSON-LD without the network.
    `document_loader(url, options)` answers only for the contexts shipped in
    `contexts/` (see contexts/SOURCES.md; `CONTEXT_FILES` maps URL -> file) and raises
    pyld's JsonLdError for any other URL. `canonicalize(doc) -> str` gives RDFC-1.0
    (URDNA2015) N-Quads; raises `UnknownContext` (has `.url`) or ValueError.

`multikey` — `public_multikey(pub) -> "z6Mk..."`, `public_key_from_multikey(text)`,
    `private_key_from_multikey(text)`, `multibase_encode/decode` (base58btc, "z").

`proofs` — the `eddsa-rdfc-2022` Data Integrity proof.
    `add_proof(doc, private_key, verification_method, created) -> signed copy`.
    `check_proof(doc, key_for) -> ProofCheck(outcome, reason, verification_method)`;
    `key_for(verification_method_id) -> Ed25519PublicKey | None` decides which keys are
    trusted (None gives outcome "unknown_key"). Outcomes: "valid", "tampered",
    "unknown_key", "malformed"; `reason` is a sentence for people. `.valid` is a bool.

`keys` — the issuer and its keys (settings documented there).
    ISSUER ID CHOICE: a did:web of BASE_URL — `issuer_id(base_url)`, e.g.
    http://127.0.0.1:5000 -> "did:web:127.0.0.1%3A5000"; the DID document URL is
    `did_document_url(base_url)` (<BASE_URL>/.well-known/did.json when BASE_URL has no
    path). Verification method of a key: "<issuer id>#<publicKeyMultibase>".
    `issuer_keys() -> [IssuerKey(public_key_multibase, verification_method, current)]`
    lists the current key first, then CREDENTIAL_PREVIOUS_KEYS: publish them all.
    `trusted_key(verification_method)` is a ready `key_for` for `check_proof`.

Issued credentials (issuing.py, model app.models.credentials.IssuedCredential, table
`issued_credentials`): one per completion, made in the completion's transaction.
    - credential `id`: "<BASE_URL>/credentials/<public_id>" (public_id a uuid4 string,
      column `public_id`); `credential_url(public_id)` builds it.
    - `credentialStatus`: BitstringStatusListEntry, statusPurpose "revocation",
      statusListCredential "<BASE_URL>/credentials/status/<n>" (`status_list_url(n)`),
      statusListIndex str(i); columns `status_list` (n, from 1) and `status_list_index`
      (i), allocated from the column `status_sequence` via status_list.list_position.
    - columns `document` (the signed credential as JSON text), `verification_method`
      (the key that signed), `issued_at`, `revoked_at` (set by the revocation flow).
      `document` is "" once the technician's record is erased (`erase_stored_copies`);
      `document_sha256` and the status-list place stay.
    - readers: `credentials_of(trainee_id)`, `credential_for_enrolment(enrolment_id)`.

Where the technician gets it: `/supervision/enrolments/<id>/open-badge-credential.json`
(app/supervisor/credential_views.py), the portable record ZIP (`credentials/`), the PDF
completion statement `/supervision/enrolments/<id>/completion-statement.pdf`
(statement_pdf.py: a QR code and a link encoding the credential's id URL,
<BASE_URL>/credentials/<public_id>), and `GET /api/v1/trainees/{id}/credentials`
(app/api/trainee_credentials.py).
"""
