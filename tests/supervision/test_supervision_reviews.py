"""Reviewing submitted evidence: the queue, the decision, the version it applies to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.notifications import Notification
from app.models.reviews import Review
from app.services.errors import DomainError, NotFound
from app.services.portfolio import evidence as evidence_service
from app.services.supervision import enrolments, reviews
from tests.evidence.conftest import TODAY, valid_answers
from tests.supervision.conftest import audit_actions, count, sent_mail


def decide(item, decision="accepted", comment="", reviewer=None, version=None):
    review = reviews.record_review(
        item,
        reviewer=reviewer or item.enrolment.clinical_supervisor,
        decision=decision,
        comment=comment,
        version_number=version or item.current_version_number,
    )
    db.session.commit()
    return review


def test_queue_lists_submitted_evidence_of_my_trainees_oldest_first_with_days_waiting(
    enrolment, enrol, make_user, org, small_framework, submitted, accepted, supervisor
):
    other_trainee = make_user(roles=("trainee",), org=org, name="Alex Other")
    other_enrolment = enrol(other_trainee, small_framework)
    first = submitted(enrolment, "reflective-account", ["B1"], title="First")
    second = submitted(other_enrolment, "observation", ["B2"], title="Second")
    accepted(enrolment, "observation", ["B1"], title="Already accepted")
    evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account"),
        [("B1", "")],
        actor=enrolment.trainee,
        today=TODAY,
    )
    db.session.commit()

    later = second.submitted_at + timedelta(days=3, hours=1)
    queue = reviews.review_queue(supervisor.id, now=later).items

    assert [(i.title, i.trainee_name) for i in queue] == [
        ("First", "Sam Okafor"),
        ("Second", "Alex Other"),
    ]
    assert [i.days_waiting for i in queue] == [3, 3]
    assert queue[0].evidence_id == first.id
    assert queue[0].type_label == "Reflective account"


def test_queue_leaves_out_trainees_of_other_supervisors(enrolment, submitted, make_user, org):
    submitted(enrolment, "reflective-account", ["B1"])
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    queue = reviews.review_queue(stranger.id)
    assert (queue.items, queue.total, queue.waiting) == ([], 0, {})
    assert reviews.evidence_for_reviewer(stranger, enrolment.id) is None


def test_a_supervisor_who_is_not_assigned_cannot_review(enrolment, submitted, make_user, org):
    item = submitted(enrolment, "reflective-account", ["B1"])
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    with pytest.raises(NotFound):
        decide(item, reviewer=stranger)
    db.session.rollback()
    assert db.session.get(type(item), item.id).status == "submitted"


def test_accepting_records_the_version_seen_and_one_audit_event(enrolment, submitted, supervisor):
    item = submitted(enrolment, "reflective-account", ["B1"])
    version = item.current_version
    events_before = count(AuditEvent)

    review = decide(item, comment="Clear and honest.")

    assert item.status == "accepted"
    assert review.evidence_version_id == version.id
    assert review.version_number == 1
    assert review.content_sha256 == version.content_sha256
    assert review.reviewer_id == supervisor.id
    assert count(AuditEvent) == events_before + 1
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "evidence.reviewed"
    assert event.data == {
        "review_id": review.id,
        "decision": "accepted",
        "version": 1,
        "content_sha256": version.content_sha256,
    }


def test_asking_for_changes_needs_a_comment_and_changes_nothing_without_one(enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    with pytest.raises(DomainError, match="what the trainee needs to change") as error:
        decide(item, decision="changes_requested", comment="   ")
    assert error.value.field == "comment"
    db.session.rollback()
    assert item.status == "submitted"
    assert count(Review) == 0


def test_an_unknown_decision_is_refused(enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    with pytest.raises(DomainError) as error:
        decide(item, decision="maybe")
    assert error.value.field == "decision"


def test_a_decision_on_a_version_the_reviewer_did_not_see_is_refused(enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    with pytest.raises(DomainError, match="changed since you opened it"):
        decide(item, version=item.current_version_number + 1)


def test_a_reviewed_version_cannot_be_reviewed_again(enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    decide(item, decision="changes_requested", comment="Add what you learned.")
    with pytest.raises(DomainError, match="not waiting for review"):
        decide(item)
    db.session.rollback()
    assert count(Review) == 1


def test_the_education_supervisor_may_review_too(enrolment, submitted, make_user, org, app):
    educator = make_user(roles=("supervisor",), org=org, name="Ed Educator")
    lead = make_user(roles=("lead", "admin"), org=org)
    enrolments.assign_supervisor(enrolment, educator, kind="education", actor=lead)
    db.session.commit()
    item = submitted(enrolment, "reflective-account", ["B1"])
    assert [i.evidence_id for i in reviews.review_queue(educator.id).items] == [item.id]
    review = decide(item, reviewer=educator)
    assert review.reviewer_id == educator.id


def test_the_trainee_is_told_in_the_app_and_by_email(app, enrolment, submitted, trainee):
    item = submitted(enrolment, "reflective-account", ["B1"])
    decide(item, decision="changes_requested", comment="Say what you would do next time.")

    note = db.session.scalar(select(Notification).where(Notification.user_id == trainee.id))
    assert note.kind == "changes_requested"
    assert item.title in note.text
    assert note.link == f"/portfolio/evidence/{item.id}"
    mails = sent_mail(app)
    assert len(mails) == 1
    assert mails[0]["To"] == trainee.email
    text = mails[0].get_content()
    assert "asked for changes" in text
    # E-mail says where to look, never the evidence or the comment itself.
    assert "Say what you would do next time" not in text
    assert item.title not in text


def test_no_email_is_sent_when_the_review_is_rolled_back(app, enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    reviews.record_review(
        item,
        reviewer=enrolment.clinical_supervisor,
        decision="accepted",
        comment="",
        version_number=1,
    )
    db.session.rollback()
    db.session.commit()
    assert sent_mail(app) == []
    assert count(Review) == 0


def test_history_lists_every_review_newest_first_with_the_version_seen(
    enrolment, submitted, supervisor
):
    item = submitted(enrolment, "reflective-account", ["B1"])
    decide(item, decision="changes_requested", comment="Add a reflection.")
    evidence_service.edit(
        item,
        valid_answers("reflective-account", title="Better"),
        [("B1", "Shows it")],
        actor=enrolment.trainee,
        today=TODAY,
    )
    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.commit()
    decide(item, comment="Thank you.")

    history = reviews.review_history(item.id)
    assert [(r.decision, r.version_number, r.comment) for r in history] == [
        ("accepted", 2, "Thank you."),
        ("changes_requested", 1, "Add a reflection."),
    ]
    assert {r.reviewer_name for r in history} == {supervisor.name}
    assert audit_actions()[-1] == "evidence.reviewed"


def test_the_queue_comes_a_page_at_a_time_with_the_count_for_each_trainee(
    enrolment, submitted, make_user, org, small_framework, enrol
):
    supervisor = enrolment.clinical_supervisor
    other = enrol(make_user(roles=("trainee",), org=org, name="Alex Other"), small_framework)
    made = [submitted(e, "reflective-account", ["B1"]) for e in (enrolment, other, enrolment)]
    first = reviews.review_queue(supervisor.id, page=1, per_page=2)
    second = reviews.review_queue(supervisor.id, page=2, per_page=2)
    beyond = reviews.review_queue(supervisor.id, page=9, per_page=2)
    assert [i.evidence_id for i in first.items] == [made[0].id, made[1].id]
    assert [i.evidence_id for i in second.items] == [made[2].id]
    assert (first.total, first.pages, second.first_number, second.last_number) == (3, 2, 3, 3)
    assert first.waiting == second.waiting == {enrolment.id: 2, other.id: 1}
    assert beyond.page == 2  # a page past the end shows the last one
