"""The development plan seen from supervision: a supervisor comments on the learning needs
analysis and reviews objectives; a supervisor or lead records the pathway stage and sees
the whole plan.

Enrolments are loaded through `development.access.enrolment_for_overseer` (supervisors
and leads over the trainee) or `supervision_access.enrolment_for_supervisor` (the
trainee's supervisors): None, and so 404, for anyone else; someone reaching their own
record is refused (403) with the rule that nobody supervises themselves.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.services.clock import uk_today
from app.services.development import learning_needs, objectives, stages
from app.services.development.access import actions_for, enrolment_for_overseer
from app.services.errors import DomainError
from app.services.supervision import access as supervision_access
from app.supervisor.blueprint import bp
from app.supervisor.development_forms import (
    LearningNeedsCommentForm,
    ObjectiveReviewForm,
    StageForm,
)


@bp.route("/enrolments/<int:enrolment_id>/development")
@roles("supervisor", "lead")
def development(enrolment_id: int):
    person = me()
    enrolment = enrolment_for_overseer(person, enrolment_id) or abort(404)
    analysis = learning_needs.analysis_for(enrolment.id)
    recorded = stages.stages_for(enrolment.id)
    actions = actions_for(person, enrolment)
    return render_template(
        "supervisor/development.jinja",
        title=f"Development plan: {enrolment.trainee.name}",
        enrolment=enrolment,
        analysis=analysis,
        agreed=learning_needs.is_agreed(analysis),
        rated=learning_needs.rated_competencies(enrolment, analysis) if analysis else [],
        stages=recorded,
        current_stage=stages.current_of(recorded),
        stage_labels=stages.STAGE_LABELS,
        objectives=objectives.objectives_for(enrolment.id),
        is_overdue=objectives.is_overdue,
        may_review=objectives.may_review,
        outcome_labels=objectives.OUTCOME_LABELS,
        review_url=(
            lambda objective_id: url_for(
                ".objective_review", enrolment_id=enrolment.id, objective_id=objective_id
            )
        )
        if actions.review_objectives
        else None,
        actions=actions,
        today=uk_today(),
    )


@bp.route(
    "/enrolments/<int:enrolment_id>/development/learning-needs/comment", methods=["GET", "POST"]
)
@roles("supervisor")
def learning_needs_comment(enrolment_id: int):
    person = me()
    enrolment = supervision_access.enrolment_for_supervisor(person, enrolment_id) or abort(404)
    analysis = learning_needs.analysis_for(enrolment.id)
    form = LearningNeedsCommentForm(
        data={"comment": analysis.supervisor_comment if analysis else ""}
    )
    if form.validate_on_submit():
        try:
            learning_needs.comment(enrolment, supervisor=person, text=form.comment.data or "")
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("Your comment on the learning needs analysis is saved.", "success")
            return redirect(
                url_for(".development", enrolment_id=enrolment.id, _anchor="learning-needs")
            )
    return render_template(
        "supervisor/learning_needs_comment.jinja",
        title="Comment on the learning needs analysis",
        enrolment=enrolment,
        analysis=analysis,
        agreed=learning_needs.is_agreed(analysis),
        rated=learning_needs.rated_competencies(enrolment, analysis) if analysis else [],
        form=form,
    )


@bp.route(
    "/enrolments/<int:enrolment_id>/development/objectives/<int:objective_id>/review",
    methods=["GET", "POST"],
)
@roles("supervisor")
def objective_review(enrolment_id: int, objective_id: int):
    person = me()
    enrolment = supervision_access.enrolment_for_supervisor(person, enrolment_id) or abort(404)
    objective = objectives.objective_of(enrolment, objective_id) or abort(404)
    form = ObjectiveReviewForm()
    if form.validate_on_submit():
        try:
            objectives.review_objective(
                enrolment,
                objective,
                reviewer=person,
                outcome=form.outcome.data,
                comment=form.comment.data or "",
                today=uk_today(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("Your review of the objective is saved.", "success")
            return redirect(
                url_for(".development", enrolment_id=enrolment.id, _anchor="objectives")
            )
    return render_template(
        "supervisor/objective_review.jinja",
        title="Review an objective",
        enrolment=enrolment,
        objective=objective,
        may_review=objectives.may_review(objective),
        outcome_labels=objectives.OUTCOME_LABELS,
        form=form,
    )


@bp.route("/enrolments/<int:enrolment_id>/development/stage", methods=["GET", "POST"])
@roles("supervisor", "lead")
def stage_new(enrolment_id: int):
    person = me()
    enrolment = enrolment_for_overseer(person, enrolment_id) or abort(404)
    form = StageForm()
    if form.validate_on_submit():
        try:
            stages.record_stage(
                enrolment,
                actor=person,
                stage=form.stage.data,
                started_on=form.started_on.data,
                today=uk_today(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("The stage is recorded.", "success")
            return redirect(url_for(".development", enrolment_id=enrolment.id, _anchor="stage"))
    recorded = stages.stages_for(enrolment.id)
    return render_template(
        "supervisor/stage_new.jinja",
        title="Record the pathway stage",
        enrolment=enrolment,
        current_stage=stages.current_of(recorded),
        form=form,
    )
