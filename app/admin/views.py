"""The administration home page."""

from __future__ import annotations

from flask import render_template

from app.admin.blueprint import bp
from app.permissions import roles
from app.services.accounts import users as accounts


@bp.route("/")
@roles("admin")
def home():
    return render_template(
        "admin/home.jinja", title="Administration", counts=accounts.administration_counts()
    )
