"""The framework switch `sign_off: {require_assessor_completion: true}`: validated with
the line at fault, and, when set, an observation the trainee entered for the assessor
does not count towards sign-off; one the assessor completed does."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services.frameworks.validation import format_problems, validate_framework_file
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.sufficiency import progress_for
from app.services.portfolio.sufficiency_rule import Rule, describe_rule
from app.services.supervision import enrolments
from tests.conftest import import_framework_file

FRAMEWORK = """\
format: competency-framework/v1
id: assessor-switch
version: "1"
title: Assessor completion test framework
status: provisional
scale:
  - {id: not-yet, label: Not yet competent, proficient: false}
  - {id: competent, label: Competent, proficient: true}
evidence_types:
  - {id: reflective-account, label: Reflective account, observed: false}
  - {id: work-based-observation, label: Work-based observation, observed: OBSERVED}
sign_off:
  min_evidence: 1
  min_types: 1
  require_observed: false
  SWITCH
domains:
  - id: B
    title: Working with patients
    competencies:
      - id: B1
        title: Explains how to use an inhaler
        description: Checks and teaches inhaler technique.
        OVERRIDE
"""


def _file(tmp_path, switch="require_assessor_completion: true", observed="true", override=""):
    text = FRAMEWORK.replace("SWITCH", switch).replace("OBSERVED", observed)
    path = tmp_path / "switch.yaml"
    path.write_text(text.replace("OVERRIDE", override), encoding="utf-8")
    return path


def _problems(path) -> list[str]:
    return format_problems(str(path), validate_framework_file(path).problems)


def test_the_switch_is_read_into_the_default_rule(tmp_path):
    spec = validate_framework_file(_file(tmp_path)).spec
    assert spec is not None
    assert spec.sign_off.require_assessor_completion is True
    assert spec.competencies[0].sign_off.require_assessor_completion is True


def test_the_switch_is_optional_and_off_by_default(tmp_path):
    spec = validate_framework_file(_file(tmp_path, switch="")).spec
    assert spec.sign_off.require_assessor_completion is False


@pytest.mark.parametrize(
    ("switch", "observed", "override", "message"),
    [
        (
            "require_assessor_completion: yes",
            "true",
            "",
            ":16: 'require_assessor_completion' must be true or false, not 'yes'",
        ),
        (
            "require_assessor_completion: true",
            "false",
            "",
            ":12: the default sign-off rule cannot be met: require_assessor_completion is "
            "true but no evidence type has 'observed: true' for an assessor to complete",
        ),
        (
            "require_assessor_complete: true",
            "true",
            "",
            ":16: unknown key 'require_assessor_complete' in the default 'sign_off' rule; "
            "did you mean 'require_assessor_completion'?",
        ),
        (
            "",
            "true",
            "sign_off: {require_assessor_completion: maybe}",
            ":24: 'require_assessor_completion' must be true or false, not 'maybe'",
        ),
    ],
)
def test_a_bad_switch_is_reported_with_its_line(tmp_path, switch, observed, override, message):
    path = _file(tmp_path, switch=switch, observed=observed, override=override)
    problems = _problems(path)
    assert any(p.startswith(f"{path}{message}") for p in problems), problems


def test_a_competency_may_switch_it_off(tmp_path):
    path = _file(tmp_path, override="sign_off: {require_assessor_completion: false}")
    spec = validate_framework_file(path).spec
    assert spec.competencies[0].sign_off.require_assessor_completion is False


def test_the_rule_says_so_in_words():
    rule = Rule(2, 1, True, None, True)
    assert describe_rule(rule).endswith(
        "including at least 1 observed assessment completed by the assessor themselves."
    )


def _accept(item, trainee):
    evidence_service.submit(item, actor=trainee)
    evidence_service.set_status_from_review(
        item, "accepted", version_number=item.current_version_number
    )
    db.session.commit()


def test_an_observation_entered_by_the_trainee_does_not_count_when_switched_on(
    app, tmp_path, make_trainee, log_evidence
):
    text = FRAMEWORK.replace("SWITCH", "require_assessor_completion: true").replace(
        "OBSERVED", "true"
    )
    text = text.replace("require_observed: false", "require_observed: true").replace("OVERRIDE", "")
    path = tmp_path / "switched.yaml"
    path.write_text(text, encoding="utf-8")
    framework = import_framework_file(path)
    trainee = make_trainee(framework)
    enrolment = enrolments.current_enrolment(trainee.id)
    log_evidence(enrolment, "work-based-observation", ["B1"], status="accepted")
    (progress,) = progress_for(enrolment)
    assert progress.status != "ready"
    assert progress.missing == [
        "needs an observation completed by the assessor (observations entered by the "
        "trainee do not count)"
    ]


def test_an_observation_completed_by_the_assessor_counts_when_switched_on(
    app, tmp_path, make_trainee, log_evidence
):
    from app.services.assessments import completion, identity, requests
    from tests.assessments.conftest import ASSESSOR, code_in, mail_to

    text = FRAMEWORK.replace("SWITCH", "require_assessor_completion: true")
    text = text.replace("OBSERVED", "true").replace("OVERRIDE", "")
    text = text.replace("require_observed: false", "require_observed: true")
    path = tmp_path / "switched.yaml"
    path.write_text(text, encoding="utf-8")
    trainee = make_trainee(import_framework_file(path))
    enrolment = enrolments.current_enrolment(trainee.id)
    item = log_evidence(enrolment, "work-based-observation", ["B1"], completed_by="assessor")
    details = requests.AssessorDetails("Ana Assessor", ASSESSOR, "nurse", "12A3456E")
    req = requests.ask(item, details, actor=trainee).request
    db.session.commit()
    identity.send_code(req, "Ana Assessor", "nurse", "12A3456E")
    db.session.commit()
    identity.check_code(req, code_in(mail_to(app, ASSESSOR)[-1]))
    answers = {"went_well": "Good", "development": "More", "overall_judgement": "at"}
    completion.complete(req, answers, declared=True)
    db.session.commit()
    _accept(item, trainee)
    (progress,) = progress_for(enrolment)
    assert progress.status == "ready"
    assert progress.missing == []
