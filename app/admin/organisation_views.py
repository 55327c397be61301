"""Administering organisations and cohorts."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from app.admin.blueprint import bp
from app.admin.common import framework_choices, organisation_by_id, organisation_choices
from app.admin.forms import CohortForm, OrganisationForm, PasswordSignInForm
from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.organisations import Organisation
from app.permissions import roles
from app.services.accounts import organisations, sign_in_policy
from app.services.errors import DomainError


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
    form.parent.choices = organisation_choices("None: this is a top-level organisation")
    if form.validate_on_submit():
        try:
            org = organisations.create_organisation(
                form.name.data,
                form.kind.data,
                organisation_by_id(form.parent.data),
                actor=me(),
                ods_code=organisations.normalise_ods_code(form.ods_code.data),
            )
        except DomainError as error:
            show_error(form, error)
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
    form = _details_form(org)
    if form.validate_on_submit():
        try:
            organisations.update_organisation_details(
                org,
                name=form.name.data,
                kind=form.kind.data,
                parent=organisation_by_id(form.parent.data),
                ods_code=form.ods_code.data,
                actor=me(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{org.name} saved.", "success")
            return redirect(url_for(".organisation_list"))
    return _edit_page(org, form, _sign_in_form(org))


def _details_form(org: Organisation) -> OrganisationForm:
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
        for choice in organisation_choices("None: this is a top-level organisation")
        if choice.value != org.id
    ]
    return form


def _sign_in_form(org: Organisation | None = None) -> PasswordSignInForm:
    """The choice as saved (for `org`), or as posted."""
    data = {"data": {"password_sign_in": "on" if org.password_sign_in else "off"}} if org else {}
    return PasswordSignInForm.for_provider(sign_in_policy.provider_label(), **data)


def _edit_page(org: Organisation, form: OrganisationForm, sign_in_form: PasswordSignInForm):
    return render_template(
        "admin/organisation_form.jinja",
        title=f"Change {org.name}",
        form=form,
        org=org,
        sign_in_form=sign_in_form,
        sso_label=sign_in_policy.sso_button_label(),
        off_above=sign_in_policy.switched_off_by(org.parent_id),
    )


@bp.route("/organisations/<int:org_id>/sign-in", methods=["POST"])
@roles("admin")
def organisation_sign_in(org_id: int):
    """Switch password sign-in on or off for the organisation (and all inside it)."""
    org = db.get_or_404(Organisation, org_id)
    sign_in_form = _sign_in_form()
    if sign_in_form.validate_on_submit():
        allowed = sign_in_form.password_sign_in.data == "on"
        try:
            sign_in_policy.set_password_sign_in(org, allowed, actor=me())
        except DomainError as error:
            show_error(sign_in_form, error)
        else:
            db.session.commit()
            label = sign_in_policy.provider_label()
            flash(
                f"People in {org.name} can sign in with {label} or with a password."
                if allowed
                else f"People in {org.name} now sign in only with {label}.",
                "success",
            )
            return redirect(url_for(".organisation_edit", org_id=org.id))
    return _edit_page(org, _details_form(org), sign_in_form), 400


# Cohorts


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
    form.organisation.choices = organisation_choices("Choose an organisation")
    form.framework.choices = framework_choices("Not decided yet")
    if form.validate_on_submit():
        try:
            cohort = organisations.create_cohort(
                form.name.data,
                organisation_by_id(form.organisation.data),
                framework_id=form.framework.data,
                starts_on=form.starts_on.data,
                actor=me(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Cohort {cohort.name} created.", "success")
            return redirect(url_for(".cohort_list"))
    return render_template("admin/cohort_new.jinja", title="Create a cohort", form=form)
