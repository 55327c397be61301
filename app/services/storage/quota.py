"""How much file storage a trainee uses, and the quota that caps it.

Every file the service keeps for a trainee counts: the attachments on their evidence
(drafts' too), their Level 3 certificate and any pathway exemption letter. The quota
(`UPLOAD_QUOTA_BYTES`, 500 MB unless configured) is checked when a file is attached to
evidence, the only kind of file that accumulates: a certificate or a letter replaces the
one before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Attachment, Evidence
from app.models.registration import Qualification
from app.models.users import User
from app.services.errors import DomainError
from app.services.storage.sizes import describe_size

DEFAULT_QUOTA_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class StorageUsage:
    used_bytes: int
    quota_bytes: int

    @property
    def remaining_bytes(self) -> int:
        return max(self.quota_bytes - self.used_bytes, 0)

    @property
    def nearly_full(self) -> bool:
        """Nine tenths or more used: worth a warning before the next upload is refused."""
        return self.used_bytes * 10 >= self.quota_bytes * 9

    def describe(self) -> str:
        """'12.3 MB of 500 MB used'."""
        return f"{describe_size(self.used_bytes)} of {describe_size(self.quota_bytes)} used"


def quota_bytes() -> int:
    return int(current_app.config.get("UPLOAD_QUOTA_BYTES") or DEFAULT_QUOTA_BYTES)


def used_bytes(user_id: int) -> int:
    """The size of every file kept for the trainee, in one query."""
    owned = select(Enrolment.id).where(Enrolment.trainee_id == user_id)
    attachments = (
        select(func.coalesce(func.sum(Attachment.size_bytes), 0))
        .join(Evidence, Evidence.id == Attachment.evidence_id)
        .where(Evidence.enrolment_id.in_(owned))
        .scalar_subquery()
    )
    letters = (
        select(func.coalesce(func.sum(Enrolment.exemption_size_bytes), 0))
        .where(Enrolment.trainee_id == user_id)
        .scalar_subquery()
    )
    certificate = (
        select(func.coalesce(func.sum(Qualification.certificate_size_bytes), 0))
        .where(Qualification.user_id == user_id)
        .scalar_subquery()
    )
    return int(db.session.scalar(select(attachments + letters + certificate)) or 0)


def usage_for(user_id: int) -> StorageUsage:
    return StorageUsage(used_bytes(user_id), quota_bytes())


def check_room(user_id: int, size_bytes: int) -> StorageUsage:
    """Refuse a new file of `size_bytes` that would take the trainee over their quota.

    The trainee's row is locked first (PostgreSQL; SQLite's writers are already serial),
    so two uploads at once cannot both fit into the last of the space.
    """
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    usage = usage_for(user_id)
    if usage.used_bytes + size_bytes > usage.quota_bytes:
        raise DomainError(
            f"This file is {describe_size(size_bytes)} but only "
            f"{describe_size(usage.remaining_bytes)} of your "
            f"{describe_size(usage.quota_bytes)} file storage is left. Delete draft "
            "evidence you no longer need, or ask your administrator for more space",
            "file",
        )
    return usage
