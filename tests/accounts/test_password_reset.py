"""Forgotten passwords: the same answer for every address, a link that works once for an
hour, and every session and API token ended when it is used."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask import request
from sqlalchemy import select

from app.extensions import db
from app.logs import loggable_path
from app.models.audit import AuditEvent
from app.models.one_time_links import OneTimeLink
from app.services.accounts import api_tokens
from app.services.accounts import users as accounts
from tests.accounts.conftest import link_in, mail_to, text_of
from tests.conftest import DEFAULT_PASSWORD
from tests.supervision.conftest import sent_mail

NEW_PASSWORD = "harbour violet thistle"


def _ask(client, email: str):
    return client.post("/auth/forgotten-password", data={"email": email})


def _answer(response) -> str:
    main = BeautifulSoup(response.data, "html.parser").select_one("main")
    return " ".join(main.get_text(" ").split())


def _choose(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"new_password": password, "confirm_password": password})


def _reset_link(app, client, user) -> str:
    _ask(client, user.email)
    return link_in(mail_to(app, user.email)[-1])


def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    page = BeautifulSoup(client.get("/auth/login").data, "html.parser")
    link = page.select_one("a#forgotten-password")
    assert link.get_text() == "Forgotten your password?"
    assert link["href"] == "/auth/forgotten-password"
    form = client.get(link["href"])
    assert form.status_code == 200
    assert "Enter the email address you sign in with" in form.data.decode()


def test_known_and_unknown_addresses_get_the_same_answer(app, client, make_user):
    user = make_user(email="known@example.org")
    known = _ask(client, "known@example.org")
    unknown = _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _answer(known).replace("known@example.org", "ADDRESS") == _answer(unknown).replace(
        "nobody@example.org", "ADDRESS"
    )
    assert "If known@example.org belongs to an account, we have sent a link" in _answer(known)
    # Only the real account gets an e-mail.
    assert [m["To"] for m in sent_mail(app)] == [user.email]
    # Both asks are audited alike; the unknown one names nobody.
    asked = db.session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.action == "auth.password_reset_requested")
    ).all()
    assert asked == [str(user.id), None]


def test_a_deactivated_account_gets_the_same_answer_and_no_email(app, client, make_user):
    admin, user = make_user(("admin",)), make_user()
    accounts.set_active(user, False, actor=admin)
    db.session.commit()
    response = _ask(client, user.email)
    assert "belongs to an account, we have sent a link" in _answer(response)
    assert mail_to(app, user.email) == []


def test_the_reset_email_reads_well_and_links_from_the_base_url(app, client, make_user):
    user = make_user(name="Rosa Reset")
    _ask(client, user.email)
    [message] = mail_to(app, user.email)
    assert message["Subject"] == "Reset your PCPT Portfolio password"
    body = text_of(message)
    assert "Hello Rosa Reset" in body
    assert "The link works once, until" in body
    assert "(UK time)" in body
    assert "Your password stays as it is unless you open the link" in body
    assert link_in(message).startswith("/auth/reset-password/")


def test_the_link_does_not_come_from_the_host_header(app, client, make_user):
    user = make_user()
    client.post(
        "/auth/forgotten-password",
        data={"email": user.email},
        headers={"Host": "evil.example"},
    )
    [message] = mail_to(app, user.email)
    assert "evil.example" not in text_of(message)
    link_in(message)  # checks the link starts with BASE_URL


def test_resetting_ends_every_session_and_api_token_and_says_so(app, client, login, make_user):
    user = make_user()
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/auth/password").status_code == 200
    token = api_tokens.create_token(user, "script")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    assert other_device.get("/api/v1/me", headers=bearer).status_code == 200
    path = _reset_link(app, client, user)
    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "strict-origin"
    done = _choose(client, path)
    assert done.status_code == 302
    assert done.headers["Location"] == "/auth/login"
    assert "Every device that was signed in" in client.get("/auth/login").data.decode()
    # The other browser is signed out; the token no longer works.
    assert other_device.get("/auth/password").headers["Location"].startswith("/auth/login")
    refused = other_device.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401
    # The old password is gone, the new one works.
    assert accounts.authenticate(user.email, DEFAULT_PASSWORD) is None
    assert accounts.authenticate(user.email, NEW_PASSWORD) is not None
    changed = mail_to(app, user.email)[-1]
    assert changed["Subject"] == "Your PCPT Portfolio password has been changed"
    assert "every API token you had has stopped working" in text_of(changed)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.password_reset" in actions
    assert "api_token.revoked_all" in actions


def test_a_reset_link_works_once(app, client, make_user):
    user = make_user()
    path = _reset_link(app, client, user)
    assert _choose(client, path).status_code == 302
    again = _choose(client, path, "yet another long password")
    assert again.status_code == 410
    assert "This link has already been used" in again.data.decode()
    assert accounts.authenticate(user.email, NEW_PASSWORD) is not None


def test_a_reset_link_expires_after_sixty_minutes(app, client, make_user, clock):
    user = make_user()
    path = _reset_link(app, client, user)
    row = db.session.scalar(select(OneTimeLink))
    assert (row.expires_at - row.created_at).total_seconds() == 3600
    clock(minutes=59)
    assert client.get(path).status_code == 200
    clock(minutes=60, seconds=1)
    expired = client.get(path)
    assert expired.status_code == 410
    assert "Links to reset a password work for 60 minutes" in expired.data.decode()
    assert _choose(client, path).status_code == 410
    assert accounts.authenticate(user.email, DEFAULT_PASSWORD) is not None


def test_a_newer_link_withdraws_the_older_one(app, client, make_user):
    user = make_user()
    first = _reset_link(app, client, user)
    second = _reset_link(app, client, user)
    assert first != second
    withdrawn = client.get(first)
    assert withdrawn.status_code == 410
    assert "A newer link was sent" in withdrawn.data.decode()
    assert client.get(second).status_code == 200


def test_the_new_password_is_checked_like_any_other(app, client, make_user):
    user = make_user()
    path = _reset_link(app, client, user)
    weak = _choose(client, path, "password1234")
    assert weak.status_code == 200
    assert "This password is too common" in weak.data.decode()
    assert _choose(client, path).status_code == 302


def test_asking_is_limited_per_address_asked_about(app, client, make_user):
    app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"] = "2 per hour"
    user = make_user()
    assert _ask(client, user.email).status_code == 200
    assert _ask(client, user.email.upper()).status_code == 200
    blocked = _ask(client, user.email)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.data.decode()
    assert len(mail_to(app, user.email)) == 2
    # Another address from the same client is not blocked by the first.
    assert _ask(client, "someone.else@example.org").status_code == 200


def test_asking_is_limited_per_client_address(app, client):
    app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"] = "3 per hour"
    for n in range(3):
        assert _ask(client, f"guess{n}@example.org").status_code == 200
    assert _ask(client, "guess9@example.org").status_code == 429


# --- Administrators and the command line ------------------------------------------------


def test_an_administrator_sends_a_reset_link_and_never_sees_a_password(
    app, client, login, make_user
):
    admin, user = make_user(("admin",)), make_user(name="Pat Person")
    login(client, admin)
    page = BeautifulSoup(client.get(f"/admin/users/{user.id}").data, "html.parser")
    assert page.select("input[type=password]") == []
    sent = client.post(f"/admin/users/{user.id}/password-reset")
    assert sent.status_code == 302
    shown = client.get(sent.headers["Location"]).data.decode()
    assert f"A link to choose a new password has been sent to {user.email}" in shown
    [message] = mail_to(app, user.email)
    token = link_in(message).rsplit("/", 1)[1]
    assert token not in shown
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "auth.password_reset_sent")
    )
    assert event.actor_id == admin.id


def test_reset_password_command_sends_a_link(app, runner, make_user):
    user = make_user()
    result = runner.invoke(args=["users", "reset-password", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        f"password reset link sent to {user.email}: it works once, for 60 minutes"
    ]
    [message] = mail_to(app, user.email)
    token = link_in(message).rsplit("/", 1)[1]
    assert token not in result.output


def test_reset_password_command_refuses_an_unknown_email(app, runner):
    result = runner.invoke(args=["users", "reset-password", "--email", "nobody@example.org"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no account for nobody@example.org"
    assert sent_mail(app) == []


def test_the_token_is_blanked_in_error_logs(app):
    with app.test_request_context("/auth/reset-password/secret-token-value"):
        request.view_args = {"token": "secret-token-value"}
        assert loggable_path() == "/auth/reset-password/[token]"


def test_the_reset_form_works_over_https_with_only_the_origin_as_referer(app, client, make_user):
    """`strict-origin` sends `https://host/` with the form: enough for Flask-WTF's HTTPS
    check, and the token in the page's path is never sent."""
    user = make_user()
    path = _reset_link(app, client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    https = {"base_url": "https://pcpt.example.nhs.uk"}
    page = BeautifulSoup(browser.get(path, **https).data, "html.parser")
    token = page.select_one("input[name=csrf_token]")["value"]
    form = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "csrf_token": token}
    no_referer = browser.post(path, data=form, **https)
    assert no_referer.status_code == 400  # what `no-referrer` would have caused
    done = browser.post(
        path, data=form, headers={"Referer": "https://pcpt.example.nhs.uk/"}, **https
    )
    assert done.status_code == 302
    assert accounts.authenticate(user.email, NEW_PASSWORD) is not None
