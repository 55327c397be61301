"""Telling people what happened: in-app notifications, and e-mail sent once it is committed.

A service that changes something calls `notify` in the same transaction. The e-mail is
only queued on the session here; `app.notifications.delivery` sends it after the commit
(and drops it on a rollback), so nobody is told about a change that did not happen.
E-mails say that something happened and where to look, never the content itself:
evidence and comments stay behind the sign-in.

Submitted evidence is the exception to "tell them at once": supervisors get one digest
e-mail a day at most (`send_submission_digests`, run by `flask notifications send-digest`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.notifications import Notification, SubmissionDigest
from app.models.users import User
from app.services.errors import NotFound

PENDING_MAIL = "pcpt.pending_mail"
TEXT_MAX = 300


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str
    # A path inside the app; delivery turns it into a full address when it knows the host.
    link: str = ""


def path_for(endpoint: str, fallback: str = "/", **values: object) -> str:
    """The path of a page, built without a request (services also run from commands)."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return fallback


def queue_mail(mail: OutgoingMail) -> None:
    """Send `mail` once the current transaction commits."""
    db.session.info.setdefault(PENDING_MAIL, []).append(mail)


def take_queued_mail(session) -> list[OutgoingMail]:
    return session.info.pop(PENDING_MAIL, [])


def notify(
    user: User,
    kind: str,
    text: str,
    link: str = "",
    *,
    email_subject: str | None = None,
    email_body: str | None = None,
) -> Notification:
    """An in-app notification for `user`, and an e-mail too when a subject is given."""
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    notification = Notification(user_id=user.id, kind=kind, text=text, link=link)
    db.session.add(notification)
    if email_subject and user.active:
        queue_mail(OutgoingMail(user.email, email_subject, email_body or text, link))
    return notification


# --- Reading and marking -------------------------------------------------------------


@functools.cache
def _unread_count_statement():
    """Built once: every page's header asks it."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
    )


def unread_count(user_id: int) -> int:
    return db.session.scalar(_unread_count_statement(), {"user_id": user_id}) or 0


def recent_for(user_id: int, limit: int = 100) -> list[Notification]:
    """The newest notifications first, unread or not."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (reading it twice changes nothing)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("Notification not found")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


# --- The daily digest of submitted evidence --------------------------------------------


@dataclass(frozen=True)
class DigestOutcome:
    sent: int  # supervisors e-mailed
    skipped: int  # supervisors with new items who already had today's digest


def _waiting_by_supervisor() -> dict[int, list[datetime]]:
    """When each waiting item was submitted, per supervisor (clinical or education)."""
    rows = db.session.execute(
        select(
            Enrolment.clinical_supervisor_id,
            Enrolment.education_supervisor_id,
            Evidence.submitted_at,
        )
        .join(Enrolment, Evidence.enrolment_id == Enrolment.id)
        .where(
            Evidence.status == "submitted",
            Enrolment.status.in_(("active", "paused")),
            or_(
                Enrolment.clinical_supervisor_id.is_not(None),
                Enrolment.education_supervisor_id.is_not(None),
            ),
        )
    )
    waiting: dict[int, list[datetime]] = defaultdict(list)
    for clinical_id, education_id, submitted_at in rows:
        for supervisor_id in {clinical_id, education_id} - {None}:
            waiting[supervisor_id].append(submitted_at)
    return waiting


def send_submission_digests(today: date, now: datetime | None = None) -> DigestOutcome:
    """Queue one e-mail (and an in-app note) per supervisor with newly submitted evidence.

    "New" means submitted after the previous digest's cut-off. The unique (user, day)
    row makes this safe to run from several hosts at once: a second run the same day
    sends nothing. The caller commits; the e-mails go out after the commit.
    """
    now = now or utcnow()
    waiting = _waiting_by_supervisor()
    if not waiting:
        return DigestOutcome(0, 0)
    last_cutoffs = dict(
        db.session.execute(
            select(SubmissionDigest.user_id, func.max(SubmissionDigest.covered_until))
            .where(SubmissionDigest.user_id.in_(waiting))
            .group_by(SubmissionDigest.user_id)
        ).all()
    )
    sent_today = set(
        db.session.scalars(
            select(SubmissionDigest.user_id).where(
                SubmissionDigest.user_id.in_(waiting), SubmissionDigest.digest_on == today
            )
        )
    )
    supervisors = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_(waiting), User.active.is_(True)))
    }
    sent = skipped = 0
    for supervisor_id, submitted in sorted(waiting.items()):
        supervisor = supervisors.get(supervisor_id)
        cutoff = last_cutoffs.get(supervisor_id)
        new = [at for at in submitted if cutoff is None or at > cutoff]
        if supervisor is None or not new:
            continue
        if supervisor_id in sent_today:
            skipped += 1
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    SubmissionDigest(
                        user_id=supervisor_id,
                        digest_on=today,
                        covered_until=max(new),
                        item_count=len(new),
                        sent_at=now,
                    )
                )
        except IntegrityError:  # another run got there first
            skipped += 1
            continue
        oldest_days = max((now - min(submitted)) // timedelta(days=1), 0)
        text = (
            f"{_items(len(new))} submitted for your review since your last summary; "
            f"{len(submitted)} waiting in all"
        )
        notify(
            supervisor,
            "evidence_submitted",
            text,
            path_for("supervisor.home"),
            email_subject="Evidence is waiting for your review",
            email_body=(
                f"{text}. The oldest has waited {_days(oldest_days)}.\n\n"
                "Open your review queue in PCPT Portfolio to review them."
            ),
        )
        sent += 1
    db.session.flush()
    return DigestOutcome(sent, skipped)


def _items(count: int) -> str:
    return "1 evidence item was" if count == 1 else f"{count} evidence items were"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
