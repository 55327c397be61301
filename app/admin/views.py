"""Administration: users, organisations, cohorts, and enrolling trainees with their supervisors.

Every view parses its form, calls one service, commits once and redirects (POST-redirect-GET).
A refusal from a service (DomainError) rolls back, lands on the field it names and the form
is shown again with 200, like any other validation error.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.admin.blueprint import bp
from app.admin.forms import (
    SUPERVISOR_KIND_LABELS,
    AssignSupervisorForm,
    CohortForm,
    ConfirmForm,
    CreateUserForm,
    EditUserForm,
    EnrolForm,
    OrganisationForm,
    UserFilterForm,
)
from app.auth.current import me as _me
from app.extensions import db
from app.form_base import show_error as _show_error
from app.models.frameworks import Framework
from app.models.organisations import Cohort, Organisation
from app.models.users import ROLES, User
from app.permissions import roles
from app.services.accounts import organisations
from app.services.accounts import users as accounts
from app.services.errors import DomainError
from app.services.registration import gphc
from app.services.supervision import enrolments
from app.templating import pagination


def _organisation_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(org.id, org.name) for org, _ in organisations.organisation_tree()
    ]


def _organisation(org_id: int | None) -> Organisation | None:
    return db.session.get(Organisation, org_id) if org_id else None


@bp.route("/")
@roles("admin")
def home():
    return render_template(
        "admin/home.jinja", title="Administration", counts=accounts.administration_counts()
    )


# Users


@bp.route("/users")
@roles("admin")
def users():
    filters = UserFilterForm(formdata=request.args)
    filters.validate()
    role = filters.role.data if filters.role.data in ROLES else None
    search = (filters.q.data or "").strip()[:200]
    result = accounts.list_users(
        role=role,
        search=search,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    kept = {key: value for key, value in (("role", role), ("q", search)) if value}
    return render_template(
        "admin/users.jinja",
        title="Users",
        filters=filters,
        result=result,
        filtered=bool(kept),
        pagination=_pagination(result, "admin.users", kept),
    )


def _pagination(result: accounts.UserPage, endpoint: str, args: dict) -> dict | None:
    return pagination(
        result.page, result.pages, lambda number: url_for(endpoint, page=number, **args)
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles("admin")
def user_new():
    form = CreateUserForm()
    form.organisation.choices = _organisation_choices("No organisation")
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                email=form.email.data,
                name=form.name.data,
                roles=form.roles.data or [],
                password=form.password.data,
                organisation=_organisation(form.organisation.data),
                gphc_number=(form.gphc.data or "").strip() or None,
                actor=_me(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Account created for {user.name}.", "success")
            return redirect(url_for(".user_detail", user_id=user.id))
    return render_template("admin/user_new.jinja", title="Create a user", form=form)


@bp.route("/users/<int:user_id>")
@roles("admin")
def user_detail(user_id: int):
    person = db.get_or_404(User, user_id)
    context = _enrolment_context(person) if person.has_role("trainee") else {}
    return render_template(
        "admin/user_detail.jinja",
        title=person.name,
        person=person,
        registration=gphc.current_registration(person.id),
        past_enrolments=enrolments.enrolments_for(person.id),
        status_form=ConfirmForm(),
        **context,
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles("admin")
def user_edit(user_id: int):
    person = db.get_or_404(User, user_id)
    form = EditUserForm(
        data={
            "name": person.name,
            "roles": sorted(person.roles),
            "organisation": person.organisation_id,
        }
    )
    form.organisation.choices = _organisation_choices("No organisation")
    if form.validate_on_submit():
        try:
            accounts.update_account(
                person,
                name=form.name.data,
                roles=form.roles.data or [],
                organisation=_organisation(form.organisation.data),
                actor=_me(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Details saved for {person.name}.", "success")
            return redirect(url_for(".user_detail", user_id=person.id))
    return render_template(
        "admin/user_edit.jinja", title=f"Change {person.name}", form=form, person=person
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles("admin")
def user_deactivate(user_id: int):
    return _set_active(user_id, active=False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles("admin")
def user_reactivate(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool):
    person = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_active(person, active, actor=_me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if active:
            flash(f"{person.name}'s account is active again. They can sign in.", "success")
        else:
            flash(
                f"{person.name}'s account is deactivated and every session they had is ended.",
                "success",
            )
    return redirect(url_for(".user_detail", user_id=person.id))


# Organisations


@bp.route("/organisations")
@roles("admin")
def organisation_list():
    return render_template(
        "admin/organisations.jinja",
        title="Organisations",
        tree=organisations.organisation_tree(),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles("admin")
def organisation_new():
    form = OrganisationForm()
    form.parent.choices = _organisation_choices("None: this is a top-level organisation")
    if form.validate_on_submit():
        try:
            org = organisations.create_organisation(
                form.name.data,
                form.kind.data,
                _organisation(form.parent.data),
                actor=_me(),
                ods_code=organisations.normalise_ods_code(form.ods_code.data),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"{org.name} added.", "success")
            return redirect(url_for(".organisation_list"))
    return render_template(
        "admin/organisation_form.jinja", title="Add an organisation", form=form, org=None
    )


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@roles("admin")
def organisation_edit(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(
        data={
            "name": org.name,
            "kind": org.kind,
            "parent": org.parent_id,
            "ods_code": org.ods_code or "",
        }
    )
    form.parent.choices = [
        choice
        for choice in _organisation_choices("None: this is a top-level organisation")
        if choice.value != org.id
    ]
    if form.validate_on_submit():
        try:
            organisations.update_organisation_details(
                org,
                name=form.name.data,
                kind=form.kind.data,
                parent=_organisation(form.parent.data),
                ods_code=form.ods_code.data,
                actor=_me(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"{org.name} saved.", "success")
            return redirect(url_for(".organisation_list"))
    return render_template(
        "admin/organisation_form.jinja", title=f"Change {org.name}", form=form, org=org
    )


# Cohorts


def _framework_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(f.id, f.label) for f in enrolments.enrolable_frameworks()
    ]


@bp.route("/cohorts")
@roles("admin")
def cohort_list():
    return render_template(
        "admin/cohorts.jinja", title="Cohorts", cohorts=organisations.cohort_listing()
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
@roles("admin")
def cohort_new():
    form = CohortForm()
    form.organisation.choices = _organisation_choices("Choose an organisation")
    form.framework.choices = _framework_choices("Not decided yet")
    if form.validate_on_submit():
        try:
            cohort = organisations.create_cohort(
                form.name.data,
                _organisation(form.organisation.data),
                framework_id=form.framework.data,
                starts_on=form.starts_on.data,
                actor=_me(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Cohort {cohort.name} created.", "success")
            return redirect(url_for(".cohort_list"))
    return render_template("admin/cohort_new.jinja", title="Create a cohort", form=form)


# Enrolment and supervisors: admins anywhere, leads inside their organisation subtree.


def _scope() -> set[int] | None:
    return organisations.organisation_scope(_me())


def _trainee_or_404(trainee_id: int) -> User:
    return enrolments.trainee_in_scope(trainee_id, _scope()) or abort(404)


def _supervisor_choices(scope: set[int] | None) -> list[SelectChoice]:
    choices = [SelectChoice("", "Choose a supervisor")]
    for person in accounts.supervisor_candidates(scope):
        where = f" ({person.organisation.name})" if person.organisation else ""
        choices.append(SelectChoice(person.id, f"{person.name}{where}"))
    return choices


def _enrol_form(scope: set[int] | None) -> EnrolForm:
    form = EnrolForm()
    form.framework.choices = _framework_choices("Choose a framework version")
    form.supervisor.choices = _supervisor_choices(scope)
    form.cohort.choices = [SelectChoice("", "No cohort")] + [
        SelectChoice(cohort.id, f"{cohort.name} ({cohort.organisation.name})")
        for cohort, _ in organisations.cohort_listing(scope)
    ]
    return form


def _assign_form(scope: set[int] | None) -> AssignSupervisorForm:
    form = AssignSupervisorForm()
    form.supervisor.choices = _supervisor_choices(scope)
    return form


def _chosen_supervisor(form: EnrolForm | AssignSupervisorForm, scope) -> User | None:
    """The chosen person, if this user may pick them; the service decides if they can supervise."""
    person = accounts.user_in_scope(form.supervisor.data, scope)
    if person is None:
        form.supervisor.errors = [*form.supervisor.errors, "Choose a supervisor from the list"]
    return person


def _enrolment_context(trainee: User, form: FlaskForm | None = None) -> dict:
    """What the enrolment section needs: the enrol form, or the assignment form and history."""
    scope = _scope()
    enrolment = enrolments.active_enrolment(trainee.id)
    if form is None:
        form = _enrol_form(scope) if enrolment is None else _assign_form(scope)
    return {
        "trainee": trainee,
        "enrolment": enrolment,
        "enrolment_form": form,
        # A refused enrolment is shown again even if someone else enrolled them meanwhile.
        "mode": "enrol" if isinstance(form, EnrolForm) else "assign",
        "scope_limited": scope is not None,
        "history": enrolments.assignment_history(enrolment.id) if enrolment else [],
    }


def _after_enrolment_change(trainee: User):
    if _me().has_role("admin"):
        return redirect(url_for(".user_detail", user_id=trainee.id))
    return redirect(url_for(".trainee_enrolment", trainee_id=trainee.id))


def _enrolment_page(trainee: User, form: FlaskForm | None = None):
    context = _enrolment_context(trainee, form)
    return render_template(
        "admin/trainee_enrolment.jinja",
        title=f"Enrolment for {trainee.name}",
        form=context["enrolment_form"],
        **context,
    )


@bp.route("/trainees/<int:trainee_id>/enrolment", methods=["GET", "POST"])
@roles("admin", "lead")
def trainee_enrolment(trainee_id: int):
    trainee = _trainee_or_404(trainee_id)
    if request.method == "GET":
        return _enrolment_page(trainee)
    scope = _scope()
    form = _enrol_form(scope)
    if form.validate_on_submit() and (supervisor := _chosen_supervisor(form, scope)):
        try:
            enrolments.enrol(
                trainee,
                db.session.get(Framework, form.framework.data),
                supervisor=supervisor,
                cohort=db.session.get(Cohort, form.cohort.data) if form.cohort.data else None,
                started_on=form.started_on.data,
                expected_end_on=form.expected_end_on.data,
                actor=_me(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"{trainee.name} is enrolled, supervised by {supervisor.name}.", "success")
            return _after_enrolment_change(trainee)
    return _enrolment_page(trainee, form)


@bp.route("/trainees/<int:trainee_id>/supervisors", methods=["POST"])
@roles("admin", "lead")
def trainee_supervisors(trainee_id: int):
    trainee = _trainee_or_404(trainee_id)
    enrolment = enrolments.active_enrolment(trainee.id)
    if enrolment is None:
        flash(f"{trainee.name} is not enrolled yet. Enrol them first.", "error")
        return redirect(url_for(".trainee_enrolment", trainee_id=trainee.id))
    scope = _scope()
    form = _assign_form(scope)
    if form.validate_on_submit() and (supervisor := _chosen_supervisor(form, scope)):
        try:
            enrolments.assign_supervisor(enrolment, supervisor, kind=form.kind.data, actor=_me())
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            what = SUPERVISOR_KIND_LABELS[form.kind.data].lower()
            flash(f"{supervisor.name} is now {trainee.name}'s {what}.", "success")
            return _after_enrolment_change(trainee)
    return _enrolment_page(trainee, form)
