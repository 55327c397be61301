"""The feedback blueprint: the questionnaire a rater opens from their e-mail."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
