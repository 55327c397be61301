"""Two people acting on the same thing at the same moment, on real concurrent connections.

Each thread has its own app context, session and database connection, and they start
together behind a barrier. Exactly one may succeed; the loser gets a refusal it can show,
never a crash, a lost update or a duplicate; and the audit chain still verifies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.frameworks import Competency
from app.models.reviews import Review
from app.models.signoffs import Completion, SignOff, SignOffRevocation
from app.models.users import User
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.supervision import completion, enrolments, reviews, signoffs
from tests.supervision.conftest import competency, count, fresh

TODAY = datetime.now(UTC).date()


def race(app, *actions: Callable[[], object]) -> list[object]:
    """Run each action in its own thread and transaction, all at once; return the outcomes.

    An outcome is "ok" after a commit, or the DomainError the action raised. Anything
    else (a deadlock, "database is locked", an integrity error) fails the test.
    Actions must close over plain ids, not the test's objects: touching an expired object
    of the test's session from a thread would open a transaction on the test's connection.
    """
    db.session.commit()  # the test's own session must hold no lock while the threads run
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                action()
                db.session.commit()
                outcomes[index] = "ok"
            except DomainError as refusal:
                db.session.rollback()
                outcomes[index] = refusal
            except Exception as error:  # reported below, with its type
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    unexpected = [o for o in outcomes if o != "ok" and not isinstance(o, DomainError)]
    assert unexpected == [], unexpected
    db.session.expire_all()
    return outcomes


def chain_is_intact() -> bool:
    report = audit.verify_chain()
    db.session.rollback()
    return report.intact


@pytest.fixture
def educator(enrolment, make_user, org) -> User:
    person = make_user(roles=("supervisor",), org=org, gphc="2000009", name="Ed Educator")
    enrolments.assign_supervisor(
        enrolment, person, kind="education", actor=make_user(roles=("admin",))
    )
    db.session.commit()
    return person


def test_two_supervisors_reviewing_one_item_at_once_cannot_both_decide(
    app, enrolment, submitted, supervisor, educator
):
    item_id = submitted(enrolment, "reflective-account", ["B1"]).id

    def decide(reviewer_id: int, decision: str):
        def action():
            reviewer = db.session.get(User, reviewer_id)
            found = reviews.evidence_for_reviewer(reviewer, item_id)
            reviews.record_review(
                found,
                reviewer=reviewer,
                decision=decision,
                comment="Please add the outcome.",
                version_number=1,
            )

        return action

    first = decide(supervisor.id, "accepted")
    second = decide(educator.id, "changes_requested")
    outcomes = race(app, first, second)

    assert sorted(o == "ok" for o in outcomes) == [False, True]
    winner = ("accepted", "changes_requested")[outcomes.index("ok")]
    assert db.session.get(Evidence, item_id).status == winner
    assert db.session.scalars(select(Review.decision)).all() == [winner]
    reviewed = select(func.count()).where(AuditEvent.action == "evidence.reviewed")
    assert db.session.scalar(reviewed) == 1
    assert chain_is_intact()


def test_signing_off_one_competency_twice_at_once_records_one_sign_off(
    app, enrolment, ready, supervisor
):
    ready(enrolment, "B1")
    enrolment_id, competency_id, supervisor_id = (
        enrolment.id,
        competency(enrolment, "B1").id,
        supervisor.id,
    )

    def sign():
        signoffs.sign_off(
            db.session.get(Enrolment, enrolment_id),
            db.session.get(Competency, competency_id),
            signer=db.session.get(User, supervisor_id),
            outcome_code="competent",
            comment="Seen in clinic.",
            authenticated_at=fresh(),
        )

    outcomes = race(app, sign, sign, sign)

    assert outcomes.count("ok") == 1
    assert all("already signed off" in str(o) for o in outcomes if o != "ok")
    assert count(SignOff) == 1
    assert chain_is_intact()


def test_revoking_one_sign_off_twice_at_once_records_one_revocation(
    app, enrolment, ready, sign, supervisor
):
    ready(enrolment, "B1")
    record_id, supervisor_id = sign(enrolment, "B1").id, supervisor.id

    def revoke():
        signoffs.revoke(
            db.session.get(SignOff, record_id),
            actor=db.session.get(User, supervisor_id),
            reason="Signed in error.",
            authenticated_at=fresh(),
        )

    outcomes = race(app, revoke, revoke)

    assert outcomes.count("ok") == 1
    assert count(SignOffRevocation) == 1
    assert chain_is_intact()


def test_a_revocation_racing_the_final_sign_off_never_leaves_a_completion_relying_on_it(
    app, enrolment, ready, sign, registered, qualified, trainee, supervisor
):
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    registered(trainee)
    qualified(trainee)
    b2_id = next(s.id for s in signoffs.sign_offs_for(enrolment.id) if s.competency_code == "B2")
    enrolment_id, supervisor_id = enrolment.id, supervisor.id

    def complete():
        completion.complete(
            db.session.get(Enrolment, enrolment_id),
            signer=db.session.get(User, supervisor_id),
            authenticated_at=fresh(),
            today=TODAY,
        )

    def revoke():
        signoffs.revoke(
            db.session.get(SignOff, b2_id),
            actor=db.session.get(User, supervisor_id),
            reason="Reassessing discharge work.",
            authenticated_at=fresh(),
        )

    outcomes = race(app, complete, revoke)

    assert outcomes.count("ok") == 1
    if outcomes[0] == "ok":  # completed first: the revocation was refused
        assert count(SignOffRevocation) == 0
        assert db.session.get(Enrolment, enrolment_id).status == "completed"
    else:  # revoked first: the completion saw B2 unsigned
        assert count(Completion) == 0
        assert db.session.get(Enrolment, enrolment_id).status == "active"
    assert chain_is_intact()


def test_many_reviews_at_once_keep_the_audit_chain_whole(app, enrolment, submitted, supervisor):
    item_ids = [submitted(enrolment, "reflective-account", ["B1"]).id for _ in range(6)]
    supervisor_id = supervisor.id

    def accept(evidence_id: int):
        def action():
            reviewer = db.session.get(User, supervisor_id)
            reviews.record_review(
                reviews.evidence_for_reviewer(reviewer, evidence_id),
                reviewer=reviewer,
                decision="accepted",
                comment="",
                version_number=1,
            )

        return action

    outcomes = race(app, *(accept(item_id) for item_id in item_ids))

    assert outcomes == ["ok"] * len(item_ids)
    assert count(Review) == len(item_ids)
    assert chain_is_intact()
