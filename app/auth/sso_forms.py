"""Confirming it is you through the single sign-on provider, before a declaration."""

from app.auth.two_factor_forms import OR_RECOVERY_CODE, code_field
from app.form_base import PortfolioForm


class ConfirmWithProviderForm(PortfolioForm):
    """Only the CSRF token: the button that sends the person to sign in again."""


class ConfirmWithProviderAndCodeForm(ConfirmWithProviderForm):
    """For a person with two-factor sign-in on: their code first, as with a password."""

    code = code_field("Security code", OR_RECOVERY_CODE)
