"""The helpers every page shares: `me()` (the person a request is for, signed in by the
session or by the API's bearer token) and `show_error` (a service's refusal on a form)."""

from __future__ import annotations

from flask_login import login_user
from sqlalchemy import select
from wtforms import StringField

from app.auth.current import me
from app.extensions import db
from app.form_base import PortfolioForm, show_error
from app.models.organisations import Organisation
from app.models.users import User
from app.services.accounts import api_tokens
from app.services.errors import DomainError


def test_me_is_the_signed_in_user_as_the_model(app, make_user):
    user = make_user()
    with app.test_request_context("/"):
        login_user(user)
        assert type(me()) is User
        assert me() is user


def test_me_is_the_api_tokens_owner(app, make_user):
    owner = make_user(roles=("supervisor",))
    token = api_tokens.create_token(owner, "tests")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    with app.test_request_context("/api/v1/me", headers=headers):
        assert type(me()) is User
        assert me().id == owner.id


class NameForm(PortfolioForm):
    name = StringField("Name")


def test_a_refusal_naming_a_field_shows_on_it_and_undoes_the_change(app):
    with app.test_request_context("/", method="POST"):
        form = NameForm(meta={"csrf": False})
        db.session.add(Organisation(name="Half made", kind="practice"))
        show_error(form, DomainError("That name is taken", "name"))
        assert form.name.errors == ["That name is taken"]
        assert form.form_errors == []
        half_made = select(Organisation).where(Organisation.name == "Half made")
        assert db.session.scalar(half_made) is None


def test_a_refusal_naming_no_field_of_the_form_shows_above_it(app):
    with app.test_request_context("/", method="POST"):
        form = NameForm(meta={"csrf": False})
        show_error(form, DomainError("Someone changed it first"))
        show_error(form, DomainError("Not a field here", "colour"))
        assert form.form_errors == ["Someone changed it first", "Not a field here"]
        assert list(form.name.errors) == []
