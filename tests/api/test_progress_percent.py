"""Progress percent is one rule, rounded down: 2 of 3 competencies signed off is 66% in the
cohort report's row, in the API's list and in the API's trainee detail (never 67)."""

from __future__ import annotations

from app.extensions import db
from app.models.base import utcnow
from app.services.reporting import progress_report
from app.services.reporting.scope import ReportFilters
from app.services.supervision import enrolments, signoffs
from tests.conftest import import_framework_file

THREE_COMPETENCIES = """\
format: competency-framework/v1
id: three
version: "1"
title: Three competencies
status: provisional
scale:
  - {id: not-yet, label: Not yet, proficient: false}
  - {id: met, label: Met, proficient: true}
evidence_types:
  - {id: reflection, label: Reflection, observed: false}
  - {id: observation, label: Observation, observed: true}
sign_off:
  min_evidence: 1
  min_types: 1
  require_observed: false
domains:
  - id: A
    title: Area A
    competencies:
      - {id: A1, title: First, description: The first.}
      - {id: A2, title: Second, description: The second.}
      - {id: A3, title: Third, description: The third.}
"""


def test_two_of_three_signed_off_is_66_percent_in_the_report_and_the_api(
    tmp_path, make_user, harbour_practice, supervisor, lead, api_as
):
    path = tmp_path / "three.yaml"
    path.write_text(THREE_COMPETENCIES, encoding="utf-8")
    framework = import_framework_file(path)
    trainee = make_user(roles=("trainee",), org=harbour_practice, name="Tia Thirds")
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    for competency in framework.domains[0].competencies[:2]:
        signoffs.sign_off(
            enrolment,
            competency,
            signer=supervisor,
            outcome_code="met",
            comment="Seen in practice.",
            override_justification="Seen directly in clinic.",
            authenticated_at=utcnow(),
        )
    db.session.commit()

    report = progress_report.build_report(lead, ReportFilters())
    (row,) = [r for r in report.rows if r.trainee_id == trainee.id]
    assert (row.signed_off, row.total, row.percent) == (2, 3, 66)

    api = api_as(lead)
    (item,) = [i for i in api.get("/trainees").get_json()["items"] if i["id"] == trainee.id]
    assert item["progress"]["percent"] == 66
    detail = api.get(f"/trainees/{trainee.id}").get_json()
    assert detail["progress"] == {"signed_off": 2, "total": 3, "percent": 66}
