"""Single sign-on against a real OpenID Connect provider (tests/oidc/provider.mjs): the
person signs in at the provider's own pages and comes back to the app's callback."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.identities import UserIdentity
from app.models.two_factor import TwoFactor
from app.models.users import User
from tests.conftest import DEFAULT_PASSWORD

ANN = "ann.sso@example.nhs.uk"


def start(client, next_url: str | None = None) -> str:
    """Press the sign-in page's button: the provider's address the app sends us to."""
    path = "/auth/sso/start" + (f"?{urlencode({'next': next_url})}" if next_url else "")
    response = client.post(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def come_back(client, callback_url: str):
    """The provider's redirect, as the browser would follow it to the app."""
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_on(client, provider, login: str, next_url: str | None = None):
    return come_back(client, provider.log_in(start(client, next_url), login))


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.data, "html.parser").get_text().split())


def signed_in_as(client) -> str | None:
    """The e-mail of whoever the client's session belongs to, from the account page."""
    response = client.get("/account/tokens")
    if response.status_code != 200:
        return None
    with client.session_transaction() as session:
        user_id = session.get("_user_id", "").split(":")[0]
    return db.session.get(User, int(user_id)).email


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def identities() -> list[tuple[int, str, str]]:
    columns = (UserIdentity.user_id, UserIdentity.issuer, UserIdentity.subject)
    rows = db.session.execute(select(*columns))
    return [tuple(row) for row in rows]


def assert_refused(response, status: int, words: str, reason: str) -> None:
    assert response.status_code == status
    assert words in text_of(response)
    assert "You have not been signed in" in text_of(response)
    assert identities() == []
    failed = events("auth.login_failed")
    assert [e.data for e in failed] == [{"method": "sso", "reason": reason}]
    assert events("auth.login") == []


def test_first_sign_on_links_the_account_by_its_verified_email_and_signs_in(
    sso_app, oidc_provider, make_user
):
    ann = make_user(email=ANN)
    client = sso_app.test_client()

    response = sign_on(client, oidc_provider, "ann", next_url="/account/tokens")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/tokens"
    assert signed_in_as(client) == ANN
    assert identities() == [(ann.id, oidc_provider.issuer, "ann")]
    [linked] = events("user.identity_linked")
    [login] = events("auth.login")
    assert (linked.subject_id, login.subject_id) == (str(ann.id), str(ann.id))
    assert login.data == {"method": "sso", "second_factor": False}


def test_a_later_sign_on_finds_the_person_by_the_link_even_after_an_email_change(
    sso_app, oidc_provider, make_user
):
    ann = make_user(email=ANN)
    sign_on(sso_app.test_client(), oidc_provider, "ann")
    ann.email = "ann.renamed@example.org"  # no longer the address the provider gives
    db.session.commit()

    client = sso_app.test_client()
    response = sign_on(client, oidc_provider, "ann")

    assert response.status_code == 302
    assert signed_in_as(client) == "ann.renamed@example.org"
    assert identities() == [(ann.id, oidc_provider.issuer, "ann")]
    assert len(events("user.identity_linked")) == 1
    assert len(events("auth.login")) == 2


def test_another_provider_account_claiming_a_linked_email_is_refused(
    sso_app, oidc_provider, make_user
):
    ann = make_user(email=ANN)
    sign_on(sso_app.test_client(), oidc_provider, "ann")

    client = sso_app.test_client()
    response = sign_on(client, oidc_provider, "ann-impostor")

    assert response.status_code == 403
    assert "already linked to a different NHSmail account" in text_of(response)
    assert signed_in_as(client) is None
    assert identities() == [(ann.id, oidc_provider.issuer, "ann")]
    assert events("auth.login_failed")[-1].data == {"method": "sso", "reason": "linked_elsewhere"}


def test_a_wrong_state_is_refused(sso_app, oidc_provider, make_user):
    make_user(email=ANN)
    client = sso_app.test_client()
    callback = oidc_provider.log_in(start(client), "ann")
    query = parse_qs(urlsplit(callback).query)
    forged = {**{k: v[0] for k, v in query.items()}, "state": "not-the-state-we-sent"}

    response = client.get(f"/auth/sso/callback?{urlencode(forged)}")

    assert_refused(response, 400, "did not match one started from this browser", "state")
    assert signed_in_as(client) is None


def test_a_callback_brought_to_another_browser_is_refused(sso_app, oidc_provider, make_user):
    """Login CSRF: someone else's provider answer, planted in this browser, signs no one in."""
    make_user(email=ANN)
    callback = oidc_provider.log_in(start(sso_app.test_client()), "ann")

    victim = sso_app.test_client()
    response = come_back(victim, callback)

    assert_refused(response, 400, "did not match one started from this browser", "state")
    assert signed_in_as(victim) is None


def test_a_wrong_nonce_is_refused(sso_app, oidc_provider, make_user):
    make_user(email=ANN)
    client = sso_app.test_client()
    authorize = start(client)
    with client.session_transaction() as session:
        [key] = [k for k in session if k.startswith("_state_sso_")]
        stored = session[key]
        stored["data"]["nonce"] = "a-nonce-this-browser-never-sent"
        session[key] = stored

    response = come_back(client, oidc_provider.log_in(authorize, "ann"))

    assert_refused(response, 400, "could not be verified", "id_token")
    assert signed_in_as(client) is None


def test_an_unverified_email_is_refused(sso_app, oidc_provider, make_user):
    una = make_user(email="una.sso@example.nhs.uk")
    client = sso_app.test_client()

    response = sign_on(client, oidc_provider, "una")

    assert_refused(response, 403, "NHSmail has not verified your email address", "unverified_email")
    assert events("auth.login_failed")[0].subject_id == str(una.id)
    assert signed_in_as(client) is None


def test_an_email_without_an_account_is_refused_and_creates_none(sso_app, oidc_provider):
    client = sso_app.test_client()
    people = db.session.scalar(select(func.count(User.id)))

    response = sign_on(client, oidc_provider, "nobody")

    assert_refused(response, 403, "Signing in does not create an account", "unknown_email")
    assert db.session.scalar(select(func.count(User.id))) == people
    assert signed_in_as(client) is None


def test_a_deactivated_account_is_refused(sso_app, oidc_provider, make_user):
    dee = make_user(email="dee.sso@example.nhs.uk")
    dee.active = False
    db.session.commit()
    client = sso_app.test_client()

    response = sign_on(client, oidc_provider, "dee")

    assert_refused(response, 403, "This PCPT Portfolio account is not active", "deactivated")
    assert signed_in_as(client) is None


def test_the_sign_in_page_offers_the_provider_button(sso_app):
    page = BeautifulSoup(sso_app.test_client().get("/auth/login").data, "html.parser")
    [form] = [f for f in page.find_all("form") if f.get("action") == "/auth/sso/start"]
    assert form.find("button").get_text(strip=True) == "Sign in with NHSmail"
    assert form.find("input", attrs={"name": "csrf_token"}) is not None


@pytest.fixture
def hub_and_practice(make_org):
    hub = make_org("North Hub", "training-hub")
    practice = make_org("Harbour Practice", "practice", parent=hub)
    return hub, practice


def test_a_hub_switching_password_sign_in_off_leaves_its_practices_only_single_sign_on(
    sso_app, oidc_provider, make_user, make_org, login, hub_and_practice
):
    hub, practice = hub_and_practice
    admin = make_user(("admin",))
    paula = make_user(email="paula.sso@example.nhs.uk", org=practice)
    elsewhere = make_user(org=make_org("Cliff Practice"))
    admin_client = sso_app.test_client()
    login(admin_client, admin)

    switched = admin_client.post(
        f"/admin/organisations/{hub.id}/sign-in", data={"password_sign_in": "off"}
    )
    assert switched.status_code == 302
    [changed] = events("organisation.password_sign_in_changed")
    assert (changed.subject_id, changed.data) == (str(hub.id), {"password_sign_in": False})
    practice_page = text_of(admin_client.get(f"/admin/organisations/{practice.id}/edit"))
    assert "North Hub, which this organisation is part of, has switched password" in practice_page

    client = sso_app.test_client()
    right = client.post("/auth/login", data={"email": paula.email, "password": DEFAULT_PASSWORD})
    assert right.status_code == 200
    assert "Your organisation signs in with NHSmail" in text_of(right)
    wrong = client.post("/auth/login", data={"email": paula.email, "password": "not it at all"})
    assert "Email address or password is not correct" in text_of(wrong)
    assert "NHSmail." not in text_of(wrong).replace("Sign in with NHSmail", "")
    assert signed_in_as(client) is None
    assert events("auth.login_failed")[0].data == {"reason": "password_off"}

    assert sign_on(client, oidc_provider, "paula").status_code == 302
    assert signed_in_as(client) == paula.email
    login(sso_app.test_client(), elsewhere)  # another organisation keeps its passwords


def test_the_provider_cancelling_signs_no_one_in(sso_app, make_user):
    client = sso_app.test_client()
    start(client)
    with client.session_transaction() as session:
        [key] = [k for k in session if k.startswith("_state_sso_")]
    state = key.removeprefix("_state_sso_")

    response = client.get(f"/auth/sso/callback?error=access_denied&state={state}")

    assert_refused(response, 400, "NHSmail did not complete the sign-in", "provider")


def test_single_sign_on_still_asks_for_two_factor_sign_in_where_the_role_requires_it(
    sso_app, oidc_provider, make_user
):
    sso_app.config["MFA_REQUIRED_ROLES"] = ("supervisor",)
    make_user(("supervisor",), email=ANN)
    client = sso_app.test_client()

    response = sign_on(client, oidc_provider, "ann")

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/two-factor/set-up"
    assert signed_in_as(client) is None
    assert len(identities()) == 1


def _stale(client) -> None:
    """As if the person last proved who they are long ago."""
    with client.session_transaction() as session:
        session["fresh_at"] = 0


def _fresh(client) -> bool:
    with client.session_transaction() as session:
        return time.time() - session.get("fresh_at", 0) < 300


def test_a_person_who_signs_on_confirms_it_is_them_through_the_provider(
    sso_app, oidc_provider, make_user
):
    make_user(("supervisor",), email=ANN)
    client = sso_app.test_client()
    sign_on(client, oidc_provider, "ann")
    _stale(client)
    confirm = client.get("/auth/confirm?next=/account/tokens")
    assert "Confirm with NHSmail instead" in text_of(confirm)

    asked = client.post("/auth/sso/confirm?next=/account/tokens")
    authorize = asked.headers["Location"]
    asks_for = parse_qs(urlsplit(authorize).query)
    assert (asks_for["prompt"], asks_for["max_age"]) == (["login"], ["0"])
    response = come_back(client, oidc_provider.log_in(authorize, "ann"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/tokens"
    assert _fresh(client)
    assert [e.data for e in events("auth.reconfirmed")] == [{"method": "sso"}]


def test_confirming_as_another_provider_account_is_refused(sso_app, oidc_provider, make_user):
    make_user(("supervisor",), email=ANN)
    client = sso_app.test_client()
    sign_on(client, oidc_provider, "ann")
    _stale(client)

    authorize = client.post("/auth/sso/confirm").headers["Location"]
    response = come_back(client, oidc_provider.log_in(authorize, "ann-impostor"))

    assert response.status_code == 403
    assert "is not the one linked to your PCPT Portfolio account" in text_of(response)
    assert not _fresh(client)
    assert events("auth.reconfirmed") == []
    assert len(events("auth.reconfirm_failed")) == 1


def test_with_two_factor_on_the_code_comes_before_the_provider(
    sso_app, oidc_provider, make_user, login
):
    ann = make_user(("supervisor",), email=ANN)
    client = sso_app.test_client()
    login(client, ann)
    secret = pyotp.random_base32()
    db.session.add(UserIdentity(user=ann, issuer=oidc_provider.issuer, subject="ann"))
    db.session.add(TwoFactor(user_id=ann.id, secret=secret))
    db.session.commit()
    _stale(client)

    wrong = client.post("/auth/sso/confirm", data={"code": "000000"})
    assert wrong.status_code == 200
    assert "The security code is not correct" in text_of(wrong)

    code = pyotp.TOTP(secret).now()
    authorize = client.post("/auth/sso/confirm", data={"code": code}).headers["Location"]
    response = come_back(client, oidc_provider.log_in(authorize, "ann"))
    assert response.status_code == 302
    assert _fresh(client)
