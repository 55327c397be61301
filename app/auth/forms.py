from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app.form_base import PortfolioForm


class LoginForm(PortfolioForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=128, message="Password is too long"),
        ],
    )


class ConfirmPasswordForm(PortfolioForm):
    password = PasswordField(
        "Your password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=128, message="Password is too long"),
        ],
    )


class ChangePasswordForm(PortfolioForm):
    """Length and the common-password list are the service's rules (`passwords`)."""

    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password"),
            Length(max=128, message="Password is too long"),
        ],
    )
    new_password = PasswordField(
        "New password",
        description="At least 12 characters. A few unrelated words make a strong password.",
        validators=[DataRequired("Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("new_password", message="The two new passwords do not match"),
        ],
    )
