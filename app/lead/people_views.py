"""An education lead adds people inside their own organisations: trainees and
supervisors, each invited by e-mail to choose their own password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.lead.blueprint import bp
from app.lead.people_forms import AddPersonForm
from app.models.organisations import Organisation
from app.permissions import roles
from app.services.accounts import invitations, organisations
from app.services.errors import DomainError


@bp.route("/people/new", methods=["GET", "POST"])
@roles("lead")
def person_new():
    lead = me()
    choices = {org.id: org for org in organisations.organisations_in_scope(lead)}
    form = AddPersonForm()
    form.organisation.choices = [SelectChoice("", "Choose an organisation")] + [
        SelectChoice(org.id, org.name) for org in choices.values()
    ]
    if form.validate_on_submit():
        organisation: Organisation | None = choices.get(form.organisation.data)
        try:
            pending = invitations.create_and_invite(
                email=form.email.data or "",
                name=form.name.data or "",
                roles=form.roles.data or [],
                organisation=organisation,
                actor=lead,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            invitations.deliver([pending])
            flash(
                f"Account created for {pending.user.name}. We have emailed "
                f"{pending.user.email} an invitation to choose a password.",
                "success",
            )
            return redirect(url_for(".person_new"))
    return render_template("lead/person_new.jinja", title="Add a person", form=form)
