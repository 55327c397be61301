"""Confirming it is you through the single sign-on provider, before a declaration."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.form_base import PortfolioForm


class ConfirmWithProviderForm(PortfolioForm):
    """Only the CSRF token: the button that sends the person to sign in again."""


class ConfirmWithProviderAndCodeForm(ConfirmWithProviderForm):
    """For a person with two-factor sign-in on: their code first, as with a password."""

    code = StringField(
        "Security code",
        description="The 6-digit code your authenticator app shows for PCPT Portfolio.",
        validators=[
            DataRequired("Enter the code from your authenticator app"),
            Length(max=40, message="The code is too long"),
        ],
    )
