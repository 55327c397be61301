"""Single sign-on's settings: off without a discovery URL, and refused half-configured."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models.identities import UserIdentity
from app.services.accounts import sign_in_policy
from app.services.errors import DomainError
from app.services.privacy import erasure
from tests.conftest import PRODUCTION_SIGNING_KEY

PRODUCTION = {
    "CREDENTIAL_SIGNING_KEY": PRODUCTION_SIGNING_KEY,
    "SECRET_KEY": "production-like-key-0123456789-abcdefghijklmnop",
    "BASE_URL": "https://pcpt.example.nhs.uk",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
}
PROVIDER = {
    "OIDC_DISCOVERY_URL": "https://login.example.nhs.uk/.well-known/openid-configuration",
    "OIDC_CLIENT_ID": "pcpt",
    "OIDC_CLIENT_SECRET": "from-the-environment",
}


def test_without_a_discovery_url_there_is_no_button_and_the_routes_answer_404(client):
    page = BeautifulSoup(client.get("/auth/login").data, "html.parser")
    assert "Sign in with" not in page.get_text()
    assert page.find("form", attrs={"action": "/auth/sso/start"}) is None
    assert client.post("/auth/sso/start").status_code == 404
    assert client.get("/auth/sso/callback?code=x&state=y").status_code == 404


@pytest.mark.parametrize("missing", ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"])
def test_a_provider_without_its_client_id_or_secret_stops_the_app_starting(missing):
    with pytest.raises(SystemExit, match="OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too"):
        create_app("production", **PRODUCTION, **{**PROVIDER, missing: ""})


def test_scopes_without_openid_stop_the_app_starting():
    with pytest.raises(SystemExit, match="OIDC_SCOPES must include openid"):
        create_app("production", **PRODUCTION, **PROVIDER, OIDC_SCOPES="email profile")


def test_outside_the_tests_the_provider_must_be_https():
    plain = {**PROVIDER, "OIDC_DISCOVERY_URL": "http://login.example.nhs.uk/.well-known/x"}
    with pytest.raises(SystemExit, match="must be an https:// address"):
        create_app("production", **PRODUCTION, **plain)
    assert create_app("production", **PRODUCTION, **PROVIDER).config["OIDC_SCOPES"] == (
        "openid email profile"
    )


def test_password_sign_in_cannot_be_switched_off_while_single_sign_on_is_off(
    app, make_org, make_user
):
    practice = make_org("Harbour Practice")
    person = make_user(org=practice)
    with pytest.raises(DomainError, match="Single sign-on is not set up"):
        sign_in_policy.set_password_sign_in(practice, False, actor=make_user(("admin",)))
    practice.password_sign_in = False  # left from a time when single sign-on was on
    assert sign_in_policy.password_sign_in_allowed(person)


def test_the_organisation_page_refuses_to_switch_passwords_off_without_single_sign_on(
    app, client, make_org, make_user, login
):
    practice = make_org("Harbour Practice")
    login(client, make_user(("admin",)))
    switch = f"/admin/organisations/{practice.id}/sign-in"
    page = BeautifulSoup(client.get(f"/admin/organisations/{practice.id}/edit").data, "html.parser")
    assert "once single sign-on is set up" in page.get_text()
    assert page.find("form", attrs={"action": switch}) is None

    response = client.post(switch, data={"password_sign_in": "off"})

    assert response.status_code == 400
    assert "Single sign-on is not set up for this service" in response.get_data(as_text=True)
    assert practice.password_sign_in is True


def test_erasing_a_person_removes_their_single_sign_on_link(app, make_user):
    person = make_user(email="erase.me@example.nhs.uk")
    admin = make_user(("admin",))
    db.session.add(UserIdentity(user=person, issuer="https://login.example.nhs.uk", subject="x1"))
    db.session.commit()

    erasure.erase_person(person, actor=admin)
    db.session.commit()

    assert db.session.scalars(select(UserIdentity)).all() == []
