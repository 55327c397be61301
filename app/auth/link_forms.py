"""Forms of the pages reached from an e-mailed link, and of asking for one."""

from __future__ import annotations

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app.form_base import PortfolioForm


class ForgottenPasswordForm(PortfolioForm):
    email = EmailField(
        "Email address",
        description="The address you sign in with",
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )


class ChoosePasswordForm(PortfolioForm):
    """Length and the common-password list are the service's rules (`passwords`)."""

    new_password = PasswordField(
        "New password",
        description="At least 12 characters. A few unrelated words make a strong password.",
        validators=[DataRequired("Enter a new password"), Length(max=128)],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("new_password", message="The two passwords do not match"),
        ],
    )


class ConfirmEmailForm(PortfolioForm):
    """A button that changes state: a POST carrying only the CSRF token."""
