from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=128, message="Password is too long"),
        ],
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=128, message="Password is too long"),
        ],
    )
