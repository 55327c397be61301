"""A trainee's feedback rounds in their portable record, and what erasing them removes.

The record lists each round's dates, outcome and counts: how many people were asked and
how many answered, never who, and never an answer (the released report is in the record
as the evidence item it became). Erasing the trainee deletes the raters (other people's
names and addresses) and the answers (words about the trainee); the rounds keep their
dates and counts; a closing reason becomes "[erased]", and a round still open closes as
not valid.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.feedback import FeedbackRater, FeedbackResponse, FeedbackRound
from app.models.one_time_links import OneTimeLink

ERASED = "[erased]"

_ASKED = (
    select(FeedbackRater.round_id, func.count().label("asked"))
    .group_by(FeedbackRater.round_id)
    .subquery()
)
_ANSWERED = (
    select(FeedbackResponse.round_id, func.count().label("answered"))
    .group_by(FeedbackResponse.round_id)
    .subquery()
)


def rounds_record(enrolment_id: int) -> list[dict]:
    """The enrolment's rounds, oldest first, as the portable record shows them."""
    rows = db.session.execute(
        select(
            FeedbackRound,
            func.coalesce(_ASKED.c.asked, 0),
            func.coalesce(_ANSWERED.c.answered, 0),
        )
        .outerjoin(_ASKED, _ASKED.c.round_id == FeedbackRound.id)
        .outerjoin(_ANSWERED, _ANSWERED.c.round_id == FeedbackRound.id)
        .where(FeedbackRound.enrolment_id == enrolment_id)
        .order_by(FeedbackRound.opened_at, FeedbackRound.id)
    )
    return [
        {
            "opened_at": r.opened_at,
            "answers_closed_at": r.closes_at,
            "status": r.status,
            "closed_at": r.closed_at,
            "reason_not_valid": r.close_reason,
            "released_at": r.released_at,
            "report_evidence_id": r.evidence_id,
            "people_asked": asked,
            "answers": answered,
        }
        for r, asked, answered in rows
    ]


def erase_rounds(enrolment_ids) -> dict[str, int]:
    """Delete the raters (and their links, which hold their addresses) and answers of
    these enrolments' rounds, and close any still open; returns counts."""
    round_ids = select(FeedbackRound.id).where(FeedbackRound.enrolment_id.in_(enrolment_ids))
    options = {"synchronize_session": False}
    db.session.execute(
        update(FeedbackRound)
        .where(FeedbackRound.id.in_(round_ids), FeedbackRound.status == "open")
        .values(status="invalid", closed_at=utcnow(), close_reason=ERASED),
        execution_options=options,
    )
    link_ids = select(FeedbackRater.link_id).where(
        FeedbackRater.round_id.in_(round_ids), FeedbackRater.link_id.is_not(None)
    )
    db.session.execute(
        delete(OneTimeLink).where(OneTimeLink.id.in_(link_ids)), execution_options=options
    )
    raters = db.session.execute(
        delete(FeedbackRater).where(FeedbackRater.round_id.in_(round_ids)),
        execution_options=options,
    )
    answers = db.session.execute(
        delete(FeedbackResponse).where(FeedbackResponse.round_id.in_(round_ids)),
        execution_options=options,
    )
    db.session.execute(
        update(FeedbackRound)
        .where(FeedbackRound.id.in_(round_ids), FeedbackRound.close_reason.is_not(None))
        .values(close_reason=ERASED),
        execution_options=options,
    )
    return {"msf_raters": raters.rowcount or 0, "msf_responses": answers.rowcount or 0}
