"""Fixtures for moving trainees between framework versions: a small framework in two
versions (tests/frameworks_lifecycle/files), a trainee on version 1 with a supervisor,
and evidence and sign-offs made through the real services."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.frameworks import Competency, Framework
from app.models.organisations import Cohort
from app.models.signoffs import Completion
from app.services.accounts import organisations
from tests.conftest import import_framework_file
from tests.frameworks_lifecycle.case_helpers import fresh_database  # noqa: F401 (a fixture)
from tests.supervision.conftest import (  # noqa: F401  (fixtures used by these tests)
    accepted,
    sign,
    submitted,
    supervisor,
)
from tests.supervision.conftest import enrol as enrol
from tests.supervision.conftest import org as org
from tests.supervision.conftest import trainee as trainee

FILES = Path(__file__).resolve().parent / "files"


@pytest.fixture
def v1(app) -> Framework:
    return import_framework_file(FILES / "v1.yaml")


@pytest.fixture
def v2(v1) -> Framework:
    return import_framework_file(FILES / "v2.yaml")


@pytest.fixture
def cohort(org, v1) -> Cohort:
    made = organisations.create_cohort("Autumn intake", org, framework_id=v1.id)
    db.session.commit()
    return made


@pytest.fixture
def on_v1(enrol, trainee, v1, cohort) -> Enrolment:
    enrolment = enrol(trainee, v1)
    enrolment.cohort_id = cohort.id
    db.session.commit()
    return enrolment


def code_of(competency_id: int) -> str:
    return db.session.get(Competency, competency_id).code


def competency_in(framework: Framework, code: str) -> Competency:
    return db.session.scalar(
        select(Competency).where(Competency.framework_id == framework.id, Competency.code == code)
    )


def complete(enrolment: Enrolment) -> Completion:
    """A final sign-off recorded for the enrolment (the record alone, as data)."""
    record = Completion(
        enrolment_id=enrolment.id,
        signer_id=enrolment.clinical_supervisor_id,
        signer_name="Priya Shah",
        signer_gphc_number="2000001",
        trainee_name=enrolment.trainee.name,
        framework_label="Crosswalk test framework 1",
        statement="Complete.",
        prerequisites={},
        completed_at=utcnow(),
        record_sha256=f"{enrolment.id:064d}",
    )
    enrolment.status = "completed"
    db.session.add(record)
    db.session.commit()
    return record
