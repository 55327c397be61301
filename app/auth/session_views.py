"""Staying signed in: the warning before the idle time-out offers this (WCAG 2.2.1).

The page's script shows the warning two minutes before SESSION_IDLE_MINUTES run out;
choosing to stay signed in posts here, which starts the idle clock again.
"""

from __future__ import annotations

from flask import current_app, jsonify

from app.auth.blueprint import bp
from app.auth.sessions import restart_idle_clock
from app.permissions import signed_in


@bp.route("/session/stay-signed-in", methods=["POST"])
@signed_in
def stay_signed_in():
    restart_idle_clock()
    return jsonify({"idle_seconds": current_app.config["SESSION_IDLE_MINUTES"] * 60})
