"""Revoking the credential of a completed training.

The completion itself is a signed record that never changes (`supervision.completion`);
when it should no longer be relied on (it was signed in error, or on a registration
later found to be false), its clinical supervisor revokes the credential issued for it.
The same rules hold as for revoking a sign-off: only the enrolment's clinical supervisor,
their own pharmacist registration standing today, their password re-entered in the last
few minutes, and a reason in words. Revoking sets the credential's `revoked_at`; from
then on status list `n` (`status_publication`) has its bit set and every verification
answers "revoked". One transaction, one audit event (`credential.revoked`, ids and a
digest of the reason), and the trainee is told why. A revocation cannot be undone: a
credential revoked in error is replaced only by a new completion.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.credentials import IssuedCredential
from app.models.enrolments import Enrolment
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.notifications import messages as notifications
from app.services.supervision import signing
from app.services.supervision.access import may_supervise

MAX_REASON = 1000


def may_revoke(user: User, enrolment: Enrolment, credential: IssuedCredential | None) -> bool:
    """`user` may revoke this enrolment's credential: it stands, and they are its
    clinical supervisor (the page offers the form only then)."""
    return (
        credential is not None
        and credential.revoked_at is None
        and may_supervise(user, enrolment, clinical=True)
    )


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why you are revoking this credential", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"The reason must be {MAX_REASON} characters or fewer", "reason")
    return reason


def revoke(
    enrolment: Enrolment,
    *,
    actor: User,
    reason: str,
    authenticated_at: datetime | None,
    now: datetime | None = None,
) -> IssuedCredential:
    """Revoke the credential issued for the enrolment's completion, with a reason."""
    now = now or utcnow()
    signing.check_fresh(authenticated_at, now)
    reason = _reason(reason)
    enrolment = signing.lock_enrolment(enrolment.id)
    signing.signer_registration(enrolment, actor, uk_today(now), require_active=False)
    credential = db.session.scalar(
        select(IssuedCredential)
        .where(IssuedCredential.enrolment_id == enrolment.id)
        .execution_options(populate_existing=True)
    )
    if credential is None:
        raise DomainError("No credential has been issued for this training")
    if credential.revoked_at is not None:
        raise DomainError("This credential has already been revoked")
    credential.revoked_at = now
    credential.revoked_by_name = actor.name
    credential.revocation_reason = reason
    db.session.flush()
    audit.record(
        "credential.revoked",
        "issued_credential",
        credential.id,
        actor=actor,
        data={
            "enrolment_id": enrolment.id,
            "completion_id": credential.completion_id,
            "status_list": credential.status_list,
            "status_list_index": credential.status_list_index,
            "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
        },
    )
    notifications.notify(
        enrolment.trainee,
        "credential_revoked",
        f"{actor.name} revoked the credential for your completed training: {reason}",
        notifications.path_for("supervisor.record", enrolment_id=enrolment.id),
        email_subject="Your training credential was revoked",
        email_body=(
            "Your clinical supervisor has revoked the digital credential for your completed "
            "training. Sign in to see why."
        ),
    )
    return credential
