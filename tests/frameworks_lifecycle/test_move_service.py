"""Moving an enrolment along a crosswalk: evidence follows replaces, merges and
splits_from; only replaces carries a sign-off; nothing is deleted or changed in signed
records; a second run moves nothing; a completed trainee is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.crosswalk import FrameworkMove, SignOffCarryOver
from app.models.evidence import EvidenceLink
from app.models.notifications import Notification
from app.models.signoffs import SignOff
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.framework_moves import gap_analysis
from app.services.framework_moves.moving import (
    ALREADY,
    MOVED,
    REFUSED,
    move_trainees,
    versions_for_move,
)
from app.services.supervision.signoff_digests import sign_off_digest
from tests.frameworks_lifecycle.conftest import code_of, competency_in, complete
from tests.privacy.conftest import record_of
from tests.supervision.conftest import fresh


def _links(item) -> set[str]:
    version = item.versions[-1]
    rows = db.session.scalars(
        select(EvidenceLink).where(EvidenceLink.evidence_version_id == version.id)
    )
    return {f"{link.competency.framework.version}:{link.competency.code}" for link in rows}


def _signed(on_v1, accepted, sign, code: str) -> SignOff:
    accepted(on_v1, "reflective-account", [code], title=f"Reflection on {code}")
    accepted(on_v1, "observation", [code], title=f"Observed {code}")
    return sign(on_v1, code)


def _move(v1, v2, **kw):
    report = move_trainees(v1, v2, actor=None, **kw)
    db.session.commit()
    return report


def test_replaces_carries_the_sign_off_as_a_new_record_pointing_at_the_original(
    on_v1, v1, v2, accepted, sign
):
    original = _signed(on_v1, accepted, sign, "A1")
    digest, statement = original.record_sha256, original.statement

    report = _move(v1, v2, trainee_email=on_v1.trainee.email)

    assert [t.outcome for t in report.trainees] == [MOVED]
    assert report.trainees[0].plan.codes("carried_over") == ["A1"]
    carried = db.session.scalar(select(SignOffCarryOver))
    assert carried.original_id == original.id
    new = carried.sign_off
    assert new.competency_id == competency_in(v2, "A1").id
    assert (new.signer_name, new.signed_at, new.statement) == (
        original.signer_name,
        original.signed_at,
        statement,
    )
    assert new.record_sha256 == sign_off_digest(new)
    db.session.expire_all()
    kept = db.session.get(SignOff, original.id)
    assert kept.record_sha256 == digest
    assert kept.competency.framework_id == v1.id
    assert db.session.get(type(on_v1), on_v1.id).framework_id == v2.id


def test_merged_and_split_competencies_keep_evidence_and_need_a_new_sign_off(
    on_v1, v1, v2, accepted, sign
):
    _signed(on_v1, accepted, sign, "A2")
    _signed(on_v1, accepted, sign, "A4")
    only_evidence = accepted(on_v1, "reflective-account", ["A3", "A5"], title="Care homes")

    report = _move(v1, v2)

    plan = report.trainees[0].plan
    assert plan.codes("re_sign_off") == ["M1", "S1", "S2"]
    assert plan.codes("carried_over") == []
    assert plan.codes("new") == ["N1"]
    assert plan.codes("ended") == ["A5"]
    assert _links(only_evidence) == {"1:A3", "1:A5", "2:M1"}
    v2_sign_offs = db.session.scalars(
        select(SignOff).join(SignOff.competency).where(SignOff.enrolment_id == on_v1.id)
    ).all()
    assert {s.competency.code for s in v2_sign_offs if s.competency.framework_id == v2.id} == set()


def test_a_split_links_the_evidence_to_each_part(on_v1, v1, v2, accepted):
    item = accepted(on_v1, "observation", ["A4"], title="Adherence chat")

    _move(v1, v2)

    assert _links(item) == {"1:A4", "2:S1", "2:S2"}


def test_a_replaced_competency_without_a_sign_off_continues_with_its_evidence(
    on_v1, v1, v2, accepted
):
    item = accepted(on_v1, "observation", ["A1"], title="Inhaler")

    report = _move(v1, v2)

    assert report.trainees[0].plan.codes("continued") == ["A1", "M1", "S1", "S2"]
    assert _links(item) == {"1:A1", "2:A1"}


def test_a_second_run_moves_nothing_and_says_so(on_v1, v1, v2, accepted, sign):
    _signed(on_v1, accepted, sign, "A1")
    _move(v1, v2)
    counts = (
        len(db.session.scalars(select(SignOff)).all()),
        db.session.query(EvidenceLink).count(),
    )

    again = _move(v1, v2)

    assert [(t.outcome, t.reason) for t in again.trainees] == [(ALREADY, "already on version 2")]
    assert counts == (
        len(db.session.scalars(select(SignOff)).all()),
        db.session.query(EvidenceLink).count(),
    )
    assert db.session.query(FrameworkMove).count() == 1


def test_a_trainee_with_a_final_sign_off_is_refused(on_v1, v1, v2):
    complete(on_v1)

    with pytest.raises(DomainError, match="final sign-off"):
        move_trainees(v1, v2, actor=None, trainee_email=on_v1.trainee.email)
    db.session.rollback()
    report = _move(v1, v2, cohort_name="Autumn intake")
    assert [t.outcome for t in report.trainees] == [REFUSED]
    assert db.session.query(FrameworkMove).count() == 0


def test_the_move_is_audited_and_the_chain_verifies(on_v1, v1, v2, accepted, sign):
    _signed(on_v1, accepted, sign, "A1")

    _move(v1, v2, cohort_name="Autumn intake")

    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "enrolment.framework_moved")
    )
    move = db.session.scalar(select(FrameworkMove))
    assert event.data["sha256"] == move.record_sha256
    assert (event.data["from"], event.data["to"]) == ("crosswalk-test@1", "crosswalk-test@2")
    assert len(event.data["carried_sign_offs"]) == 1
    assert audit.verify_chain().intact


def test_a_dry_run_changes_nothing(on_v1, v1, v2, accepted):
    accepted(on_v1, "observation", ["A4"], title="Adherence chat")

    report = move_trainees(v1, v2, actor=None, dry_run=True)
    db.session.rollback()

    assert report.trainees[0].plan.codes("continued") == ["A1", "M1", "S1", "S2"]
    assert db.session.query(FrameworkMove).count() == 0
    assert db.session.get(type(on_v1), on_v1.id).framework_id == v1.id


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("crosswalk-test@2", "crosswalk-test@1", "names no version it follows"),
        ("crosswalk-test", "crosswalk-test@2", "ID@VERSION"),
        ("crosswalk-test@1", "crosswalk-test@9", "version 9 is not imported"),
    ],
)
def test_versions_must_be_imported_and_the_target_must_follow_the_source(
    v2, source, target, message
):
    with pytest.raises(DomainError, match=message):
        versions_for_move(source, target)


def test_moved_sign_off_names_its_competency_code(on_v1, v1, v2, accepted, sign):
    _signed(on_v1, accepted, sign, "A1")
    _move(v1, v2)
    carried = db.session.scalar(select(SignOffCarryOver))
    assert code_of(carried.sign_off.competency_id) == "A1"


def test_the_portable_record_keeps_the_move_its_gap_analysis_and_the_carried_sign_off(
    app, on_v1, v1, v2, accepted, sign, supervisor
):
    original = _signed(on_v1, accepted, sign, "A1")
    _move(v1, v2, trainee_email=on_v1.trainee.email)
    move = db.session.scalar(select(FrameworkMove))
    gap_analysis.sign_gap_analysis(
        move, signer=supervisor, comment="Sign off M1 again.", authenticated_at=fresh()
    )
    db.session.commit()

    (enrolment,) = record_of(app, on_v1.trainee_id)["enrolments"]
    (moved,) = enrolment["framework_moves"]
    assert moved["changes"]["carried_over"][0]["code"] == "A1"
    assert moved["gap_analysis"]["comment"] == "Sign off M1 again."
    carried = [s for s in enrolment["sign_offs"] if s["carried_over_from"] is not None]
    assert [(s["competency"], s["carried_over_from"]) for s in carried] == [("A1", original.id)]


def _notes(user_id: int) -> dict[str, Notification]:
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id))
    return {n.kind: n for n in rows}


def test_the_trainee_and_her_supervisor_hear_of_the_move_without_her_name(
    on_v1, v1, v2, accepted, sign
):
    _signed(on_v1, accepted, sign, "A2")
    _signed(on_v1, accepted, sign, "A4")
    before_trainee = set(_notes(on_v1.trainee_id))
    before_supervisor = set(_notes(on_v1.clinical_supervisor_id))

    _move(v1, v2, trainee_email=on_v1.trainee.email)

    gap_page = f"/supervision/enrolments/{on_v1.id}/gap-analysis"
    told = _notes(on_v1.trainee_id)
    assert set(told) - before_trainee == {"framework_moved"}
    moved = told["framework_moved"]
    assert f"moved to version 2 of the {v2.title}" in moved.text
    assert "3 competencies need a new sign-off" in moved.text  # M1, S1 and S2
    assert moved.link == gap_page
    waiting = _notes(on_v1.clinical_supervisor_id)
    assert set(waiting) - before_supervisor == {"gap_analysis_waiting"}
    assert waiting["gap_analysis_waiting"].link == gap_page
    assert on_v1.trainee.name not in waiting["gap_analysis_waiting"].text


def test_a_dry_run_tells_nobody(on_v1, v1, v2, accepted):
    before = db.session.query(Notification).count()
    move_trainees(v1, v2, actor=None, dry_run=True)
    db.session.rollback()
    assert db.session.query(Notification).count() == before
