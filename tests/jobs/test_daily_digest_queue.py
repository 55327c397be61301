"""The daily digest goes to the queue when there is one and a worker sends it; without a
queue `jobs digest` sends it at once, as `notifications send-digest` does."""

from __future__ import annotations

from rq import Queue

from app.extensions import db
from app.services.clock import uk_today
from app.services.portfolio import evidence as evidence_service
from app.services.supervision import enrolments
from tests.evidence.conftest import valid_answers
from tests.jobs.test_background_exports import outbox


def submitted_evidence(make_user, make_org, framework):
    practice = make_org("Digest Practice")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000077")
    trainee = make_user(roles=("trainee",), org=practice)
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    code = framework.domains[0].competencies[0].code
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title="Waiting for review"),
        [(code, "")],
        actor=trainee,
    )
    evidence_service.submit(item, actor=trainee)
    db.session.commit()
    return supervisor


def test_the_digest_is_queued_and_a_worker_sends_it(
    queued_app, runner, make_user, make_org, framework, start_worker, test_queue
):
    supervisor = submitted_evidence(make_user, make_org, framework)
    today = uk_today().isoformat()
    result = runner.invoke(args=["jobs", "digest"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"digest for {today} queued"
    # Asked twice (two hosts' timers), it waits on the queue once.
    assert runner.invoke(args=["jobs", "digest"]).exit_code == 0
    assert Queue(test_queue.name, connection=test_queue.redis).count == 1
    assert [m["To"] for m in outbox(queued_app)] == []

    assert start_worker().wait() == 0
    [mail] = outbox(queued_app)
    assert mail["To"] == supervisor.email
    assert mail["Subject"] == "Evidence is waiting for your review"


def test_without_a_queue_the_digest_is_sent_at_once(app, runner, make_user, make_org, framework):
    supervisor = submitted_evidence(make_user, make_org, framework)
    result = runner.invoke(args=["jobs", "digest"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "digests sent: 1; reminders sent: 0"
    assert [m["To"] for m in outbox(app)] == [supervisor.email]
