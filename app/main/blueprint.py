"""The blueprint of the pages everyone shares."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("main", __name__)
