"""Checking a credential: valid, tampered, revoked, or from an issuer this service does not know.

Anyone may ask, with the credential itself or the address (id) of one this service
issued. The answer is one of four, each with its reason in words:
- unknown issuer: the credential names another issuer than this service's did:web, or
  its proof was made with a key this service has never published (neither the current
  key nor any of CREDENTIAL_PREVIOUS_KEYS);
- tampered: it names this service and one of its keys, but the eddsa-rdfc-2022 signature
  does not match the content as received (one changed character is enough), or the proof
  cannot be read as this service writes it;
- revoked: the signature matches, and the service has since revoked it (its place in
  the published status list is set: `status_publication`);
- valid: the signature matches, made with one of this service's published keys, and the
  credential is not revoked.
Input that is not a signed credential at all (not JSON, not an object, no proof) is
refused with `NotACredential`, naming what is wrong. Nothing is written: checking is a read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models.credentials import IssuedCredential
from app.request_input import MAX_JSON_DEPTH
from app.services.credentials import keys, proofs, status_publication
from app.services.credentials.issuing import credential_url
from app.services.errors import DomainError
from app.services.rule_results import long_date

MAX_CREDENTIAL_CHARS = 64 * 1024
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Verdict(StrEnum):
    VALID = "valid"
    TAMPERED = "tampered"
    REVOKED = "revoked"
    UNKNOWN_ISSUER = "unknown_issuer"


LABELS = {
    Verdict.VALID: "Valid",
    Verdict.TAMPERED: "Tampered",
    Verdict.REVOKED: "Revoked",
    Verdict.UNKNOWN_ISSUER: "Unknown issuer",
}


class NotACredential(DomainError):
    """The input is not a signed credential that could be checked; says why."""


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    reason: str
    # What the credential says, shown only when its signature matched (valid or revoked).
    credential_id: str | None = None
    achievement: str | None = None
    issuer_name: str | None = None
    valid_from: str | None = None
    revoked_at: datetime | None = None

    @property
    def label(self) -> str:
        return LABELS[self.verdict]

    @property
    def passed(self) -> bool:
        """Valid: the one answer that means the credential can be relied on."""
        return self.verdict is Verdict.VALID

    @property
    def trusted_content(self) -> bool:
        """The signature matched, so what the credential says is what the service issued."""
        return self.verdict in (Verdict.VALID, Verdict.REVOKED)


# --- Reading the input ------------------------------------------------------------------


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def parse_credential(text: str, field: str | None = None) -> dict[str, Any]:
    """The credential in `text` (JSON), or NotACredential saying what is wrong."""
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise NotACredential("Paste, upload or name a credential to check", field)
    if len(text) > MAX_CREDENTIAL_CHARS:
        raise NotACredential(
            f"This is longer than any credential this service issues "
            f"({MAX_CREDENTIAL_CHARS // 1024} KB at most)",
            field,
        )
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise NotACredential(
            "This is not JSON: copy the whole credential, from the first { to the last }", field
        ) from None
    return checked_shape(document, field)


def checked_shape(document: Any, field: str | None = None) -> dict[str, Any]:
    """`document` if it could be a signed credential; else NotACredential with the reason."""
    if not isinstance(document, dict):
        raise NotACredential("This is not a credential: a credential is a JSON object", field)
    if _depth(document) > MAX_JSON_DEPTH:
        raise NotACredential("This is nested more deeply than any credential", field)
    if "proof" not in document:
        raise NotACredential(
            "This credential is not signed (it has no proof), so it cannot be checked", field
        )
    return document


def credential_by_address(address: str, field: str | None = None) -> dict[str, Any]:
    """The credential this service issued with that id (its web address, or the id's
    last part), as it was handed to the technician."""
    address = address.strip()
    public_id = address.rpartition("/")[2]
    if not _UUID.fullmatch(public_id) or address not in (public_id, credential_url(public_id)):
        raise NotACredential(
            "Enter the credential's address as it appears in it, starting " + credential_url(""),
            field,
        )
    found = db.session.scalar(
        select(IssuedCredential.document).where(IssuedCredential.public_id == public_id)
    )
    if found is None:
        raise NotACredential("This service has issued no credential with that address", field)
    if not found:  # the technician's record was erased: only their own copy remains
        raise NotACredential(
            "This service no longer keeps a copy of that credential: paste or upload the "
            "credential itself",
            field,
        )
    return json.loads(found)


# --- Checking ---------------------------------------------------------------------------


def _issuer_of(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _key_words(verification_method: str | None) -> str:
    for key in keys.issuer_keys():
        if key.verification_method == verification_method:
            return "the service's current key" if key.current else "an earlier key of the service"
    return "a key of the service"


def _status_place(document: dict[str, Any]) -> tuple[int, int] | None:
    """(list, index) of the credential's revocation entry in this service's lists."""
    entries = document.get("credentialStatus")
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict) or entry.get("statusPurpose") != "revocation":
            continue
        number = status_publication.list_number_of(entry.get("statusListCredential"))
        index = entry.get("statusListIndex")
        if number is not None and isinstance(index, str) and index.isdigit():
            return number, int(index)
    return None


def _content(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    issuer = document.get("issuer")
    return {
        "credential_id": document.get("id") if isinstance(document.get("id"), str) else None,
        "achievement": achievement.get("name") if isinstance(achievement, dict) else None,
        "issuer_name": issuer.get("name") if isinstance(issuer, dict) else None,
        "valid_from": document.get("validFrom"),
    }


def verify(document: dict[str, Any]) -> Verification:
    """The verdict on a credential (from `parse_credential` or `credential_by_address`)."""
    ours = keys.current_issuer_id()
    named = _issuer_of(document)
    if named != ours:
        return Verification(
            Verdict.UNKNOWN_ISSUER,
            f"It names its issuer as {named or 'nobody'}, not this service ({ours}). "
            "This service can only vouch for credentials it issued.",
        )
    check = proofs.check_proof(document, keys.trusted_key)
    if check.outcome == "unknown_key":
        return Verification(
            Verdict.UNKNOWN_ISSUER,
            "It names this service as its issuer, but it was signed with a key this service "
            "has never published, so the service did not issue it.",
        )
    if check.outcome == "tampered":
        return Verification(Verdict.TAMPERED, check.reason)
    if not check.valid:  # a proof this service would not have written
        return Verification(
            Verdict.TAMPERED,
            f"{check.reason} This service signs every credential it issues with an "
            "eddsa-rdfc-2022 proof over its own contexts, so this is not as it was issued.",
        )
    content = _content(document)
    place = _status_place(document)
    row = status_publication.credential_at(*place) if place else None
    if row is not None and row.revoked_at is not None:
        return Verification(
            Verdict.REVOKED,
            f"The signature matches, but this service revoked the credential on "
            f"{long_date(row.revoked_at.date())}, so it can no longer be relied on.",
            revoked_at=row.revoked_at,
            **content,
        )
    return Verification(
        Verdict.VALID,
        f"The signature matches the content, made with {_key_words(check.verification_method)}, "
        "and the service has not revoked it.",
        **content,
    )
