"""Administering user accounts: the list, creating, changing, deactivating and reactivating.

Every view parses its form, calls one service, commits once and redirects (POST-redirect-GET).
A refusal from a service (DomainError) rolls back, lands on the field it names and the form
is shown again with 200, like any other validation error.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from app.admin.account_access_section import account_access_context
from app.admin.blueprint import bp
from app.admin.common import organisation_by_id, organisation_choices
from app.admin.enrolment_section import enrolment_context
from app.admin.forms import ConfirmForm, CreateUserForm, EditUserForm, UserFilterForm
from app.admin.two_factor_section import two_factor_context
from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.users import ROLES, User
from app.permissions import roles
from app.services.accounts import invitations
from app.services.accounts import users as accounts
from app.services.errors import DomainError
from app.services.registration import access as registration_access
from app.services.registration import gphc
from app.services.supervision import enrolments
from app.templating import pagination


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
    form.organisation.choices = organisation_choices("No organisation")
    if form.validate_on_submit():
        try:
            pending = invitations.create_and_invite(
                email=form.email.data,
                name=form.name.data,
                roles=form.roles.data or [],
                organisation=organisation_by_id(form.organisation.data),
                gphc_number=(form.gphc.data or "").strip() or None,
                actor=me(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            invitations.deliver([pending])
            user = pending.user
            flash(
                f"Account created for {user.name}. We have emailed {user.email} an "
                "invitation to choose a password.",
                "success",
            )
            return redirect(url_for(".user_detail", user_id=user.id))
    return render_template("admin/user_new.jinja", title="Create a user", form=form)


@bp.route("/users/<int:user_id>")
@roles("admin")
def user_detail(user_id: int):
    person = db.get_or_404(User, user_id)
    context = enrolment_context(person) if person.has_role("trainee") else {}
    return render_template(
        "admin/user_detail.jinja",
        title=person.name,
        person=person,
        registration=gphc.current_registration(person.id),
        keeps_signer_registration=registration_access.may_keep_signer_registration(me(), person),
        past_enrolments=enrolments.enrolments_for(person.id),
        status_form=ConfirmForm(),
        **two_factor_context(person),
        **account_access_context(person),
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
    form.organisation.choices = organisation_choices("No organisation")
    if form.validate_on_submit():
        try:
            accounts.update_account(
                person,
                name=form.name.data,
                roles=form.roles.data or [],
                organisation=organisation_by_id(form.organisation.data),
                actor=me(),
            )
        except DomainError as error:
            show_error(form, error)
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
        accounts.set_active(person, active, actor=me())
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
