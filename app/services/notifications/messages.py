"""Telling people what happened: in-app notifications, and e-mail sent once it is committed.

A service that changes something calls `notify` in the same transaction. The e-mail is
only queued on the session here; `app.notifications.delivery` sends it after the commit
(and drops it on a rollback), so nobody is told about a change that did not happen.
E-mails say that something happened and where to look, never the content itself:
evidence and comments stay behind the sign-in.

Submitted evidence is the exception to "tell them at once": supervisors get one digest
e-mail a day at most (`send_submission_digests`, run by `flask notifications send-digest`).
Evidence nobody reviews is not forgotten: with nothing new to report, the digest reminds a
supervisor whose oldest waiting item has waited `REVIEW_REMINDER_DAYS`, and again each time
that many days pass without a digest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
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
    # A path inside the app; delivery makes it a full address under BASE_URL.
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


_UNREAD_COUNT = select(func.count(Notification.id)).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
)


def unread_count(user_id: int) -> int:
    return db.session.scalar(_UNREAD_COUNT, {"user_id": user_id}) or 0


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
    sent: int  # supervisors e-mailed about new items
    skipped: int  # supervisors with new items who already had today's digest
    reminded: int = 0  # supervisors reminded of items still waiting, with nothing new


def _reminder_due(oldest_days: int, last_digest_on: date | None, today: date) -> bool:
    """Remind when the oldest item has waited the set number of days and no digest has
    gone out for as long."""
    every = int(current_app.config.get("REVIEW_REMINDER_DAYS", 7))
    return (
        every > 0
        and oldest_days >= every
        and (last_digest_on is None or (today - last_digest_on).days >= every)
    )


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
            Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
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
    """Queue one e-mail (and an in-app note) per supervisor with newly submitted evidence,
    or, with nothing new, a reminder once the oldest waiting item is due one.

    "New" means submitted after the previous digest's cut-off. The unique (user, day)
    row makes this safe to run from several hosts at once: a second run the same day
    sends nothing. The caller commits; the e-mails go out after the commit.
    """
    now = now or utcnow()
    waiting = _waiting_by_supervisor()
    if not waiting:
        return DigestOutcome(0, 0)
    last_digests = _last_digests(waiting)
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
    sent = skipped = reminded = 0
    for supervisor_id, submitted in sorted(waiting.items()):
        supervisor = supervisors.get(supervisor_id)
        cutoff, last_digest_on = last_digests.get(supervisor_id, (None, None))
        new = [at for at in submitted if cutoff is None or at > cutoff]
        oldest_days = max((now - min(submitted)) // timedelta(days=1), 0)
        if supervisor is None or not (new or _reminder_due(oldest_days, last_digest_on, today)):
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
                        # A reminder covers nothing new: the next digest starts where it was.
                        covered_until=max(new) if new else cutoff,
                        item_count=len(new),
                        sent_at=now,
                    )
                )
        except IntegrityError:  # another run got there first
            skipped += 1
            continue
        _notify_digest(supervisor, len(new), len(submitted), oldest_days)
        if new:
            sent += 1
        else:
            reminded += 1
    db.session.flush()
    return DigestOutcome(sent, skipped, reminded)


def _last_digests(supervisor_ids: Iterable[int]) -> dict[int, tuple[datetime, date]]:
    """Each supervisor's latest digest: the cut-off it covered, and the day it was sent."""
    return {
        user_id: (covered_until, digest_on)
        for user_id, covered_until, digest_on in db.session.execute(
            select(
                SubmissionDigest.user_id,
                func.max(SubmissionDigest.covered_until),
                func.max(SubmissionDigest.digest_on),
            )
            .where(SubmissionDigest.user_id.in_(supervisor_ids))
            .group_by(SubmissionDigest.user_id)
        )
    }


def _notify_digest(supervisor: User, new: int, waiting: int, oldest_days: int) -> None:
    """The digest of `new` items, or with none new, the reminder of those still waiting."""
    if new:
        text = (
            f"{_items(new)} submitted for your review since your last summary; "
            f"{waiting} waiting in all"
        )
        subject = "Evidence is waiting for your review"
        body = f"{text}. The oldest has waited {_days(oldest_days)}."
    else:
        text = f"{_waiting(waiting)} for your review, the oldest for {_days(oldest_days)}"
        subject = "Reminder: evidence is still waiting for your review"
        body = f"{text}."
    notify(
        supervisor,
        "evidence_submitted",
        text,
        path_for("supervisor.home"),
        email_subject=subject,
        email_body=f"{body}\n\nOpen your review queue in PCPT Portfolio to review them.",
    )


def _items(count: int) -> str:
    return "1 evidence item was" if count == 1 else f"{count} evidence items were"


def _waiting(count: int) -> str:
    return (
        "1 evidence item is still waiting"
        if count == 1
        else f"{count} evidence items are still waiting"
    )


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
