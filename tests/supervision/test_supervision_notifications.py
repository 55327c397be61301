"""Notifications: the in-app list and count, marking read, and the daily e-mail digest."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.extensions import db
from app.models.notifications import Notification, SubmissionDigest
from app.models.users import User
from app.services.errors import NotFound
from app.services.notifications import messages as notifications
from app.services.supervision import reviews
from tests.supervision.conftest import count, sent_mail

DAY = date(2025, 6, 2)


def note(user: User, text: str = "Something happened", link: str = "/portfolio/") -> Notification:
    n = notifications.notify(user, "evidence_accepted", text, link)
    db.session.commit()
    return n


def test_unread_notifications_are_counted_and_listed_newest_first(trainee):
    first, second = note(trainee, "First"), note(trainee, "Second")
    assert notifications.unread_count(trainee.id) == 2
    assert [n.text for n in notifications.recent_for(trainee.id)] == ["Second", "First"]
    notifications.mark_read(trainee, first.id)
    db.session.commit()
    assert notifications.unread_count(trainee.id) == 1
    assert first.read_at is not None
    assert second.read_at is None


def test_nobody_can_mark_someone_elses_notification(trainee, supervisor):
    mine = note(trainee)
    with pytest.raises(NotFound):
        notifications.mark_read(supervisor, mine.id)


def test_mark_all_read_touches_only_my_unread_ones(trainee, supervisor):
    note(trainee)
    note(trainee)
    theirs = note(supervisor)
    assert notifications.mark_all_read(trainee) == 2
    db.session.commit()
    assert notifications.unread_count(trainee.id) == 0
    assert db.session.get(Notification, theirs.id).read_at is None


def test_a_long_text_is_shortened_to_fit(trainee):
    assert len(note(trainee, "x" * 400).text) == notifications.TEXT_MAX


# --- The digest of submitted evidence -------------------------------------------------------


def digest(on: date = DAY, now: datetime | None = None) -> notifications.DigestOutcome:
    outcome = notifications.send_submission_digests(on, now)
    db.session.commit()
    return outcome


def test_submitted_evidence_reaches_the_supervisor_in_one_email_a_day(
    app, enrolment, submitted, supervisor
):
    submitted(enrolment, "reflective-account", ["B1"])
    submitted(enrolment, "observation", ["B1"])

    outcome = digest()
    assert (outcome.sent, outcome.skipped) == (1, 0)
    mails = sent_mail(app)
    assert [m["To"] for m in mails] == [supervisor.email]
    assert mails[0]["Subject"] == "Evidence is waiting for your review"
    assert "2 evidence items were submitted" in mails[0].get_content()
    assert notifications.unread_count(supervisor.id) == 1

    # Another submission the same day waits for tomorrow's digest.
    submitted(enrolment, "reflective-account", ["B2"])
    outcome = digest()
    assert (outcome.sent, outcome.skipped) == (0, 1)
    assert len(sent_mail(app)) == 1

    outcome = digest(DAY + timedelta(days=1))
    assert outcome.sent == 1
    assert "1 evidence item was submitted" in sent_mail(app)[-1].get_content()
    assert "3 waiting in all" in sent_mail(app)[-1].get_content()


def test_no_digest_without_new_submissions(app, enrolment, submitted):
    submitted(enrolment, "reflective-account", ["B1"])
    digest()
    outcome = digest(DAY + timedelta(days=1))
    assert outcome.sent == 0
    assert len(sent_mail(app)) == 1
    assert count(SubmissionDigest) == 1


def test_evidence_left_unreviewed_brings_a_reminder_once_a_week_until_it_is_reviewed(
    app, enrolment, submitted, supervisor
):
    item = submitted(enrolment, "reflective-account", ["B1"])
    at = item.submitted_at
    start = at.date()

    def day(offset: int) -> notifications.DigestOutcome:
        return digest(start + timedelta(days=offset), at + timedelta(days=offset, minutes=1))

    assert day(0).sent == 1
    first_cutoff = db.session.scalar(db.select(SubmissionDigest.covered_until))
    # Nothing new and not yet a week: no e-mail.
    for offset in range(1, 7):
        assert day(offset) == notifications.DigestOutcome(0, 0, 0), offset
    assert len(sent_mail(app)) == 1

    assert day(7) == notifications.DigestOutcome(sent=0, skipped=0, reminded=1)
    reminder = sent_mail(app)[-1]
    assert reminder["To"] == supervisor.email
    assert reminder["Subject"] == "Reminder: evidence is still waiting for your review"
    assert (
        "1 evidence item is still waiting for your review, the oldest for 7 days."
        in reminder.get_content()
    )
    latest = db.session.scalars(
        db.select(SubmissionDigest).order_by(SubmissionDigest.id.desc())
    ).first()
    # A reminder covers nothing new: the next digest still starts after the first item.
    assert (latest.item_count, latest.covered_until) == (0, first_cutoff)

    # Not again for another week.
    assert [day(offset).reminded for offset in range(8, 14)] == [0] * 6
    assert day(14).reminded == 1
    assert "the oldest for 14 days" in sent_mail(app)[-1].get_content()

    # Once reviewed, nothing more.
    reviews.record_review(
        item,
        reviewer=supervisor,
        decision="accepted",
        comment="",
        version_number=item.current_version_number,
    )
    db.session.commit()
    mails = len(sent_mail(app))  # the trainee hears of the review
    assert day(21) == notifications.DigestOutcome(0, 0, 0)
    assert len(sent_mail(app)) == mails
    assert [m["To"] for m in sent_mail(app)].count(supervisor.email) == 3


def test_a_new_submission_after_a_reminder_gets_the_usual_digest(app, enrolment, submitted):
    first = submitted(enrolment, "reflective-account", ["B1"])
    at, start = first.submitted_at, first.submitted_at.date()
    digest(start, at + timedelta(minutes=1))
    assert digest(start + timedelta(days=7), at + timedelta(days=7)).reminded == 1
    submitted(enrolment, "observation", ["B1"])
    outcome = digest(start + timedelta(days=8), at + timedelta(days=8))
    assert (outcome.sent, outcome.reminded) == (1, 0)
    body = sent_mail(app)[-1].get_content()
    assert "1 evidence item was submitted for your review since your last summary" in body
    assert "2 waiting in all" in body
    assert "The oldest has waited 8 days." in body


def test_reminders_can_be_switched_off(app, enrolment, submitted):
    app.config["REVIEW_REMINDER_DAYS"] = 0
    item = submitted(enrolment, "reflective-account", ["B1"])
    at, start = item.submitted_at, item.submitted_at.date()
    digest(start, at + timedelta(minutes=1))
    assert digest(start + timedelta(days=30), at + timedelta(days=30)).reminded == 0
    assert len(sent_mail(app)) == 1


def test_the_digest_command_reports_what_it_sent(app, runner, enrolment, submitted):
    submitted(enrolment, "reflective-account", ["B1"])
    db.session.commit()
    result = runner.invoke(args=["notifications", "send-digest", "--date", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"digests sent: 1; reminders sent: 0; supervisors already sent one on {DAY}: 0\n"
    )
    again = runner.invoke(args=["notifications", "send-digest", "--date", DAY.isoformat()])
    assert again.exit_code == 0
    assert len(sent_mail(app)) == 1


def test_the_digest_command_refuses_a_bad_date_in_one_line(runner):
    result = runner.invoke(args=["notifications", "send-digest", "--date", "2/6/2025"])
    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output
