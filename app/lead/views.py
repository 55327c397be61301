"""Education leads: cohorts inside their organisation. The dashboard, exports and the
portable record live in their own modules, imported here so their routes register."""

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


# Imported for their routes, after `bp` exists.
from app.lead import dashboard, exports, records  # noqa: E402

__all__ = ["bp", "dashboard", "exports", "records"]
