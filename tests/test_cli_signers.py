"""`users create --gphc` records a signer's registration unverified, with its dates, and
`users verify-gphc --by` records the check by a lead or an administrator, never the person."""

from __future__ import annotations

from datetime import timedelta

from app.services.accounts.users import find_user_by_email
from app.services.clock import uk_today
from app.services.registration.gphc import current_registration
from app.services.registration.signers import signer_registration_problems

EXPIRES = uk_today() + timedelta(days=200)


def _create(runner, *extra: str):
    return runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "priya@example.org",
            "--name",
            "Priya Shah",
            "--role",
            "supervisor",
            "--gphc",
            "2012345",
            *extra,
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )


def test_a_number_with_its_dates_is_recorded_unverified_and_says_so(runner):
    result = _create(
        runner, "--gphc-registered-on", "2015-01-15", "--gphc-expires-on", EXPIRES.isoformat()
    )
    assert result.exit_code == 0, result.output
    assert "GPhC registration recorded, not yet verified" in result.output
    person = find_user_by_email("priya@example.org")
    registration = current_registration(person.id)
    assert (registration.number, registration.expires_on) == ("2012345", EXPIRES)
    assert registration.verified_by_id is None
    assert signer_registration_problems(person.id, uk_today()) == [
        "Your GPhC registration has not been checked on the register by an education lead "
        "or an administrator"
    ]


def test_an_administrator_verifies_it_and_then_it_signs(runner, make_user):
    make_user(roles=("admin",), email="alex@example.org")
    _create(runner, "--gphc-registered-on", "2015-01-15", "--gphc-expires-on", EXPIRES.isoformat())
    result = runner.invoke(
        args=["users", "verify-gphc", "--email", "priya@example.org", "--by", "alex@example.org"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "verified priya@example.org's GPhC registration 2012345, checked by alex@example.org\n"
    )
    person = find_user_by_email("priya@example.org")
    assert signer_registration_problems(person.id, uk_today()) == []


def test_nobody_verifies_their_own_registration(runner):
    _create(runner, "--gphc-expires-on", EXPIRES.isoformat())
    result = runner.invoke(
        args=["users", "verify-gphc", "--email", "priya@example.org", "--by", "priya@example.org"]
    )
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    person = find_user_by_email("priya@example.org")
    assert current_registration(person.id).verified_by_id is None


def test_an_impossible_expiry_is_refused_in_one_line(runner):
    far = uk_today() + timedelta(days=900)
    result = _create(runner, "--gphc-expires-on", far.isoformat())
    assert result.exit_code == 1
    assert "expiry date" in result.output
    assert find_user_by_email("priya@example.org") is None


def test_the_demo_supervisor_whose_registration_lapsed_is_refused_on_the_sign_off_page(
    runner, client, login
):
    from app.demo.seed import DEMO_PASSWORD
    from app.demo.seed_signers import LAPSED_SUPERVISOR, LAPSED_SUPERVISORS_TRAINEE
    from app.services.supervision.enrolments import enrolments_for
    from tests.supervision.conftest import soup, text_of

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    lapsed = find_user_by_email(LAPSED_SUPERVISOR[0])
    (enrolment,) = enrolments_for(find_user_by_email(LAPSED_SUPERVISORS_TRAINEE[0]).id)
    competency = enrolment.framework.domains[0].competencies[0]
    login(client, lapsed, DEMO_PASSWORD)
    url = f"/supervision/enrolments/{enrolment.id}/competencies/{competency.id}/sign-off"
    page = soup(client.get(url))
    assert page.select_one("#sign-off-form") is None
    assert "Your GPhC registration expired on" in text_of(page, "#signer-refusal-reasons")
    assert "Renew your registration with the GPhC" in text_of(page, "#signer-refusal-next-step")
    supervisor = find_user_by_email("supervisor@example.org")
    assert signer_registration_problems(supervisor.id, uk_today()) == []
