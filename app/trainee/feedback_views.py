"""The trainee's multi-source feedback pages: the rounds, opening one, asking raters and
reminding those who have not answered.

The trainee sees how many people answered, never who: the pages show counts only.
The released report reaches them as an accepted evidence item (see
`app.services.feedback.decisions`).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.services.errors import DomainError
from app.services.feedback import overview, rounds
from app.services.feedback.rules import rule_lines
from app.trainee.blueprint import bp
from app.trainee.feedback_forms import FeedbackActionForm, NominateForm
from app.trainee.loading import with_enrolment


@bp.route("/feedback")
@roles("trainee")
@with_enrolment
def feedback(enrolment):
    view = overview.overview_for(enrolment)
    return render_template(
        "trainee/feedback.jinja",
        title="Multi-source feedback",
        enrolment=enrolment,
        view=view,
        rule_lines=rule_lines(view.rule) if view.rule else [],
        form=FeedbackActionForm(),
        opened_on=overview.opened_on,
        closes_on=overview.closes_on,
    )


def _back():
    return redirect(url_for(".feedback"))


@bp.route("/feedback/open", methods=["POST"])
@roles("trainee")
@with_enrolment(adding=True)
def feedback_open(enrolment):
    if FeedbackActionForm().validate_on_submit():
        try:
            rounds.open_round(enrolment, actor=me())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Your feedback round is open. Now ask colleagues for feedback.", "success")
            return redirect(url_for(".feedback_nominate"))
    return _back()


@bp.route("/feedback/ask", methods=["GET", "POST"])
@roles("trainee")
@with_enrolment(adding=True)
def feedback_nominate(enrolment):
    round_ = rounds.open_round_of(enrolment.id)
    if round_ is None or not rounds.collecting(round_):
        flash("Open a feedback round first: you have none collecting answers.", "error")
        return _back()
    form = NominateForm()
    if form.validate_on_submit():
        try:
            rounds.nominate(
                round_,
                name=form.name.data or "",
                email=form.email.data or "",
                role=form.role.data or "",
                actor=me(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"We have emailed {form.name.data} a link to the questionnaire.", "success")
            return redirect(url_for(".feedback_nominate"))
    return render_template(
        "trainee/feedback_nominate.jinja",
        title="Ask a colleague for feedback",
        form=form,
        summary=overview.summary(round_, rounds.utcnow()),
        closes_on=overview.closes_on(round_),
    )


@bp.route("/feedback/remind", methods=["POST"])
@roles("trainee")
@with_enrolment(adding=True)
def feedback_remind(enrolment):
    round_ = rounds.open_round_of(enrolment.id)
    if round_ is not None and FeedbackActionForm().validate_on_submit():
        try:
            sent = rounds.remind(round_, actor=me())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            people = "person" if sent == 1 else "people"
            flash(f"Reminders sent to the {sent} {people} who have not answered yet.", "success")
    return _back()
