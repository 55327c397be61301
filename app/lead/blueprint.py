"""The lead blueprint: cohort dashboards and exports (leads and supervisors), and the
old addresses of the trainee's portable record, which now redirect."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lead", __name__, url_prefix="/lead")
