"""Education leads: cohorts inside their organisation (the dashboard and exports are in
their own modules on the same blueprint)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.lead.blueprint import bp
from app.permissions import roles
from app.services.accounts import cohorts


@bp.route("/")
@roles("lead")
def home():
    return render_template(
        "lead/home.jinja", title="Cohorts", cohorts=cohorts.cohort_summaries_for(current_user)
    )
