"""A seeded world for the privacy tests: the access-control world (tests/security/world.py)
with more of what people write about trainee A: a review asking for changes, a supervision
session, a revoked sign-off, an API token. Each piece of A's personal data carries a
marker, so the tests can look for it anywhere in the database."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Base
from app.models.base import utcnow
from app.models.evidence import Attachment
from app.models.registration import Qualification
from app.models.signoffs import SignOff
from app.models.users import User
from app.services.accounts import api_tokens
from app.services.clock import uk_today
from app.services.privacy.portable_record import portable_record
from app.services.supervision import reviews, signoffs
from app.services.supervision import sessions as supervision_sessions
from tests.security.world import DRAFT_TITLE, OWNER_EMAIL, OWNER_NAME, SHARED_TITLE, build_world

REVIEW_COMMENT = "Say what you would check next time with Ada"
SESSION_TOPICS = "Ada's inhaler technique coaching"
REVOCATION_REASON = "Signed against the wrong competency for Ada"
TOKEN_LABEL = "Ada's laptop"
# Everything identifying trainee A or written about her; none may survive her erasure.
OWNER_MARKERS = (
    OWNER_NAME,
    OWNER_EMAIL,
    SHARED_TITLE,
    DRAFT_TITLE,
    "5012345",  # her GPhC registration number
    "licensed alternatives",  # her revalidation record
    "Seen in practice.",  # the sign-off's comment about her
    "Assessed directly in practice.",  # its override justification
    REVIEW_COMMENT,
    SESSION_TOPICS,
    REVOCATION_REASON,
    TOKEN_LABEL,
)


@pytest.fixture
def world(app, make_user, make_org, framework):
    found = build_world(app, make_user, make_org, framework)
    owner, supervisor = found.users["owner"], found.users["assigned_supervisor"]
    shared = found.args["evidence_id"]
    reviews.record_review(
        reviews.evidence_for_reviewer(supervisor, shared),
        reviewer=supervisor,
        decision="changes_requested",
        comment=REVIEW_COMMENT,
        version_number=1,
    )
    enrolment = found.args["enrolment_id"]
    from app.models.enrolments import Enrolment

    supervision_sessions.record_session(
        db.session.get(Enrolment, enrolment),
        supervisor=supervisor,
        held_on=uk_today() - timedelta(days=2),
        duration_minutes=40,
        topics=SESSION_TOPICS,
        today=uk_today(),
    )
    signoffs.revoke(
        db.session.get(SignOff, found.args["sign_off_id"]),
        actor=supervisor,
        reason=REVOCATION_REASON,
        authenticated_at=utcnow(),
    )
    api_tokens.create_token(owner, TOKEN_LABEL)
    db.session.commit()
    return found


def database_text() -> str:
    """Every row of every table as text, to search for what must be gone."""
    db.session.commit()
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            parts.append(f"{table.name}: {json.dumps(list(row), default=str)}")
    db.session.commit()
    return "\n".join(parts)


def stored_files(app) -> set[str]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def files_of(user: User) -> set[str]:
    """The storage keys of every file kept for a trainee."""
    from app.models.enrolments import Enrolment
    from app.models.evidence import Evidence

    keys = set(
        db.session.scalars(
            select(Attachment.storage_key)
            .join(Evidence, Evidence.id == Attachment.evidence_id)
            .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
            .where(Enrolment.trainee_id == user.id)
        )
    )
    keys |= {
        k
        for k in db.session.scalars(
            select(Qualification.certificate_storage_key).where(Qualification.user_id == user.id)
        )
        if k
    }
    return keys


def record_of(app, user_id: int) -> dict:
    """The person's portable record (their subject access export), without its timestamp."""
    record, _ = portable_record(
        db.session.get(User, user_id), upload_dir=app.config["UPLOAD_DIR"], generated_at=utcnow()
    )
    db.session.rollback()
    record.pop("generated_at")
    return json.loads(json.dumps(record, default=str))
