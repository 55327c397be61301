"""The notification pages' forms: buttons only, so each carries just its CSRF token."""

from __future__ import annotations

from app.form_base import PortfolioForm


class MarkReadForm(PortfolioForm):
    pass
