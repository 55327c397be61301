"""Two-factor sign-in from the account pages (optional for trainees, kept on for staff) and
an administrator's reset."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

from bs4 import BeautifulSoup

from app.extensions import db
from app.services.accounts import two_factor
from app.services.accounts import users as accounts
from tests.conftest import DEFAULT_PASSWORD
from tests.two_factor.conftest import (
    audit_actions,
    page_text,
    recovery_codes_on_page,
    secret_on_page,
)


def _outbox(app) -> list:
    folder = Path(app.config["MAIL_OUTBOX"])
    return [
        message_from_bytes(p.read_bytes(), policy=email_policy)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


def _turn_on_from_account(client, totp_clock) -> tuple[str, list[str]]:
    client.post("/account/two-factor/set-up", data={"start": "1"})
    secret = secret_on_page(client.get("/account/two-factor/set-up"))
    done = client.post("/account/two-factor/set-up", data={"code": totp_clock.code(secret)})
    assert done.status_code == 200, page_text(done)
    totp_clock.move(1)
    return secret, recovery_codes_on_page(done)


def test_a_trainee_turns_two_factor_on_and_is_then_asked_for_a_code(
    mfa_app, app, client, make_user, login, sign_in_password, totp_clock
):
    trainee = make_user(roles=("trainee",))
    login(client, trainee)
    settings = page_text(client.get("/account/two-factor"))
    assert "Status Off" in settings
    secret, codes = _turn_on_from_account(client, totp_clock)
    assert len(codes) == 10
    assert "Status On" in page_text(client.get("/account/two-factor"))
    assert "Recovery codes not yet used 10 of 10" in page_text(client.get("/account/two-factor"))

    later = app.test_client()
    assert sign_in_password(later, trainee).headers["Location"] == "/auth/two-factor"
    done = later.post("/auth/two-factor", data={"code": totp_clock.code(secret)})
    assert done.headers["Location"] == "/"


def test_a_trainee_may_switch_two_factor_off(
    mfa_app, app, client, make_user, login, sign_in_password, totp_clock
):
    trainee = make_user(roles=("trainee",))
    login(client, trainee)
    _turn_on_from_account(client, totp_clock)
    off = client.post("/account/two-factor/turn-off")
    assert off.headers["Location"] == "/account/two-factor"
    assert "Two-factor sign-in is off" in page_text(client.get("/account/two-factor"))
    assert not two_factor.is_enabled(trainee)
    assert audit_actions(trainee)[-1] == "auth.two_factor_disabled"
    assert sign_in_password(app.test_client(), trainee).headers["Location"] == "/"


def test_a_supervisor_cannot_switch_two_factor_off(
    mfa_app, client, make_user, sign_in_password, set_up_through_pages
):
    supervisor = make_user(roles=("supervisor",))
    set_up_through_pages(client, supervisor)
    page = client.get("/account/two-factor")
    assert "Your role needs two-factor sign-in, so it stays on." in page_text(page)
    assert b"/account/two-factor/turn-off" not in page.data
    refused = client.post("/account/two-factor/turn-off")
    assert refused.headers["Location"] == "/account/two-factor"
    assert "cannot be switched off" in page_text(client.get("/account/two-factor"))
    assert two_factor.is_enabled(supervisor)


def test_changes_on_the_account_page_ask_for_the_password_and_code_again(
    mfa_app, client, make_user, set_up_through_pages, totp_clock
):
    lead = make_user(roles=("lead",))
    secret, _ = set_up_through_pages(client, lead)
    with client.session_transaction() as session:
        session["fresh_at"] = 0
    asked = client.post("/account/two-factor/recovery-codes")
    assert asked.headers["Location"].startswith("/auth/confirm?next=")
    confirm = client.get(asked.headers["Location"])
    assert BeautifulSoup(confirm.data, "html.parser").find("input", {"name": "code"})
    back = client.post(
        asked.headers["Location"],
        data={"password": DEFAULT_PASSWORD, "code": totp_clock.code(secret)},
    )
    assert back.headers["Location"] == "/account/two-factor"


def test_a_recovery_code_confirms_it_is_you_once_when_the_phone_is_not_to_hand(
    mfa_app, client, make_user, set_up_through_pages
):
    lead = make_user(roles=("lead",))
    _, codes = set_up_through_pages(client, lead)
    with client.session_transaction() as session:
        session["fresh_at"] = 0
    asked = client.post("/account/two-factor/recovery-codes")
    confirm_url = asked.headers["Location"]
    assert "recovery codes" in page_text(client.get(confirm_url))
    back = client.post(confirm_url, data={"password": DEFAULT_PASSWORD, "code": codes[0]})
    assert back.headers["Location"] == "/account/two-factor"
    assert audit_actions(lead)[-1] == "auth.two_factor_passed"
    assert two_factor.remaining_recovery_codes(lead) == len(codes) - 1
    with client.session_transaction() as session:
        session["fresh_at"] = 0
    again = client.post(confirm_url, data={"password": DEFAULT_PASSWORD, "code": codes[0]})
    assert "a recovery code you have not used before" in page_text(again)
    assert client.post("/account/two-factor/recovery-codes").headers["Location"] == confirm_url


def test_new_recovery_codes_end_the_old_ones(
    mfa_app, app, client, make_user, sign_in_password, set_up_through_pages
):
    lead = make_user(roles=("lead",))
    _, old_codes = set_up_through_pages(client, lead)
    fresh = client.post("/account/two-factor/recovery-codes")
    new_codes = recovery_codes_on_page(fresh)
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert audit_actions(lead)[-1] == "auth.recovery_codes_replaced"
    other = app.test_client()
    sign_in_password(other, lead)
    refused = other.post("/auth/two-factor", data={"code": old_codes[0]})
    assert "The code is not correct" in page_text(refused)
    accepted = other.post("/auth/two-factor", data={"code": new_codes[0]})
    assert accepted.headers["Location"] == "/"


def test_an_administrator_resets_a_supervisors_two_factor(
    mfa_app, app, client, make_user, login, sign_in_password, set_up_through_pages
):
    admin = make_user(roles=("admin",))
    supervisor = make_user(roles=("supervisor",), name="Priya Shah")
    supervisors_browser = app.test_client()
    set_up_through_pages(supervisors_browser, supervisor)
    assert supervisors_browser.get("/supervision/").status_code == 200

    # The administrator's own sign-in: set up too (their role requires it).
    set_up_through_pages(client, admin)
    page = client.get(f"/admin/users/{supervisor.id}")
    assert "Two-factor sign-in Status On" in page_text(page)
    reset = client.post(f"/admin/users/{supervisor.id}/two-factor/reset")
    assert reset.headers["Location"] == f"/admin/users/{supervisor.id}"
    assert "two-factor sign-in is reset" in page_text(client.get(reset.headers["Location"]))

    db.session.expire_all()
    assert not two_factor.is_enabled(supervisor)
    assert two_factor.remaining_recovery_codes(supervisor) == 0
    assert audit_actions(supervisor)[-1] == "auth.two_factor_reset"
    # Every session of theirs has ended; their next sign-in sets it up again.
    assert supervisors_browser.get("/supervision/").headers["Location"].startswith("/auth/login")
    again = sign_in_password(app.test_client(), supervisor)
    assert again.headers["Location"] == "/auth/two-factor/set-up"

    [mail] = [m for m in _outbox(app) if m["To"] == supervisor.email]
    assert mail["Subject"] == "Your two-factor sign-in was reset"
    body = mail.get_content()
    assert "An administrator has reset two-factor sign-in" in body
    assert "asked to set up an authenticator app again" in body
    assert "If you did not ask for this" in body
    assert "http://127.0.0.1:5000/auth/login" in body


def test_resetting_someone_without_two_factor_changes_nothing(
    mfa_app, client, make_user, set_up_through_pages
):
    admin = make_user(roles=("admin",))
    trainee = make_user(roles=("trainee",), name="Sam Okafor")
    set_up_through_pages(client, admin)
    before = audit_actions(trainee)
    response = client.post(f"/admin/users/{trainee.id}/two-factor/reset")
    assert "Sam Okafor has not set up two-factor sign-in" in page_text(
        client.get(response.headers["Location"])
    )
    assert audit_actions(trainee) == before


def test_a_role_that_needs_two_factor_given_during_a_session_ends_that_session(
    mfa_app, client, make_user, login, sign_in_password
):
    person = make_user(roles=("trainee",))
    login(client, person)
    assert client.get("/portfolio/").status_code == 200
    accounts.set_roles(person, ["trainee", "supervisor"], actor=person)
    db.session.commit()
    ended = client.get("/portfolio/")
    assert ended.headers["Location"] == "/auth/login"
    assert "Your role now needs two-factor sign-in" in page_text(client.get("/auth/login"))
    assert sign_in_password(client, person).headers["Location"] == "/auth/two-factor/set-up"


def test_changing_the_password_keeps_the_session_that_gave_a_code(
    mfa_app, client, make_user, set_up_through_pages
):
    supervisor = make_user(roles=("supervisor",))
    set_up_through_pages(client, supervisor)
    changed = client.post(
        "/auth/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a new long passphrase for clinic",
            "confirm_password": "a new long passphrase for clinic",
        },
    )
    assert changed.headers["Location"] == "/"
    assert client.get("/supervision/").status_code == 200
