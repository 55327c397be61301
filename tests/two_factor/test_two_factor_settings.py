"""MFA_REQUIRED_ROLES: checked when the app starts, and named where the demo prints its
logins so nobody is surprised by the set-up page."""

from __future__ import annotations

import pytest

from app import create_app


def test_an_unknown_role_in_the_setting_stops_the_app_starting(tmp_path):
    unknown = r"MFA_REQUIRED_ROLES names unknown roles \['supervisors'\]"
    with pytest.raises(SystemExit, match=unknown):
        create_app(
            "testing",
            MFA_REQUIRED_ROLES=("admin", "supervisors"),
            MAIL_OUTBOX=str(tmp_path),
        )


def test_demo_seed_says_staff_accounts_set_up_two_factor_at_first_sign_in(mfa_app, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "Demo logins" in result.output
    assert (
        "Accounts with the roles admin, lead, supervisor will be asked to set up two-factor "
        "sign-in (an authenticator app) at their first sign-in."
    ) in " ".join(result.output.split())


def test_demo_seed_says_nothing_of_two_factor_when_no_role_requires_it(app, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "two-factor" not in result.output
