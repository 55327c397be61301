"""Reports say who completed an item's assessor part: the lead's trainee summary (and the
PDF built from it) and the portable record."""

from __future__ import annotations

from app.extensions import db
from app.services.portfolio import evidence as evidence_service
from app.services.reporting.trainee_summary import shared_evidence_by_competency
from tests.assessments.conftest import complete_by_service


def test_the_summary_marks_items_the_assessor_completed(
    app, enrolment, trainee, draft, log_evidence
):
    typed = log_evidence(enrolment, "work-based-observation", ["D1.1"], status="submitted")
    complete_by_service(app, draft, trainee)
    db.session.refresh(draft)
    evidence_service.submit(draft, actor=trainee)
    db.session.commit()
    items = {
        e.evidence_id: e
        for e in shared_evidence_by_competency(enrolment.id)[
            draft.current_version.links[0].competency_id
        ]
    }
    assert items[draft.id].assessor_completed is True
    assert items[typed.id].assessor_completed is False


def test_the_portable_record_lists_the_requests_and_who_completed(app, trainee, draft):
    from app.services.privacy.record_enrolment import _evidence

    complete_by_service(app, draft, trainee, role="doctor", number="1234567")
    (item,) = _evidence(draft.enrolment, files=None)
    assert item["completed_by"] == "assessor"
    assert item["assessed_version"] == 1
    (asked,) = item["assessment_requests"]
    assert asked["status"] == "completed"
    assert asked["assessor_role"] == "doctor"
    assert "token" not in str(item)
    assert "code_hash" not in str(item)
