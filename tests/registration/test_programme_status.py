"""Programme status on an enrolment: the values a lead's exports report."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.enrolments import Enrolment
from app.services.errors import DomainError
from app.services.pathway.programme_status import (
    ProgrammeStatusChange,
    enrolment_for_manager,
    may_manage,
    programme_warnings,
    update_programme_status,
)
from app.services.storage.documents import Upload
from app.services.supervision.enrolments import active_enrolment
from tests.registration.conftest import PDF


@pytest.fixture
def enrolment(trainee):
    return active_enrolment(trainee.id)


def change(**values) -> ProgrammeStatusChange:
    defaults = {
        "pathway_status": "in-progress",
        "wte": "0.8",
        "protected_learning_days_used": "3.5",
        "funding": "arrs",
        "afc_band": "5",
    }
    return ProgrammeStatusChange(**(defaults | values))


def update(enrolment, actor, upload=None, **values):
    return update_programme_status(
        enrolment,
        change(**values),
        actor=actor,
        exemption_document=upload,
        upload_dir=current_app.config["UPLOAD_DIR"],
        max_bytes=64 * 1024,
    )


def _error(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value


def test_a_new_enrolment_is_enrolled_with_no_days_used(enrolment):
    assert enrolment.pathway_status == "enrolled"
    assert enrolment.protected_learning_days_used == 0


def test_the_lead_records_programme_status(enrolment, lead):
    update(enrolment, lead)
    db.session.commit()
    assert (enrolment.pathway_status, enrolment.wte, enrolment.funding, enrolment.afc_band) == (
        "in-progress",
        Decimal("0.80"),
        "arrs",
        "5",
    )
    assert enrolment.protected_learning_days_used == Decimal("3.5")
    assert programme_warnings(enrolment, enrolment.started_on) == []


@pytest.mark.parametrize(("wte", "warned"), [("0.49", True), ("0.5", False), ("1", False)])
def test_wte_below_half_is_warned_about(enrolment, lead, wte, warned):
    update(enrolment, lead, wte=wte)
    warnings = programme_warnings(enrolment, enrolment.started_on)
    assert bool(warnings) is warned
    if warned:
        assert warnings == [
            "0.49 WTE is below the 0.5 WTE the pathway asks for in a patient-facing role"
        ]


@pytest.mark.parametrize("wte", ["0", "1.01", "0.555", "half"])
def test_impossible_wte_is_refused(enrolment, lead, wte):
    assert _error(lambda: update(enrolment, lead, wte=wte)).field == "wte"


def test_days_beyond_the_allowance_are_warned_about(enrolment, lead, app):
    update(enrolment, lead, protected_learning_days_used="28")
    assert programme_warnings(enrolment, enrolment.started_on) == []
    update(enrolment, lead, protected_learning_days_used="28.5")
    assert programme_warnings(enrolment, enrolment.started_on) == [
        "28.5 protected learning days used: more than the 28 days allowed"
    ]
    app.config["PROTECTED_LEARNING_DAYS"] = 30
    assert programme_warnings(enrolment, enrolment.started_on) == []


def test_exempt_needs_a_document(enrolment, lead):
    error = _error(lambda: update(enrolment, lead, pathway_status="exempt"))
    assert error.field == "exemption_document"
    update(
        enrolment, lead, Upload(io.BytesIO(PDF), "exemption letter.pdf"), pathway_status="exempt"
    )
    assert enrolment.exemption_filename == "exemption letter.pdf"
    assert enrolment.exemption_media_type == "application/pdf"


@pytest.mark.parametrize(
    ("field", "value"), [("funding", "lottery"), ("afc_band", "12"), ("pathway_status", "paused")]
)
def test_values_outside_the_lists_are_refused(enrolment, lead, field, value):
    assert _error(lambda: update(enrolment, lead, **{field: value})).field == field


def test_who_may_manage_an_enrolment(enrolment, lead, outside_lead, supervisor, make_user):
    admin = make_user(roles=("admin",))
    assert enrolment_for_manager(admin, enrolment.id) is enrolment
    assert enrolment_for_manager(lead, enrolment.id) is enrolment
    assert enrolment_for_manager(outside_lead, enrolment.id) is None
    assert enrolment_for_manager(supervisor, enrolment.id) is None
    # The pages offer the change exactly to those the loader lets in.
    for person in (admin, lead, outside_lead, supervisor):
        loaded = enrolment_for_manager(person, enrolment.id) is not None
        assert may_manage(person, enrolment) is loaded


def test_someone_who_may_not_manage_it_cannot_change_it(enrolment, outside_lead):
    assert "cannot change" in _error(lambda: update(enrolment, outside_lead)).message


@pytest.mark.parametrize(("column", "value"), [("pathway_status", "paused"), ("funding", "nhs")])
def test_the_database_refuses_values_outside_the_lists(enrolment, column, value):
    statement = sql_update(Enrolment).where(Enrolment.id == enrolment.id).values({column: value})
    with pytest.raises(IntegrityError):
        db.session.execute(statement)
    db.session.rollback()
