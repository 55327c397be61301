"""Administering organisations and cohorts."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from app.admin.blueprint import bp
from app.admin.common import framework_choices, organisation_by_id, organisation_choices
from app.admin.forms import CohortForm, OrganisationForm
from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.organisations import Organisation
from app.permissions import roles
from app.services.accounts import organisations
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
    return render_template(
        "admin/organisation_form.jinja", title=f"Change {org.name}", form=form, org=org
    )


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
