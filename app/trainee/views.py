"""The trainee's own portfolio."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.permissions import roles
from app.services import enrolments
from app.services import frameworks as framework_service

bp = Blueprint("trainee", __name__, url_prefix="/portfolio")


@bp.route("/")
@roles("trainee")
def home():
    enrolment = enrolments.active_enrolment(current_user.id)
    framework = framework_service.load_framework_tree(enrolment.framework_id) if enrolment else None
    return render_template(
        "trainee/home.jinja", title="My portfolio", enrolment=enrolment, framework=framework
    )
