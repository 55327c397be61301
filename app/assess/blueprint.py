from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assess", __name__, url_prefix="/assess")


@bp.after_request
def _no_referrer(response):
    # The token is in these pages' addresses: no link followed from them may carry it.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
