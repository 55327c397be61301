"""Pausing, resuming and withdrawing a trainee's enrolment: admins anywhere, leads inside
their organisation subtree. Each action has a page that says what it does and asks for
what it needs (a GET changes nothing); the POST acts and records it in the audit chain.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from app.admin.blueprint import bp
from app.admin.enrolment_section import after_enrolment_change, trainee_or_404
from app.admin.lifecycle_forms import PauseForm, ResumeForm, WithdrawForm
from app.auth.current import me
from app.extensions import db
from app.form_base import PortfolioForm, show_error
from app.models.enrolments import Enrolment
from app.models.users import User
from app.permissions import roles
from app.services.errors import DomainError
from app.services.rule_results import long_date
from app.services.supervision import enrolment_lifecycle as lifecycle
from app.services.supervision import enrolments

ACTIONS = {
    "pause": ("Pause training", "Pause the training"),
    "resume": ("Resume training", "Resume the training"),
    "withdraw": ("Withdraw trainee", "Withdraw the trainee"),
}


def _current_or_redirect(trainee: User) -> Enrolment | None:
    enrolment = enrolments.current_enrolment(trainee.id)
    if enrolment is None:
        latest = enrolments.latest_enrolment(trainee.id)
        if latest is None:
            flash(f"{trainee.name} is not enrolled yet. Enrol them first.", "error")
        else:
            flash(
                f"{trainee.name}'s enrolment is {latest.status}. Completed and withdrawn "
                "enrolments are final and cannot change.",
                "error",
            )
    return enrolment


def _page(action: str, trainee: User, enrolment: Enrolment, form: PortfolioForm):
    heading, button = ACTIONS[action]
    return render_template(
        "admin/enrolment_action.jinja",
        title=f"{heading}: {trainee.name}",
        heading=heading,
        button=button,
        action=action,
        trainee=trainee,
        enrolment=enrolment,
        lifecycle=lifecycle.lifecycle_summary(enrolment),
        form=form,
    )


def _done(trainee: User, message: str):
    db.session.commit()
    flash(message, "success")
    return after_enrolment_change(trainee)


@bp.route("/trainees/<int:trainee_id>/enrolment/pause", methods=["GET", "POST"])
@roles("admin", "lead")
def enrolment_pause(trainee_id: int):
    trainee = trainee_or_404(trainee_id)
    if (enrolment := _current_or_redirect(trainee)) is None:
        return redirect(url_for(".trainee_enrolment", trainee_id=trainee.id))
    form = PauseForm()
    if form.validate_on_submit():
        try:
            pause = lifecycle.pause(
                enrolment,
                reason=form.reason.data,
                paused_from=form.paused_from.data,
                expected_return_on=form.expected_return_on.data,
                actor=me(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            when = long_date(pause.paused_from)
            return _done(trainee, f"{trainee.name}'s training is paused from {when}.")
    return _page("pause", trainee, enrolment, form)


@bp.route("/trainees/<int:trainee_id>/enrolment/resume", methods=["GET", "POST"])
@roles("admin", "lead")
def enrolment_resume(trainee_id: int):
    trainee = trainee_or_404(trainee_id)
    if (enrolment := _current_or_redirect(trainee)) is None:
        return redirect(url_for(".trainee_enrolment", trainee_id=trainee.id))
    form = ResumeForm()
    if form.validate_on_submit():
        try:
            pause = lifecycle.resume(enrolment, resumed_on=form.resumed_on.data, actor=me())
        except DomainError as error:
            show_error(form, error)
        else:
            days = (pause.ended_on - pause.paused_from).days
            return _done(
                trainee,
                f"{trainee.name}'s training resumed on {long_date(pause.ended_on)} after "
                f"{days} {'day' if days == 1 else 'days'} paused.",
            )
    return _page("resume", trainee, enrolment, form)


@bp.route("/trainees/<int:trainee_id>/enrolment/withdraw", methods=["GET", "POST"])
@roles("admin", "lead")
def enrolment_withdraw(trainee_id: int):
    trainee = trainee_or_404(trainee_id)
    if (enrolment := _current_or_redirect(trainee)) is None:
        return redirect(url_for(".trainee_enrolment", trainee_id=trainee.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            lifecycle.withdraw(enrolment, reason=form.reason.data, actor=me())
        except DomainError as error:
            show_error(form, error)
        else:
            return _done(
                trainee,
                f"{trainee.name} is withdrawn. Their evidence is kept, read-only.",
            )
    return _page("withdraw", trainee, enrolment, form)
