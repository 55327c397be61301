"""The enrolment section of a trainee's page: enrolling them, assigning supervisors.

Admins act anywhere, leads inside their organisation subtree (`admin_scope`).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.admin.common import framework_choices
from app.admin.forms import AssignSupervisorForm, EnrolForm
from app.auth.current import me
from app.models.users import User
from app.services.accounts import organisations
from app.services.accounts import users as accounts
from app.services.supervision import enrolment_lifecycle as lifecycle
from app.services.supervision import enrolments


def admin_scope() -> set[int] | None:
    return organisations.organisation_scope(me())


def trainee_or_404(trainee_id: int) -> User:
    return enrolments.trainee_in_scope(trainee_id, admin_scope()) or abort(404)


def supervisor_choices(scope: set[int] | None) -> list[SelectChoice]:
    choices = [SelectChoice("", "Choose a supervisor")]
    for person in accounts.supervisor_candidates(scope):
        where = f" ({person.organisation.name})" if person.organisation else ""
        choices.append(SelectChoice(person.id, f"{person.name}{where}"))
    return choices


def enrol_form(scope: set[int] | None) -> EnrolForm:
    form = EnrolForm()
    form.framework.choices = framework_choices("Choose a framework version")
    form.supervisor.choices = supervisor_choices(scope)
    form.cohort.choices = [SelectChoice("", "No cohort")] + [
        SelectChoice(cohort.id, f"{cohort.name} ({cohort.organisation.name})")
        for cohort, _ in organisations.cohort_listing(scope)
    ]
    return form


def assign_form(scope: set[int] | None) -> AssignSupervisorForm:
    form = AssignSupervisorForm()
    form.supervisor.choices = supervisor_choices(scope)
    return form


def chosen_supervisor(form: EnrolForm | AssignSupervisorForm, scope) -> User | None:
    """The chosen person, if this user may pick them; the service decides if they can supervise."""
    person = accounts.user_in_scope(form.supervisor.data, scope)
    if person is None:
        form.supervisor.errors = [*form.supervisor.errors, "Choose a supervisor from the list"]
    return person


def enrolment_context(trainee: User, form: FlaskForm | None = None) -> dict:
    """What the enrolment section needs: the current (active or paused) enrolment with its
    status, actions, assignment form and history; or, with none, the enrol form and the
    latest completed or withdrawn enrolment, if any."""
    scope = admin_scope()
    enrolment = enrolments.current_enrolment(trainee.id)
    past = None if enrolment else enrolments.latest_enrolment(trainee.id)
    shown = enrolment or past
    if form is None:
        form = enrol_form(scope) if enrolment is None else assign_form(scope)
    return {
        "trainee": trainee,
        "enrolment": enrolment,
        "past_enrolment": past,
        "enrolment_form": form,
        # A refused enrolment is shown again even if someone else enrolled them meanwhile.
        "mode": "enrol" if isinstance(form, EnrolForm) else "assign",
        "scope_limited": scope is not None,
        "history": enrolments.assignment_history(shown.id) if shown else [],
        "lifecycle": lifecycle.lifecycle_summary(shown) if shown else None,
        "completion": lifecycle.completion_outlook(enrolment) if enrolment else None,
    }


def after_enrolment_change(trainee: User):
    if me().has_role("admin"):
        return redirect(url_for(".user_detail", user_id=trainee.id))
    return redirect(url_for(".trainee_enrolment", trainee_id=trainee.id))


def enrolment_page(trainee: User, form: FlaskForm | None = None):
    context = enrolment_context(trainee, form)
    return render_template(
        "admin/trainee_enrolment.jinja",
        title=f"Enrolment for {trainee.name}",
        form=context["enrolment_form"],
        **context,
    )
