"""The lead blueprint: cohort dashboards and exports (leads and supervisors), and the
trainee's own portable record."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lead", __name__, url_prefix="/lead")
