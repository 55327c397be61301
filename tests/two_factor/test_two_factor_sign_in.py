"""Two-factor sign-in through the pages: set-up, the code after the password, replay and
clock drift, recovery codes, the roles that must use it, and limits on guessing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.auth import sign_in
from app.auth.two_factor_setup import qr_code_svg
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.two_factor import RecoveryCode
from app.models.users import User
from app.services.accounts import two_factor
from config import Config, TestingConfig, _env_list
from tests.two_factor.conftest import (
    PRODUCTION_ROLES,
    audit_actions,
    page_text,
    recovery_codes_on_page,
    secret_on_page,
)

# Pages that need a role or a signed-in person, one of each kind.
GUARDED_PAGES = ["/", "/supervision/", "/admin/users", "/account/two-factor", "/auth/confirm"]


def test_production_and_base_configs_require_two_factor_of_staff_roles():
    assert Config.MFA_REQUIRED_ROLES == ("admin", "lead", "supervisor")
    # The test suite at large signs staff in with a password; this folder turns it on.
    assert TestingConfig.MFA_REQUIRED_ROLES == ()


def test_required_roles_come_from_a_comma_separated_setting(monkeypatch):
    monkeypatch.setenv("MFA_REQUIRED_ROLES", " admin, lead ,")
    assert _env_list("MFA_REQUIRED_ROLES", ("x",)) == ("admin", "lead")
    monkeypatch.setenv("MFA_REQUIRED_ROLES", "")
    assert _env_list("MFA_REQUIRED_ROLES", ("x",)) == ()
    monkeypatch.delenv("MFA_REQUIRED_ROLES")
    assert _env_list("MFA_REQUIRED_ROLES", ("x",)) == ("x",)


def test_the_otpauth_address_names_the_service_and_the_account():
    uri = two_factor.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "priya.shah@example.org")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/PCPT%20Portfolio:priya.shah%40example.org"
    query = parse_qs(parts.query)
    assert query["issuer"] == ["PCPT Portfolio"]
    assert query["secret"] == ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"]


def test_supervisor_sets_up_two_factor_through_the_pages_and_is_then_signed_in(
    mfa_app, client, make_user, sign_in_password, totp_clock
):
    supervisor = make_user(roles=("supervisor",), email="priya.shah@example.org")
    first = sign_in_password(client, supervisor)
    assert first.headers["Location"] == "/auth/two-factor/set-up"

    intro = client.get("/auth/two-factor/set-up")
    assert "Your role in PCPT Portfolio needs two-factor sign-in" in page_text(intro)
    assert b"app-qr-code" not in intro.data, "no QR code before the person asks for one"
    client.post("/auth/two-factor/set-up", data={"start": "1"})
    page = client.get("/auth/two-factor/set-up")
    text = page_text(page)
    assert "PCPT Portfolio: priya.shah@example.org" in text
    assert b'<svg role="img" aria-label="QR code for your authenticator app"' in page.data
    secret = secret_on_page(page)
    assert len(secret) == 32
    # The QR code carries the otpauth address with the service's name and the e-mail.
    uri = two_factor.provisioning_uri(secret, "priya.shah@example.org")
    assert "issuer=PCPT%20Portfolio" in uri
    assert str(qr_code_svg(uri)) in page.data.decode()
    assert not two_factor.is_enabled(supervisor), "pending until a code confirms it"

    done = client.post("/auth/two-factor/set-up", data={"code": totp_clock.code(secret)})
    assert done.status_code == 200
    codes = recovery_codes_on_page(done)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert "This is the only time they are shown" in page_text(done)
    assert two_factor.is_enabled(supervisor)
    assert "auth.two_factor_enabled" in audit_actions(supervisor)
    # Signed in now: the supervisor's home answers.
    assert client.get("/supervision/").status_code == 200
    # Only digests are stored.
    stored = set(db.session.scalars(select(RecoveryCode.code_sha256)))
    assert len(stored) == 10
    assert not stored & set(codes)


def test_a_wrong_code_at_set_up_leaves_two_factor_off(
    mfa_app, client, make_user, sign_in_password, totp_clock
):
    lead = make_user(roles=("lead",))
    sign_in_password(client, lead)
    client.post("/auth/two-factor/set-up", data={"start": "1"})
    secret = secret_on_page(client.get("/auth/two-factor/set-up"))
    wrong = client.post("/auth/two-factor/set-up", data={"code": totp_clock.code(secret, 5)})
    assert "The code is not correct" in page_text(wrong)
    assert not two_factor.is_enabled(lead)
    assert client.get("/lead/").headers["Location"].startswith("/auth/login")
    assert "auth.two_factor_setup_failed" in audit_actions(lead)


@pytest.mark.parametrize("path", GUARDED_PAGES)
def test_a_person_who_must_set_up_two_factor_can_reach_nothing_else(
    mfa_app, client, make_user, sign_in_password, path
):
    admin = make_user(roles=("admin", "supervisor", "trainee"))
    sign_in_password(client, admin)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_signing_out_of_set_up_ends_the_pending_sign_in(
    mfa_app, client, make_user, sign_in_password
):
    admin = make_user(roles=("admin",))
    sign_in_password(client, admin)
    out = client.post("/auth/two-factor/cancel")
    assert out.headers["Location"] == "/auth/login"
    again = client.get("/auth/two-factor/set-up")
    assert "There is no sign-in waiting" in page_text(again)


def test_with_two_factor_on_the_password_alone_does_not_sign_in(
    mfa_app, client, make_user, sign_in_password, enable_for, totp_clock
):
    supervisor = make_user(roles=("supervisor",))
    secret, _ = enable_for(supervisor)
    sign_ins = audit_actions(supervisor).count("auth.login")  # setting up signed them in
    last_time = db.session.get(User, supervisor.id).last_login_at
    first = sign_in_password(client, supervisor, next_url="/supervision/")
    assert first.headers["Location"] == "/auth/two-factor"
    for path in GUARDED_PAGES:
        assert client.get(path).headers["Location"].startswith("/auth/login"), path
    # Not signed in yet, so not recorded as a sign-in either.
    assert audit_actions(supervisor).count("auth.login") == sign_ins
    db.session.expire_all()
    assert db.session.get(User, supervisor.id).last_login_at == last_time
    page = client.get("/auth/two-factor")
    assert "Enter your security code" in page_text(page)
    done = client.post("/auth/two-factor", data={"code": totp_clock.code(secret)})
    assert done.headers["Location"] == "/supervision/"
    assert client.get("/supervision/").status_code == 200
    assert audit_actions(supervisor)[-2:] == ["auth.two_factor_passed", "auth.login"]
    signed_in = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "auth.login")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one()
    assert signed_in.data == {"method": "password", "second_factor": True}
    db.session.expire_all()
    assert db.session.get(User, supervisor.id).last_login_at != last_time


def test_a_wrong_code_is_refused_audited_and_does_not_sign_in(
    mfa_app, client, make_user, sign_in_password, enable_for, totp_clock
):
    supervisor = make_user(roles=("supervisor",))
    _secret, _ = enable_for(supervisor)
    sign_in_password(client, supervisor)
    wrong = client.post("/auth/two-factor", data={"code": "000000"})
    assert wrong.status_code == 200
    assert "The code is not correct" in page_text(wrong)
    assert client.get("/supervision/").headers["Location"].startswith("/auth/login")
    assert audit_actions(supervisor)[-1] == "auth.two_factor_failed"


def test_a_code_is_not_accepted_twice(
    mfa_app, app, make_user, sign_in_password, enable_for, totp_clock
):
    supervisor = make_user(roles=("supervisor",))
    secret, _ = enable_for(supervisor)
    code = totp_clock.code(secret)
    first, second = app.test_client(), app.test_client()
    sign_in_password(first, supervisor)
    sign_in_password(second, supervisor)
    assert first.post("/auth/two-factor", data={"code": code}).headers["Location"] == "/"
    replay = second.post("/auth/two-factor", data={"code": code})
    assert replay.status_code == 200
    assert "The code is not correct" in page_text(replay)
    # Nor is the code of the step before, although it is within the drift allowed.
    earlier = second.post("/auth/two-factor", data={"code": totp_clock.code(secret, -1)})
    assert "The code is not correct" in page_text(earlier)
    totp_clock.move(1)
    later = second.post("/auth/two-factor", data={"code": totp_clock.code(secret)})
    assert later.headers["Location"] == "/"


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_one_step_of_clock_drift_is_allowed_either_way(
    mfa_app, client, make_user, sign_in_password, enable_for, totp_clock, steps, accepted
):
    supervisor = make_user(roles=("supervisor",))
    secret, _ = enable_for(supervisor)
    totp_clock.move(2)  # beyond every step used so far, so none is refused as a replay
    sign_in_password(client, supervisor)
    response = client.post("/auth/two-factor", data={"code": totp_clock.code(secret, steps)})
    assert (response.status_code == 302) is accepted


def test_a_recovery_code_signs_in_once(mfa_app, app, make_user, sign_in_password, enable_for):
    lead = make_user(roles=("lead",))
    _, codes = enable_for(lead)
    first = app.test_client()
    sign_in_password(first, lead)
    # Typed as people do: capitals, spaces instead of hyphens.
    typed = codes[3].upper().replace("-", " ")
    assert first.post("/auth/two-factor", data={"code": typed}).headers["Location"] == "/"
    assert two_factor.remaining_recovery_codes(lead) == 9
    passed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.two_factor_passed")
    ).one()
    assert passed.data == {"method": "recovery_code"}
    second = app.test_client()
    sign_in_password(second, lead)
    again = second.post("/auth/two-factor", data={"code": codes[3]})
    assert "The code is not correct" in page_text(again)
    assert second.get("/lead/").headers["Location"].startswith("/auth/login")


def test_the_pending_sign_in_expires_after_a_few_minutes(
    mfa_app, client, make_user, sign_in_password, enable_for, totp_clock
):
    supervisor = make_user(roles=("supervisor",))
    secret, _ = enable_for(supervisor)
    sign_in_password(client, supervisor)
    with client.session_transaction() as session:
        held = dict(session[sign_in.PENDING])
        held["at"] -= sign_in.PENDING_SECONDS[sign_in.CODE] + 1
        session[sign_in.PENDING] = held
    late = client.post("/auth/two-factor", data={"code": totp_clock.code(secret)})
    assert late.status_code == 200
    assert "There is no sign-in waiting" in page_text(late)
    assert client.get("/supervision/").headers["Location"].startswith("/auth/login")


def test_a_trainee_signs_in_with_a_password_until_they_choose_two_factor(
    mfa_app, client, make_user, sign_in_password
):
    trainee = make_user(roles=("trainee",))
    assert sign_in_password(client, trainee).headers["Location"] == "/"
    assert client.get("/portfolio/").status_code == 200
    assert set(PRODUCTION_ROLES).isdisjoint(trainee.roles)


def test_codes_are_limited_per_account(
    mfa_app, app, make_user, sign_in_password, enable_for, totp_clock
):
    supervisor = make_user(roles=("supervisor",))
    secret, _ = enable_for(supervisor)
    app.config["MFA_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    client = app.test_client()
    sign_in_password(client, supervisor)
    for _ in range(3):
        assert client.post("/auth/two-factor", data={"code": "123456"}).status_code == 200
    blocked = client.post("/auth/two-factor", data={"code": totp_clock.code(secret)})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.data.decode()
    # A new pending sign-in for the same account is still counted against it.
    other_browser = app.test_client()
    sign_in_password(other_browser, supervisor)
    assert other_browser.post("/auth/two-factor", data={"code": "123456"}).status_code == 429


def test_codes_are_limited_per_address_across_accounts(
    mfa_app, app, make_user, sign_in_password, enable_for
):
    people = [make_user(roles=("supervisor",)) for _ in range(3)]
    for person in people:
        enable_for(person)
    app.config["MFA_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    client = app.test_client()
    statuses = []
    for person in people:
        sign_in_password(client, person)
        for _ in range(2):
            statuses.append(client.post("/auth/two-factor", data={"code": "123456"}).status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]
