"""The pre-registration declaration (issue 15.2): signed by the pharmacist or pharmacy
technician the trainee is directly accountable to, whose own registration stands on the
day; the statement names the signer's register, and the declaration keeps it as it stood."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.registration import Registration, TrainingDeclaration
from app.services.pathway import training_log
from app.services.pathway.training_declaration import declare_training
from app.services.registration.signers import SignerNotRegistered
from tests.registration.conftest import TODAY
from tests.registration.page_helpers import date_fields, monday, page, text

START = monday(TODAY - timedelta(days=100))


@pytest.fixture
def logged(trainee):
    training_log.set_training_start(trainee, START, actor=trainee, today=TODAY)
    training_log.log_week(
        trainee,
        training_log.WeekEntry(START, Decimal(35), Decimal(20), "Sam"),
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    return trainee


def _now_registered(person, register_checker, **changes) -> Registration:
    values = {
        "user_id": person.id,
        "register": "pharmacy-technician",
        "number": "5000321",
        "status": "registered",
        "registered_on": date(2016, 3, 1),
        "expires_on": TODAY + timedelta(days=100),
        "verified_by_id": register_checker.id,
        "verified_on": TODAY,
    }
    values.update(changes)
    row = Registration(**values)
    db.session.add(row)
    db.session.commit()
    return row


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _declare(person, actor):
    return declare_training(
        person,
        actor=actor,
        period_start=START,
        period_end=START + timedelta(days=6),
        confirmed=True,
        today=TODAY,
    )


def test_a_pharmacy_technician_supervisor_signs_the_declaration_naming_their_register(
    logged, supervisor, register_checker
):
    row = _now_registered(supervisor, register_checker)
    declaration = _declare(logged, supervisor)
    assert "Sam Supervisor, a registered pharmacy technician, declare that" in (
        declaration.statement
    )
    assert declaration.declarant_gphc_number == "5000321"
    assert declaration.declarant_registration["id"] == row.id
    assert declaration.declarant_registration["register"] == "pharmacy-technician"


def test_a_pharmacist_declarant_is_named_as_a_pharmacist(logged, supervisor):
    declaration = _declare(logged, supervisor)
    assert "Sam Supervisor, a registered pharmacist, declare that" in declaration.statement
    assert declaration.declarant_registration["register"] == "pharmacist"


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"expires_on": TODAY - timedelta(days=1)}, "expired on 1 June 2025"),
        ({"verified_by_id": None, "verified_on": None}, "has not been checked on the register"),
        ({"status": "lapsed"}, "is recorded as lapsed"),
    ],
    ids=["expired-yesterday", "unverified", "lapsed"],
)
def test_a_declarant_whose_registration_does_not_stand_is_refused_and_nothing_is_written(
    logged, supervisor, register_checker, changes, why
):
    _now_registered(supervisor, register_checker, **changes)
    before = _count(AuditEvent)
    with pytest.raises(SignerNotRegistered, match=why):
        _declare(logged, supervisor)
    db.session.rollback()
    assert _count(TrainingDeclaration) == 0
    assert _count(AuditEvent) == before


def test_a_registration_expiring_on_the_day_still_declares(logged, supervisor, register_checker):
    _now_registered(supervisor, register_checker, expires_on=TODAY)
    assert _declare(logged, supervisor).declarant_registration["expires_on"] == "2025-06-02"


def test_the_training_page_shows_the_refusal_instead_of_the_form(
    logged, supervisor, register_checker, as_user
):
    _now_registered(supervisor, register_checker, expires_on=TODAY - timedelta(days=1))
    client = as_user(supervisor)
    soup = page(client.get(f"/registration/people/{logged.id}/training"))
    assert soup.select_one("#declaration-form") is None
    assert "Your GPhC registration expired on" in text(soup, "#signer-refusal-reasons")
    form = {
        **date_fields("period_start", START),
        **date_fields("period_end", START + timedelta(days=6)),
        "confirm": "y",
    }
    response = client.post(f"/registration/people/{logged.id}/training/declaration", data=form)
    assert response.status_code == 200
    assert _count(TrainingDeclaration) == 0
