"""A clinical supervisor's view of the trainees assigned to them."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.permissions import roles
from app.services import enrolments

bp = Blueprint("supervisor", __name__, url_prefix="/supervision")


@bp.route("/")
@roles("supervisor")
def home():
    return render_template(
        "supervisor/home.jinja",
        title="My trainees",
        enrolments=enrolments.supervised_enrolments(current_user.id),
    )
