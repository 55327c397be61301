"""The demo trainee's development plan: learning needs rated and commented on, the entry
stage, and objectives in each state a lead's dashboard shows (overdue, open, achieved)."""

from __future__ import annotations

from datetime import date, timedelta

from app.models.enrolments import Enrolment
from app.models.users import User
from app.services.development import learning_needs, objectives, stages


def seed_development_demo(
    enrolment: Enrolment, trainee: User, supervisor: User, today: date
) -> None:
    scale = learning_needs.scale_of(enrolment.framework_id)
    competencies = learning_needs.rated_competencies(enrolment, None)
    # The first third rated at the top of the scale, the rest at the bottom: needs to plan.
    confident = len(competencies) // 3
    learning_needs.save_ratings(
        enrolment,
        trainee=trainee,
        ratings={
            c.id: (scale[-1] if i < confident else scale[0]).code
            for i, c in enumerate(competencies)
        },
    )
    learning_needs.comment(
        enrolment,
        supervisor=supervisor,
        text="A fair picture. Start with the consultation competencies: we will plan "
        "observed clinics for them before the intermediate stage.",
    )
    stages.record_stage(
        enrolment, actor=supervisor, stage="entry", started_on=enrolment.started_on, today=today
    )
    # Planned in the second week; one target has passed (overdue), one is ahead, and one
    # passed but was achieved.
    planned_on = enrolment.started_on + timedelta(days=14)
    needs = [c.id for c in competencies[confident:]] or [competencies[0].id]
    plan = (
        ("Shadow two medicines reconciliations on discharge, then do one alone.", -7),
        ("Run an inhaler technique clinic with the pharmacist observing.", 60),
        ("Complete the practice's repeat prescribing induction.", -30),
    )
    added = [
        objectives.add_objective(
            enrolment,
            trainee=trainee,
            description=description,
            target_on=today + timedelta(days=days_from_today),
            competency_ids=needs[i : i + 2] or needs[:1],
            today=planned_on,
        )
        for i, (description, days_from_today) in enumerate(plan)
    ]
    objectives.review_objective(
        enrolment,
        added[2],
        reviewer=supervisor,
        outcome="achieved",
        comment="Induction signed off by the practice manager.",
        today=today,
    )
