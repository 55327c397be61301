"""The learning needs analysis at the start of the pathway.

The trainee rates themselves on every competency of their framework, on the framework's
own scale, all in one go: an analysis with a competency left out is refused and nothing
is saved. They may change the ratings until a supervisor has commented; the comment
agrees the analysis, and from then on it stands as the record of where the trainee
started. The supervisor (clinical or education) may revise their comment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.base import utcnow
from app.models.development import LearningNeedRating, LearningNeedsAnalysis
from app.models.enrolments import Enrolment
from app.models.frameworks import Competency, Domain, ScaleValue
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.development.access import is_current, refuse_unless_current
from app.services.errors import DomainError
from app.services.notifications import messages as notifications
from app.services.supervision import access as supervision_access

COMMENT_MAX = 5_000


def rating_field(competency_id: int) -> str:
    """The form field that holds one competency's rating (the service names it in errors)."""
    return f"rating_{competency_id}"


@dataclass(frozen=True)
class RatedCompetency:
    id: int
    code: str
    title: str
    domain: str
    rating: str | None  # the scale value's code, None before the trainee rates it
    rating_label: str | None


def analysis_for(enrolment_id: int) -> LearningNeedsAnalysis | None:
    return db.session.scalar(
        select(LearningNeedsAnalysis)
        .where(LearningNeedsAnalysis.enrolment_id == enrolment_id)
        .options(
            selectinload(LearningNeedsAnalysis.ratings).joinedload(LearningNeedRating.scale_value),
            joinedload(LearningNeedsAnalysis.commented_by),
        )
    )


def scale_of(framework_id: int) -> list[ScaleValue]:
    """The framework's scale, in its order: the choices of every rating."""
    return list(
        db.session.scalars(
            select(ScaleValue)
            .where(ScaleValue.framework_id == framework_id)
            .order_by(ScaleValue.position)
        )
    )


def _competencies(framework_id: int) -> list[tuple[int, str, str, str]]:
    return [
        (row.id, row.code, row.title, f"{row.domain_code} {row.domain_title}")
        for row in db.session.execute(
            select(
                Competency.id,
                Competency.code,
                Competency.title,
                Domain.code.label("domain_code"),
                Domain.title.label("domain_title"),
            )
            .join(Domain, Competency.domain_id == Domain.id)
            .where(Competency.framework_id == framework_id)
            .order_by(Domain.position, Competency.position)
        )
    ]


def rated_competencies(
    enrolment: Enrolment, analysis: LearningNeedsAnalysis | None
) -> list[RatedCompetency]:
    """Every competency of the framework, in order, with the trainee's rating if any."""
    ratings = {r.competency_id: r.scale_value for r in analysis.ratings} if analysis else {}
    rows = []
    for competency_id, code, title, domain in _competencies(enrolment.framework_id):
        value = ratings.get(competency_id)
        rows.append(
            RatedCompetency(
                competency_id,
                code,
                title,
                domain,
                value.code if value else None,
                value.label if value else None,
            )
        )
    return rows


def is_agreed(analysis: LearningNeedsAnalysis | None) -> bool:
    """Commented on by a supervisor: the ratings can no longer change."""
    return analysis is not None and analysis.commented_at is not None


def may_rate(enrolment: Enrolment, analysis: LearningNeedsAnalysis | None) -> bool:
    """The trainee may (re)rate their learning needs: under way, and not yet agreed."""
    return is_current(enrolment) and not is_agreed(analysis)


def save_ratings(
    enrolment: Enrolment, *, trainee: User, ratings: Mapping[int, str | None]
) -> LearningNeedsAnalysis:
    """The trainee's self-rating of every competency (competency id -> scale value code)."""
    if trainee.id != enrolment.trainee_id:
        raise DomainError("Only the trainee rates their own learning needs")
    refuse_unless_current(enrolment, "its learning needs analysis can no longer change")
    analysis = analysis_for(enrolment.id)
    if is_agreed(analysis):
        raise DomainError(
            "Your supervisor has commented on your learning needs analysis, "
            "so your ratings can no longer change"
        )
    scale = {value.code: value for value in scale_of(enrolment.framework_id)}
    competencies = _competencies(enrolment.framework_id)
    known = {competency_id for competency_id, *_ in competencies}
    if set(ratings) - known:
        raise DomainError("Rate only the competencies of your framework")
    chosen: dict[int, ScaleValue] = {}
    for competency_id, code, title, _ in competencies:
        value = scale.get(ratings.get(competency_id) or "")
        if value is None:
            raise DomainError(
                f"Choose how you rate yourself for {code} {title}", rating_field(competency_id)
            )
        chosen[competency_id] = value
    if analysis is None:
        analysis = LearningNeedsAnalysis(enrolment_id=enrolment.id)
        db.session.add(analysis)
    existing = {r.competency_id: r for r in analysis.ratings}
    for competency_id, value in chosen.items():
        if competency_id in existing:
            existing[competency_id].scale_value = value
        else:
            analysis.ratings.append(
                LearningNeedRating(competency_id=competency_id, scale_value=value)
            )
    analysis.rated_at = utcnow()
    db.session.flush()
    audit.record(
        "learning_needs.rated",
        "learning_needs_analysis",
        analysis.id,
        actor=trainee,
        data={
            "enrolment_id": enrolment.id,
            "ratings": len(chosen),
            "content_sha256": record_digest({str(k): v.code for k, v in sorted(chosen.items())}),
        },
    )
    if enrolment.clinical_supervisor is not None:
        notifications.notify(
            enrolment.clinical_supervisor,
            "learning_needs_rated",
            # Not named: a supervisor's notifications outlive a trainee's erasure.
            "A trainee you supervise rated their learning needs: add your comment.",
            notifications.path_for("supervisor.development", enrolment_id=enrolment.id),
        )
    return analysis


def comment(enrolment: Enrolment, *, supervisor: User, text: str) -> LearningNeedsAnalysis:
    """The supervisor's comment on the trainee's ratings, which agrees the analysis."""
    supervision_access.refuse_self_supervision(supervisor.id, enrolment.trainee_id)
    if not supervision_access.may_supervise(supervisor, enrolment):
        raise DomainError("Only the trainee's supervisors can comment on their learning needs")
    refuse_unless_current(enrolment, "its learning needs analysis can no longer change")
    analysis = analysis_for(enrolment.id)
    if analysis is None:
        raise DomainError(
            "The trainee has not rated their learning needs yet, so there is nothing to comment on"
        )
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter your comment on the trainee's learning needs", "comment")
    if len(text) > COMMENT_MAX:
        raise DomainError(f"Write {COMMENT_MAX:,} characters or fewer", "comment")
    analysis.supervisor_comment = text
    analysis.commented_by_id = supervisor.id
    analysis.commented_at = utcnow()
    db.session.flush()
    audit.record(
        "learning_needs.commented",
        "learning_needs_analysis",
        analysis.id,
        actor=supervisor,
        data={"enrolment_id": enrolment.id, "content_sha256": record_digest({"comment": text})},
    )
    notifications.notify(
        enrolment.trainee,
        "learning_needs_commented",
        f"{supervisor.name} commented on your learning needs analysis.",
        notifications.path_for("trainee.development"),
    )
    return analysis
