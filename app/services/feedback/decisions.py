"""The supervisor's decisions on a feedback round: closing it, and releasing its report.

- Only the enrolment's clinical supervisor decides (never the trainee themselves).
- Closing as valid is refused while the round falls short of its rule, with the rule's
  words ("needs 1 more response from pharmacists"): an invalid round is found out while
  it can still be put right, not at sign-off. The supervisor may close it as valid before
  the window ends once the rule is met.
- Closing as invalid needs a reason, which the trainee sees.
- Either way the raters' links stop working and the counts per group are kept with the
  round, so the decision stays explained.
- Releasing a valid round's report puts it in the portfolio as an accepted evidence item
  of the framework's feedback type (the `msf` rule's `evidence_type`), reviewed by the
  releasing supervisor. It is linked to no competency: like any accepted item, the
  trainee links it to the competencies it speaks to in a new version, which the
  supervisor reviews, and from then it counts towards sign-off.

Each decision writes one audit event and flushes; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models.base import utcnow
from app.models.evidence import Evidence, EvidenceVersion
from app.models.feedback import FeedbackRound
from app.models.reviews import Review
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.feedback import rounds
from app.services.feedback.report import Report, build_report, report_text
from app.services.notifications import messages as notifications
from app.services.notifications.messages import path_for
from app.services.portfolio.content import evidence_type_for
from app.services.portfolio.evidence_changes import sync_current
from app.services.supervision.access import may_supervise

MAX_REASON = 1000
OUTCOMES = ("valid", "invalid")


def _check_supervisor(round_: FeedbackRound, actor: User) -> None:
    if not may_supervise(actor, round_.enrolment, clinical=True):
        raise NotFound("Feedback round not found")


def close(
    round_: FeedbackRound,
    *,
    outcome: str,
    reason: str = "",
    actor: User,
    now: datetime | None = None,
) -> None:
    """Close an open round as valid (only when its rule is met) or invalid (with a reason)."""
    now = now or utcnow()
    _check_supervisor(round_, actor)
    if round_.status != "open":
        raise DomainError("This feedback round is already closed")
    if outcome not in OUTCOMES:
        raise DomainError("Choose whether the round is valid or not", "outcome")
    reason = (reason or "").strip()
    counts = rounds.response_counts(round_.id)
    if outcome == "valid":
        refusal = rounds.round_standing(round_).refusal
        if refusal:
            raise DomainError(refusal, "outcome")
    elif not reason:
        raise DomainError("Say why the round is not valid: the trainee will read it", "reason")
    elif len(reason) > MAX_REASON:
        raise DomainError(f"Write no more than {MAX_REASON} characters", "reason")
    round_.status = outcome
    round_.closed_at = now
    round_.closed_by_id = actor.id
    round_.close_reason = reason or None
    round_.counts_at_close = counts
    rounds.withdraw_open_links(round_, now)
    db.session.flush()
    audit.record(
        "msf.round_closed",
        "msf_round",
        round_.id,
        actor=actor,
        data={"outcome": outcome, "counts": counts},
    )


def release(round_: FeedbackRound, *, actor: User, now: datetime | None = None) -> Evidence:
    """Put a valid round's report in the trainee's portfolio as accepted evidence."""
    now = now or utcnow()
    _check_supervisor(round_, actor)
    if round_.status != "valid":
        raise DomainError("Only a round closed as valid can have its report released")
    report = build_report(round_)
    if report is None:  # a valid round always reaches its threshold; never show fewer
        raise DomainError("This round has too few responses for a report")
    enrolment = round_.enrolment
    evidence = _report_evidence(round_, report, actor=actor, now=now)
    round_.status = "released"
    round_.released_at = now
    round_.released_by_id = actor.id
    round_.evidence_id = evidence.id
    notifications.notify(
        enrolment.trainee,
        "msf.released",
        "Your multi-source feedback report has been released.",
        path_for("trainee.feedback"),
    )
    db.session.flush()
    audit.record(
        "msf.report_released",
        "msf_round",
        round_.id,
        actor=actor,
        data={
            "evidence_id": evidence.id,
            "responses": report.responses,
            "content_sha256": evidence.versions[0].content_sha256,
        },
    )
    return evidence


def _report_evidence(
    round_: FeedbackRound, report: Report, *, actor: User, now: datetime
) -> Evidence:
    """The report as an accepted item of the rule's evidence type, with its review."""
    enrolment = round_.enrolment
    evidence_type = evidence_type_for(enrolment, rounds.rule_of(round_).evidence_type)
    occurred_on = uk_today(round_.closed_at or now)
    version = EvidenceVersion(
        number=1,
        title=f"Multi-source feedback from {report.responses} colleagues",
        occurred_on=occurred_on,
        fields={"setting": "Multi-source feedback round", "description": report_text(report)},
        content_sha256="",
        created_by_id=actor.id,
        submitted_at=now,
    )
    evidence = Evidence(
        enrolment=enrolment,
        evidence_type=evidence_type,
        title=version.title,
        occurred_on=occurred_on,
        status="accepted",
        current_version_number=1,
        accepted_version_number=1,
        submitted_at=now,
        versions=[version],
        attachments=[],
    )
    db.session.add(evidence)
    sync_current(evidence, version)
    db.session.add(
        Review(
            evidence_id=evidence.id,
            evidence_version_id=version.id,
            version_number=1,
            content_sha256=version.content_sha256,
            reviewer_id=actor.id,
            decision="accepted",
            comment="Released from a valid multi-source feedback round.",
        )
    )
    return evidence
