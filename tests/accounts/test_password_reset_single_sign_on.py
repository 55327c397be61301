"""Nobody whose organisation signs in only through single sign-on is sent a password reset
link: from the sign-in pages the answer stays the one any address gets, and the person is
told by e-mail how they sign in; an administrator and the command line are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.one_time_links import OneTimeLink
from tests.accounts.conftest import mail_to, text_of
from tests.accounts.test_password_reset import _answer, _ask


@pytest.fixture
def sso_only(app, make_org):
    """Single sign-on configured, and a hub that switched passwords off for its practices."""
    app.config.update(
        OIDC_DISCOVERY_URL="https://login.example.nhs.uk/.well-known/openid-configuration",
        OIDC_PROVIDER_LABEL="NHSmail",
    )
    hub = make_org("Sea View Training Hub", "training-hub")
    hub.password_sign_in = False
    practice = make_org("Sea View Surgery", "practice", parent=hub)
    db.session.commit()
    return practice


def _links() -> int:
    return db.session.scalar(select(func.count()).select_from(OneTimeLink))


def test_the_forgotten_password_page_answers_alike_and_sends_no_link(
    app, client, make_user, sso_only
):
    person = make_user(email="sso.person@example.org", org=sso_only)
    answer = _answer(_ask(client, person.email))
    unknown = _answer(_ask(client, "nobody@example.org"))
    assert answer.replace(person.email, "ADDRESS") == unknown.replace(
        "nobody@example.org", "ADDRESS"
    )
    (message,) = mail_to(app, person.email)
    assert message["Subject"] == "How you sign in to PCPT Portfolio"
    assert "choose Sign in with NHSmail" in text_of(message)
    assert "/auth/reset-password/" not in text_of(message)
    assert _links() == 0


def test_an_administrator_is_told_why_no_link_was_sent(app, client, login, make_user, sso_only):
    person = make_user(name="Sol Signon", org=sso_only)
    login(client, make_user(("admin",)))
    page = client.post(f"/admin/users/{person.id}/password-reset", follow_redirects=True)
    assert (
        "Sea View Training Hub signs in only with NHSmail: Sol Signon needs no password, "
        "so no reset link was sent"
    ) in page.data.decode()
    assert mail_to(app, person.email) == []
    assert _links() == 0


def test_the_command_refuses_with_one_line(app, runner, make_user, sso_only):
    person = make_user(org=sso_only)
    result = runner.invoke(args=["users", "reset-password", "--email", person.email])
    assert result.exit_code == 1
    assert "signs in only with NHSmail" in result.output
    assert "Traceback" not in result.output
    assert mail_to(app, person.email) == []


def test_without_single_sign_on_the_setting_stops_nothing(app, runner, make_user, sso_only):
    app.config["OIDC_DISCOVERY_URL"] = ""
    person = make_user(org=sso_only)
    result = runner.invoke(args=["users", "reset-password", "--email", person.email])
    assert result.exit_code == 0, result.output
    (message,) = mail_to(app, person.email)
    assert "/auth/reset-password/" in text_of(message)
