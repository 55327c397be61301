"""Fixtures for evidence: enrolled trainees and a factory that logs evidence in any state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.frameworks import Framework
from app.models.users import User
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.assessment_forms import form_for
from app.services.supervision import enrolments
from tests.conftest import ROOT, import_framework_file

TODAY = date(2025, 6, 1)
ACTIVITY_DAY = date(2025, 5, 20)


def valid_answers(type_code: str, **overrides: object) -> dict[str, object]:
    """Answers that pass the type's form: every field filled with something acceptable."""
    answers: dict[str, object] = {}
    # The observation form's answers where a type has no form of its own: an observed
    # type needs them all, a free-form one drops what it does not define.
    for spec in form_for(type_code, observed=True).fields:
        if spec.kind == "date":
            answers[spec.name] = ACTIVITY_DAY.isoformat()
        elif spec.kind == "integer":
            answers[spec.name] = spec.min_value or 1
        elif spec.kind == "choice":
            # Ratings at the competent level, so an observation counts unless a test says not.
            competent = [c.value for c in spec.choices if c.level == "competent"]
            answers[spec.name] = (competent or [spec.choices[0].value])[0]
        else:
            answers[spec.name] = f"Written answer for {spec.label.lower()}"
    if "assessor_role" in answers:
        answers["assessor_role"] = "pharmacist"
        answers["assessor_registration_number"] = "2000009"
    if "overall_judgement" in answers:
        answers["overall_judgement"] = "at"
    answers["title"] = f"A {type_code} item"
    answers.update(overrides)
    return answers


@pytest.fixture
def org(make_org):
    hub = make_org("Training hub", "training-hub")
    return make_org("Riverside practice", "practice", hub)


@pytest.fixture
def supervisor(make_user, org) -> User:
    return make_user(roles=("supervisor",), org=org, gphc="2000001")


@pytest.fixture
def make_trainee(make_user, org, supervisor):
    """A trainee in `org`, enrolled on `framework` with `supervisor` (the default one)."""

    def make(framework: Framework, *, supervised_by: User | None = None) -> User:
        trainee = make_user(roles=("trainee",), org=org)
        enrolments.enrol(
            trainee,
            framework,
            supervisor=supervised_by or supervisor,
            started_on=date(2025, 1, 6),
        )
        db.session.commit()
        return trainee

    return make


@pytest.fixture
def trainee(make_trainee, framework) -> User:
    return make_trainee(framework)


@pytest.fixture
def enrolment(trainee) -> Enrolment:
    found = enrolments.active_enrolment(trainee.id)
    assert found is not None
    return found


@pytest.fixture
def minimal_framework(app) -> Framework:
    return import_framework_file(ROOT / "tests" / "framework_files" / "good" / "minimal.yaml")


@pytest.fixture
def ncf_version_4(app, framework, tmp_path: Path) -> Framework:
    """The NCF again as version 4: same competency codes, different rows."""
    text = (ROOT / "frameworks" / "ncf-pcpt-3.yaml").read_text(encoding="utf-8")
    copy = tmp_path / "ncf-pcpt-4.yaml"
    copy.write_text(text.replace('version: "3"', 'version: "4"', 1), encoding="utf-8")
    return import_framework_file(copy)


@pytest.fixture
def log_evidence(app):
    """log(enrolment, type_code, ["D1.1", ...], status="accepted") -> a committed Evidence."""

    def log(
        enrolment: Enrolment,
        type_code: str,
        competencies: list[str],
        status: str = "draft",
        **answers: object,
    ) -> Evidence:
        actor = enrolment.trainee
        item = evidence_service.create_draft(
            enrolment,
            type_code,
            valid_answers(type_code, **answers),
            [(code, f"How this shows {code}") for code in competencies],
            actor=actor,
            today=TODAY,
        )
        if status != "draft":
            evidence_service.submit(item, actor=actor)
        if status in ("accepted", "changes_requested"):
            evidence_service.set_status_from_review(
                item, status, version_number=item.current_version_number
            )
        db.session.commit()
        return item

    return log
