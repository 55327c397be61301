"""Running a multi-source feedback round: opening it, nominating raters, reminding them,
and taking their anonymous answers.

- A trainee opens a round when their framework has an `msf` rule, no round is open, and
  at least `min_gap_days` have passed since the opening of their last valid round (the
  refusal names the first day they can). The round collects for `window_days`.
- The trainee nominates each rater by name, e-mail and role. Each gets a one-time link
  (`one_time_links`, purpose "msf-response") that stops working when the window ends.
- A reminder goes only to raters who have not answered, at most once a day: each gets a
  new link and their old one is withdrawn (only the hash of a token is kept, so the old
  one cannot be sent again).
- A rater's answer is stored without them: a random key, no time, only the rater group it
  counts towards. Their rater row says only "answered", so nobody can read back which
  answer was whose.

Every change writes one audit event (ids and counts, never names or answers) and flushes;
the caller commits. E-mails are queued and sent after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.feedback import FeedbackRater, FeedbackResponse, FeedbackRound
from app.models.one_time_links import OneTimeLink
from app.models.users import User
from app.services.accounts import one_time_links
from app.services.accounts.one_time_links import LinkProblem, LinkRefused
from app.services.accounts.users import normalise_email
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.feedback import feedback_mail, questionnaire
from app.services.feedback.rules import (
    ROLE_LABELS,
    Standing,
    group_of,
    rule_for,
    rule_from_dict,
    rule_to_dict,
    standing,
)
from app.services.frameworks.framework_spec import MsfRule
from app.services.notifications import messages as notifications
from app.services.notifications.messages import path_for, queue_mail

PURPOSE = "msf-response"
MAX_RATERS = 30  # far above any rule's advice; a cap on e-mails sent in the trainee's name
REMINDER_GAP = timedelta(days=1)
MAX_NAME = 200


# --- Reading ---------------------------------------------------------------------------


def rounds_for(enrolment_id: int) -> list[FeedbackRound]:
    """The enrolment's rounds, newest first."""
    return list(
        db.session.scalars(
            select(FeedbackRound)
            .where(FeedbackRound.enrolment_id == enrolment_id)
            .order_by(FeedbackRound.opened_at.desc(), FeedbackRound.id.desc())
        )
    )


def open_round_of(enrolment_id: int) -> FeedbackRound | None:
    return db.session.scalar(
        select(FeedbackRound).where(
            FeedbackRound.enrolment_id == enrolment_id, FeedbackRound.status == "open"
        )
    )


def rule_of(round_: FeedbackRound) -> MsfRule:
    return rule_from_dict(round_.rule)


def response_counts(round_id: int) -> dict[str, int]:
    """Responses so far per rater group id ("" for roles in no group)."""
    rows = db.session.execute(
        select(FeedbackResponse.rater_group, func.count())
        .where(FeedbackResponse.round_id == round_id)
        .group_by(FeedbackResponse.rater_group)
    )
    return {group: int(n) for group, n in rows}


def asked_counts(round_ids: list[int]) -> dict[int, int]:
    """How many people each round asked (one query for them all)."""
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(FeedbackRater.round_id, func.count())
        .where(FeedbackRater.round_id.in_(round_ids))
        .group_by(FeedbackRater.round_id)
    )
    return {round_id: int(n) for round_id, n in rows}


def round_standing(round_: FeedbackRound) -> Standing:
    counts = round_.counts_at_close if round_.status != "open" else None
    return standing(rule_of(round_), counts or response_counts(round_.id))


def nominated_by_group(round_: FeedbackRound) -> dict[str, int]:
    rule = rule_of(round_)
    counts: dict[str, int] = {}
    for rater in round_.raters:
        group = group_of(rule, rater.role)
        counts[group] = counts.get(group, 0) + 1
    return counts


def collecting(round_: FeedbackRound, now: datetime | None = None) -> bool:
    """Open, and the window has not ended: raters can still answer."""
    return round_.status == "open" and (now or utcnow()) < round_.closes_at


def days_left(round_: FeedbackRound, now: datetime | None = None) -> int:
    """Whole UK days until the window ends (0 on its last day or after)."""
    now = now or utcnow()
    return max(0, (uk_today(round_.closes_at) - uk_today(now)).days)


def next_round_on(enrolment_id: int, rule: MsfRule) -> date | None:
    """The first day a new round may open, when the gap since the last valid one rules;
    None when there has been no valid round."""
    last = db.session.scalar(
        select(func.max(FeedbackRound.opened_at)).where(
            FeedbackRound.enrolment_id == enrolment_id,
            FeedbackRound.status.in_(("valid", "released")),
        )
    )
    if last is None:
        return None
    return uk_today(last) + timedelta(days=rule.min_gap_days)


# --- Opening and nominating --------------------------------------------------------------


def opening_refusal(enrolment_id: int, rule: MsfRule, now: datetime | None = None) -> str:
    """Why a new round cannot open now (a round is open, or the gap since the last valid
    round has not passed, naming the first day it has); "" when it can."""
    if open_round_of(enrolment_id) is not None:
        return "You already have a feedback round open: finish that one first"
    next_on = next_round_on(enrolment_id, rule)
    if next_on is not None and uk_today(now or utcnow()) < next_on:
        return (
            f"Feedback rounds must be at least {rule.min_gap_days} days apart, counted from "
            f"the start of your last valid round. You can open the next one on "
            f"{_spoken(next_on)}"
        )
    return ""


def _check_trainee(enrolment: Enrolment, actor: User) -> None:
    if actor.id != enrolment.trainee_id:
        raise NotFound("Feedback round not found")
    if enrolment.status not in CURRENT_ENROLMENT_STATUSES:
        raise DomainError(f"This enrolment is {enrolment.status}: it takes no new feedback rounds")


def open_round(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> FeedbackRound:
    """A new round for the trainee, collecting for the rule's window from now."""
    now = now or utcnow()
    _check_trainee(enrolment, actor)
    rule = rule_for(enrolment.framework_id)
    if rule is None:
        raise DomainError("Your framework does not use multi-source feedback rounds")
    refusal = opening_refusal(enrolment.id, rule, now)
    if refusal:
        raise DomainError(refusal)
    round_ = FeedbackRound(
        enrolment_id=enrolment.id,
        status="open",
        opened_at=now,
        closes_at=now + timedelta(days=rule.window_days),
        rule=rule_to_dict(rule),
    )
    db.session.add(round_)
    db.session.flush()
    if enrolment.clinical_supervisor is not None:
        notifications.notify(
            enrolment.clinical_supervisor,
            "msf.opened",
            # Not named: a supervisor's notifications outlive a trainee's erasure.
            "A trainee you supervise opened a multi-source feedback round: answers close "
            f"on {_spoken(uk_today(round_.closes_at))}, then you decide whether it is valid.",
            path_for("supervisor.feedback", enrolment_id=enrolment.id),
        )
    audit.record(
        "msf.round_opened",
        "msf_round",
        round_.id,
        actor=actor,
        data={"enrolment_id": enrolment.id, "window_days": rule.window_days},
    )
    return round_


def _nominee(round_: FeedbackRound, enrolment: Enrolment, name: str, email: str, role: str):
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter the name of the person you are asking", "name")
    if len(name) > MAX_NAME:
        raise DomainError(f"Enter a name of {MAX_NAME} characters or fewer", "name")
    email = normalise_email(email or "")
    if role not in ROLE_LABELS:
        raise DomainError("Choose the person's role", "role")
    if email == enrolment.trainee.email.lower():
        raise DomainError("Ask colleagues for feedback: you cannot rate yourself", "email")
    if any(r.email == email for r in round_.raters):
        raise DomainError("You have already asked this person in this round", "email")
    if len(round_.raters) >= MAX_RATERS:
        raise DomainError(f"A round can ask at most {MAX_RATERS} people")
    return name, email


def nominate(
    round_: FeedbackRound,
    *,
    name: str,
    email: str,
    role: str,
    actor: User,
    now: datetime | None = None,
) -> FeedbackRater:
    """Ask one more person; they are sent a link that works until the window ends."""
    now = now or utcnow()
    enrolment = round_.enrolment
    _check_trainee(enrolment, actor)
    if not collecting(round_, now):
        raise DomainError("This feedback round is no longer collecting answers")
    name, email = _nominee(round_, enrolment, name, email, role)
    issued = one_time_links.issue(
        PURPOSE, lifetime=round_.closes_at - now, email=email, actor=actor, now=now
    )
    rater = FeedbackRater(
        round=round_, name=name, email=email, role=role, nominated_at=now, link_id=issued.link.id
    )
    db.session.add(rater)
    db.session.flush()
    queue_mail(feedback_mail.request(rater, enrolment.trainee, issued.token, round_.closes_at))
    audit.record(
        "msf.rater_nominated",
        "msf_round",
        round_.id,
        actor=actor,
        data={"rater_id": rater.id, "role": role},
    )
    return rater


def remind(round_: FeedbackRound, *, actor: User, now: datetime | None = None) -> int:
    """Send a new link to every rater who has not answered; returns how many."""
    now = now or utcnow()
    _check_trainee(round_.enrolment, actor)
    if not collecting(round_, now):
        raise DomainError("This feedback round is no longer collecting answers")
    if round_.last_reminded_at is not None and now - round_.last_reminded_at < REMINDER_GAP:
        raise DomainError("You sent reminders less than a day ago: give people time to answer")
    waiting = [r for r in round_.raters if not r.answered]
    if not waiting:
        raise DomainError("Everyone you asked has answered: there is nobody to remind")
    _withdraw_links([r.link_id for r in waiting if r.link_id is not None], now)
    for rater in waiting:
        issued = one_time_links.issue(
            PURPOSE, lifetime=round_.closes_at - now, email=rater.email, actor=actor, now=now
        )
        rater.link_id = issued.link.id
        rater.reminders += 1
        queue_mail(
            feedback_mail.reminder(rater, round_.enrolment.trainee, issued.token, round_.closes_at)
        )
    round_.last_reminded_at = now
    db.session.flush()
    audit.record(
        "msf.reminders_sent", "msf_round", round_.id, actor=actor, data={"raters": len(waiting)}
    )
    return len(waiting)


def withdraw_open_links(round_: FeedbackRound, now: datetime) -> None:
    """Stop every rater's link working (the round has closed)."""
    _withdraw_links([r.link_id for r in round_.raters if r.link_id is not None], now)


def _withdraw_links(link_ids: list[int], now: datetime) -> None:
    if not link_ids:
        return
    db.session.execute(
        update(OneTimeLink)
        .where(
            OneTimeLink.id.in_(link_ids),
            OneTimeLink.purpose == PURPOSE,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now),
        execution_options={"synchronize_session": False},
    )


# --- Answering -----------------------------------------------------------------------------


def rater_for_link(token: str, *, now: datetime | None = None) -> FeedbackRater:
    """The rater a link was sent to, while they can still answer; LinkRefused otherwise."""
    now = now or utcnow()
    link = one_time_links.check(PURPOSE, token, now=now)
    return _rater_of(link, now)


def _rater_of(link: OneTimeLink, now: datetime) -> FeedbackRater:
    rater = db.session.scalar(select(FeedbackRater).where(FeedbackRater.link_id == link.id))
    if rater is None:
        raise LinkRefused(LinkProblem.UNKNOWN)
    if not collecting(rater.round, now):
        raise LinkRefused(LinkProblem.EXPIRED)
    return rater


def respond(token: str, form: Mapping[str, object], *, now: datetime | None = None) -> None:
    """Record a rater's answers and use their link up. AnswersInvalid when an answer is
    missing or wrong (the link still works), LinkRefused when the link cannot be used."""
    now = now or utcnow()
    rater = rater_for_link(token, now=now)
    answers = questionnaire.clean(form)
    link = one_time_links.consume(PURPOSE, token, now=now)
    rater = _rater_of(link, now)
    round_ = rater.round
    rater.answered = True
    db.session.add(
        FeedbackResponse(
            id=secrets.token_hex(16),
            round_id=round_.id,
            rater_group=group_of(rule_of(round_), rater.role),
            answers=answers.as_dict(),
        )
    )
    db.session.flush()
    # Counts only: neither the rater nor the response is named, so the trail cannot pair them.
    audit.record(
        "msf.response_received",
        "msf_round",
        round_.id,
        actor=None,
        data={"responses": sum(response_counts(round_.id).values())},
    )


def _spoken(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
