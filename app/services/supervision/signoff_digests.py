"""The sha256 of a sign-off and of its revocation: what each record's digest covers.

A revocation's digest covers the digest of the sign-off it withdraws, chaining the two.
"""

from __future__ import annotations

from datetime import datetime

from app.models.signoffs import SignOff, SignOffRevocation
from app.services.audit.digests import record_digest


def _when(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def _registration_part(key: str, snapshot: dict | None) -> dict:
    """The registration snapshot, in the digest only when recorded: records signed before
    snapshots were kept keep the digest they were signed with."""
    return {key: snapshot} if snapshot is not None else {}


def sign_off_digest(s: SignOff) -> str:
    return record_digest(
        {
            "enrolment_id": s.enrolment_id,
            "competency_id": s.competency_id,
            "competency_code": s.competency_code,
            "sequence": s.sequence,
            "outcome_code": s.outcome_code,
            "outcome_label": s.outcome_label,
            "proficient": s.proficient,
            "comment": s.comment,
            "override_justification": s.override_justification,
            "unmet_rule": list(s.unmet_rule),
            "signer_id": s.signer_id,
            "signer_name": s.signer_name,
            "signer_gphc_number": s.signer_gphc_number,
            "trainee_name": s.trainee_name,
            "statement": s.statement,
            "evidence_versions": list(s.evidence_versions),
            "signed_at": _when(s.signed_at),
            **_registration_part("signer_registration", s.signer_registration),
        }
    )


def revocation_digest(r: SignOffRevocation, sign_off_sha256: str) -> str:
    return record_digest(
        {
            "sign_off_id": r.sign_off_id,
            "sign_off_sha256": sign_off_sha256,
            "revoked_by_id": r.revoked_by_id,
            "revoked_by_name": r.revoked_by_name,
            "reason": r.reason,
            "revoked_at": _when(r.revoked_at),
            **_registration_part("revoker_registration", r.revoker_registration),
        }
    )
