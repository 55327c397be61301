"""The trainee's development plan (CPPE PCPEP): their stage, the learning needs analysis
and the objectives of their personal development plan.

Every page works from the trainee's active enrolment (`loading.with_enrolment`); the
development services decide what may change, and their refusals land on the field they
name.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.enrolments import Enrolment
from app.permissions import roles
from app.services.clock import uk_today
from app.services.development import learning_needs, objectives, stages
from app.services.development.access import is_current
from app.services.errors import DomainError
from app.trainee.blueprint import bp
from app.trainee.development_forms import ObjectiveForm, learning_needs_form_class
from app.trainee.loading import with_enrolment


@bp.route("/development")
@roles("trainee")
@with_enrolment
def development(enrolment: Enrolment):
    analysis = learning_needs.analysis_for(enrolment.id)
    recorded = stages.stages_for(enrolment.id)
    return render_template(
        "trainee/development.jinja",
        title="My development plan",
        enrolment=enrolment,
        analysis=analysis,
        rated=learning_needs.rated_competencies(enrolment, analysis) if analysis else [],
        may_rate=learning_needs.may_rate(enrolment, analysis),
        may_add_objectives=is_current(enrolment),
        stages=recorded,
        current_stage=stages.current_of(recorded),
        stage_labels=stages.STAGE_LABELS,
        objectives=objectives.objectives_for(enrolment.id),
        agreed=learning_needs.is_agreed(analysis),
        is_overdue=objectives.is_overdue,
        may_review=objectives.may_review,
        outcome_labels=objectives.OUTCOME_LABELS,
        today=uk_today(),
    )


@bp.route("/development/learning-needs", methods=["GET", "POST"])
@roles("trainee")
@with_enrolment(adding=True)
def learning_needs_analysis(enrolment: Enrolment):
    analysis = learning_needs.analysis_for(enrolment.id)
    if not learning_needs.may_rate(enrolment, analysis):
        flash("Your learning needs analysis can no longer change: your supervisor has agreed it.")
        return redirect(url_for(".development", _anchor="learning-needs"))
    rated = learning_needs.rated_competencies(enrolment, analysis)
    form_class = learning_needs_form_class(rated, learning_needs.scale_of(enrolment.framework_id))
    form = form_class(data={learning_needs.rating_field(c.id): c.rating for c in rated if c.rating})
    if form.validate_on_submit():
        try:
            learning_needs.save_ratings(
                enrolment,
                trainee=me(),
                ratings={c.id: form[learning_needs.rating_field(c.id)].data for c in rated},
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("Your learning needs analysis is saved. Your supervisor will comment on it.")
            return redirect(url_for(".development", _anchor="learning-needs"))
    domains: dict[str, list] = {}
    for competency in rated:
        domains.setdefault(competency.domain, []).append(competency)
    return render_template(
        "trainee/learning_needs.jinja",
        title="Rate your learning needs",
        form=form,
        domains=domains,
        rating_field=learning_needs.rating_field,
    )


@bp.route("/development/objectives/new", methods=["GET", "POST"])
@roles("trainee")
@with_enrolment(adding=True)
def objective_new(enrolment: Enrolment):
    rated = learning_needs.rated_competencies(enrolment, None)
    form = ObjectiveForm()
    form.competencies.choices = [(c.id, f"{c.code} {c.title}") for c in rated]
    if form.validate_on_submit():
        try:
            objectives.add_objective(
                enrolment,
                trainee=me(),
                description=form.description.data or "",
                target_on=form.target_on.data,
                competency_ids=form.competencies.data or [],
                today=uk_today(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("The objective is added to your development plan.", "success")
            return redirect(url_for(".development", _anchor="objectives"))
    return render_template("trainee/objective_new.jinja", title="Add an objective", form=form)
