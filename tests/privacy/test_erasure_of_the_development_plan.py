"""Erasing a trainee clears the words of her development plan and keeps its shape: the
ratings, target dates, outcomes and stages other people's records rely on."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.development import DevelopmentObjective, LearningNeedsAnalysis, ObjectiveReview
from app.services.development import stages
from tests.security.world import OWNER_EMAIL


def test_erasure_clears_objectives_comments_and_keeps_dates_and_stages(runner, world):
    enrolment_id = world.args["enrolment_id"]
    objective = db.session.get(DevelopmentObjective, world.args["objective_id"])
    target_on = objective.target_on
    assert objective.description != "[erased]"

    result = runner.invoke(args=["users", "erase", "--email", OWNER_EMAIL, "--confirm"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    objective = db.session.get(DevelopmentObjective, world.args["objective_id"])
    assert (objective.description, objective.target_on) == ("[erased]", target_on)
    review = db.session.scalar(select(ObjectiveReview))
    assert (review.comment, review.outcome) == ("[erased]", "continuing")
    analysis = db.session.scalar(
        select(LearningNeedsAnalysis).where(LearningNeedsAnalysis.enrolment_id == enrolment_id)
    )
    assert analysis.supervisor_comment == "[erased]"
    assert len(analysis.ratings) > 0
    assert [s.stage for s in stages.stages_for(enrolment_id)] == ["entry"]
