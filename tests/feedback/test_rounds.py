"""Rounds against the NCF's rule: at least 3 answers, one from a pharmacist and one from
another role, a 28-day window, rounds 90 days apart, no report below 3 answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.feedback import FeedbackResponse
from app.models.notifications import Notification
from app.services.accounts.one_time_links import LinkRefused
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.feedback import decisions, rounds
from app.services.feedback.questionnaire import AnswersInvalid
from app.services.feedback.report import build_report
from tests.feedback.conftest import (
    answer,
    ask,
    days_after,
    open_round,
    round_with_answers,
    tokens_sent_to,
)
from tests.supervision.conftest import sent_mail


def close(setting, round_, outcome="valid", reason="", now=None):
    decisions.close(round_, outcome=outcome, reason=reason, actor=setting.supervisor, now=now)
    db.session.commit()


def test_opening_a_round_tells_the_clinical_supervisor(app, setting):
    round_ = open_round(setting)
    note = db.session.scalar(
        select(Notification).where(Notification.user_id == setting.supervisor.id)
    )
    closes = uk_today(round_.closes_at)
    assert note.text == (
        "A trainee you supervise opened a multi-source feedback round: answers close on "
        f"{closes.day} {closes:%B %Y}, then you decide whether it is valid."
    )
    assert note.link == f"/supervision/enrolments/{setting.enrolment.id}/feedback"


def test_a_round_with_exactly_the_minimum_and_the_mix_closes_as_valid(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse", "gp"])
    close(setting, round_)
    assert round_.status == "valid"
    assert round_.counts_at_close == {"pharmacists": 1, "other-roles": 2}


def test_a_round_one_rater_short_is_refused_as_valid_with_the_rule_words(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse"])
    with pytest.raises(DomainError) as refused:
        close(setting, round_)
    assert refused.value.message == (
        "This round cannot be closed as valid: it needs 1 more response in all (2 of at least 3)."
    )
    db.session.rollback()
    assert rounds.open_round_of(setting.enrolment.id).status == "open"


def test_a_round_without_a_pharmacist_is_refused_as_valid_naming_the_group(app, setting):
    round_ = round_with_answers(app, setting, ["nurse", "gp", "non-clinical"])
    with pytest.raises(DomainError) as refused:
        close(setting, round_)
    assert refused.value.message == (
        "This round cannot be closed as valid: it needs 1 more response from pharmacists "
        "(0 of at least 1)."
    )


def test_a_round_of_pharmacists_only_lacks_the_other_roles(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "pharmacist", "pharmacist"])
    refusal = rounds.round_standing(round_).refusal
    assert refusal == (
        "This round cannot be closed as valid: it needs 1 more response from colleagues "
        "in other roles (0 of at least 1)."
    )


def test_an_invalid_round_closes_as_invalid_only_with_a_reason(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist"])
    with pytest.raises(DomainError, match="Say why the round is not valid"):
        close(setting, round_, "invalid")
    db.session.rollback()
    close(setting, round_, "invalid", "Only one colleague answered.")
    assert (round_.status, round_.close_reason) == ("invalid", "Only one colleague answered.")


def test_rounds_must_start_90_days_apart_after_a_valid_round(app, setting):
    start = utcnow() - timedelta(days=200)
    first = round_with_answers(app, setting, ["pharmacist", "nurse", "gp"], now=start)
    close(setting, first, now=days_after(start, 20))
    with pytest.raises(DomainError) as refused:
        open_round(setting, days_after(start, 89))
    next_day = days_after(start, 90)
    shown = uk_today(next_day)  # the date in the UK, whatever the hour in UTC
    assert refused.value.message.endswith(f"You can open the next one on {shown.day} {shown:%B %Y}")
    db.session.rollback()
    assert open_round(setting, next_day).status == "open"


def test_an_invalid_round_does_not_hold_back_the_next(app, setting):
    start = utcnow() - timedelta(days=40)
    first = round_with_answers(app, setting, ["pharmacist"], now=start)
    close(setting, first, "invalid", "Too few answers", now=days_after(start, 30))
    assert open_round(setting, days_after(start, 31)).status == "open"


def test_a_link_is_refused_after_the_window(app, setting):
    start = utcnow() - timedelta(days=1)
    round_ = open_round(setting, start)
    token = ask(app, setting, round_, "nurse", 1, now=start)
    rounds.rater_for_link(token, now=days_after(start, 27))  # still open on day 27
    with pytest.raises(LinkRefused) as refused:
        answer(token, now=days_after(start, 28))
    assert refused.value.problem.value == "expired"


def test_a_link_used_twice_is_refused_and_one_answer_is_kept(app, setting):
    round_ = open_round(setting)
    token = ask(app, setting, round_, "nurse", 1)
    answer(token)
    with pytest.raises(LinkRefused) as refused:
        answer(token)
    assert refused.value.problem.value == "used"
    db.session.rollback()
    assert rounds.response_counts(round_.id) == {"other-roles": 1}


def test_a_missing_rating_is_refused_and_the_link_still_works(app, setting):
    round_ = open_round(setting)
    token = ask(app, setting, round_, "nurse", 1)
    with pytest.raises(AnswersInvalid) as invalid:
        answer(token, teamwork="")
    assert invalid.value.errors == {
        "teamwork": "Choose a rating for: Works well with the rest of the team"
    }
    db.session.rollback()
    answer(token)
    assert rounds.response_counts(round_.id) == {"other-roles": 1}


def test_reminders_go_only_to_raters_who_have_not_answered(app, setting):
    round_ = open_round(setting)
    answered = ask(app, setting, round_, "pharmacist", 1)
    first_link = ask(app, setting, round_, "nurse", 2)
    ask(app, setting, round_, "gp", 3)
    answer(answered)
    before = len(sent_mail(app))
    assert rounds.remind(round_, actor=setting.trainee) == 2
    db.session.commit()
    reminders = sent_mail(app)[before:]
    assert sorted(m["To"] for m in reminders) == ["gp3@example.net", "nurse2@example.net"]
    assert all(m["Subject"].startswith("Reminder: Tara Trainee") for m in reminders)
    # The reminder's link replaces the first one.
    with pytest.raises(LinkRefused):
        rounds.rater_for_link(first_link)
    rounds.rater_for_link(tokens_sent_to(app, "nurse2@example.net")[-1])
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.data) == ("msf.reminders_sent", {"raters": 2})


def test_reminders_wait_a_day(app, setting):
    round_ = open_round(setting)
    ask(app, setting, round_, "nurse", 1)
    rounds.remind(round_, actor=setting.trainee)
    db.session.commit()
    with pytest.raises(DomainError, match="less than a day ago"):
        rounds.remind(round_, actor=setting.trainee)


def test_closing_the_round_stops_every_link(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse", "gp"])
    late = ask(app, setting, round_, "non-clinical", 9)
    close(setting, round_)
    with pytest.raises(LinkRefused):
        answer(late)


def test_no_report_below_the_threshold(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse"])
    assert build_report(round_) is None
    close(setting, round_, "invalid", "Two answers only")
    with pytest.raises(DomainError, match="Only a round closed as valid"):
        decisions.release(round_, actor=setting.supervisor)


def test_responses_keep_no_rater_and_no_time(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse", "gp"])
    columns = set(FeedbackResponse.__table__.columns.keys())
    assert columns == {"id", "round_id", "rater_group", "answers"}
    ids = list(db.session.scalars(select(FeedbackResponse.id)))
    assert all(len(i) == 32 for i in ids)
    assert all(r.answered for r in round_.raters)


def test_every_step_is_audited_without_naming_who_answered(app, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse", "gp"])
    close(setting, round_)
    decisions.release(round_, actor=setting.supervisor)
    db.session.commit()
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("msf.%"))))
    actions = [e.action for e in events]
    assert actions.count("msf.round_opened") == 1
    assert actions.count("msf.rater_nominated") == 3
    assert actions.count("msf.response_received") == 3
    assert actions[-2:] == ["msf.round_closed", "msf.report_released"]
    answers = [e for e in events if e.action == "msf.response_received"]
    assert [(e.actor_id, e.data) for e in answers] == [
        (None, {"responses": 1}),
        (None, {"responses": 2}),
        (None, {"responses": 3}),
    ]
