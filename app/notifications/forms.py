"""The notification pages' forms: buttons only, so each carries just its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class MarkReadForm(FlaskForm):
    pass
