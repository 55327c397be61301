"""Education leads: cohorts inside their organisation."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.permissions import roles
from app.services import cohorts

bp = Blueprint("lead", __name__, url_prefix="/lead")


@bp.route("/")
@roles("lead")
def home():
    return render_template(
        "lead/home.jinja", title="Cohorts", cohorts=cohorts.cohort_summaries_for(current_user)
    )
