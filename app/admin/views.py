"""Administration: users, organisations, cohorts, frameworks."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.permissions import roles

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles("admin")
def home():
    return render_template("admin/home.jinja", title="Administration")
