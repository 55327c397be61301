"""Twenty writers at once: trainees submitting and revising evidence, supervisors reviewing
and signing off, all on real concurrent connections to the real database.

Each writer is a thread with its own app context, session and connection, running a list
of operations; each operation is one transaction, as one request would be. Several
writers aim at the same records on purpose (two browser tabs submitting one draft, two
supervisors deciding one item, a sign-off clicked twice), so many attempts must be
refused. Afterwards every attempt is accounted for: it either committed, and its row and
its audit event are there, or it was refused with a message a person can read. Nothing
committed may be missing (lost), nothing may be in the database that no committed attempt
wrote (a duplicate), and the audit chain must still verify.

Run with -s to see the figures.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceVersion
from app.models.frameworks import Competency
from app.models.reviews import Review
from app.models.signoffs import SignOff
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.portfolio import evidence as evidence_service
from app.services.reporting import flag_tallies, progress_summary
from app.services.reporting.flags import report_thresholds
from app.services.supervision import enrolments, reviews, signoffs
from tests.conftest import ON_POSTGRES, ROOT, import_framework_file
from tests.evidence.conftest import TODAY, valid_answers
from tests.supervision.conftest import fresh

TRAINEES = 4  # each brings five writers: 20 in all
DRAFTS = 3  # per trainee, submitted from two tabs at once
QUEUED = 3  # per trainee, already submitted: two supervisors decide each at once


@dataclass(frozen=True)
class Receipt:
    """What a committed operation says it wrote."""

    kind: str  # "submit", "revise", "review" or "sign_off"
    key: tuple


@dataclass
class Tally:
    attempted: int = 0
    committed: list[Receipt] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lock = threading.Lock()

    def record(self, outcome: Receipt | DomainError | BaseException) -> None:
        with self.lock:
            self.attempted += 1
            if isinstance(outcome, Receipt):
                self.committed.append(outcome)
            elif isinstance(outcome, DomainError):
                self.refused.append(outcome.message)
            else:
                self.failed.append(f"{type(outcome).__name__}: {outcome}")


Operation = Callable[[], Receipt]


def run_writers(app, writers: list[list[Operation]], tally: Tally) -> None:
    """Start every writer at once; each runs its operations in order, one transaction each."""
    db.session.commit()  # the test's own session holds no lock while the writers run
    barrier = threading.Barrier(len(writers))

    def run(operations: list[Operation]) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            for operation in operations:
                try:
                    receipt = operation()
                    db.session.commit()
                    tally.record(receipt)
                except DomainError as refusal:
                    db.session.rollback()
                    tally.record(refusal)
                except Exception as error:  # "database is locked", a deadlock: a failure
                    db.session.rollback()
                    tally.record(error)
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=run, args=(ops,)) for ops in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer never finished (a deadlock?)"
    db.session.expire_all()


# --- What each writer does (closing over ids, never the test's objects) ------------------


def submit(trainee_id: int, evidence_id: int) -> Operation:
    def operation() -> Receipt:
        trainee = db.session.get(User, trainee_id)
        item = db.session.get(Evidence, evidence_id)
        version = evidence_service.submit(item, actor=trainee)
        return Receipt("submit", (evidence_id, version.number))

    return operation


def revise(trainee_id: int, evidence_id: int, title: str) -> Operation:
    def operation() -> Receipt:
        trainee = db.session.get(User, trainee_id)
        item = db.session.get(Evidence, evidence_id)
        version = evidence_service.edit(
            item,
            valid_answers("reflective-account", title=title),
            [("B1", "Revised after feedback")],
            actor=trainee,
            today=TODAY,
        )
        return Receipt("revise", (evidence_id, version.number))

    return operation


def review(reviewer_id: int, evidence_id: int, decision: str) -> Operation:
    def operation() -> Receipt:
        reviewer = db.session.get(User, reviewer_id)
        item = reviews.evidence_for_reviewer(reviewer, evidence_id)
        if item is None:  # what the page answers with a 404
            raise NotFound("Evidence not found")
        found = reviews.record_review(
            item,
            reviewer=reviewer,
            decision=decision,
            comment="" if decision == "accepted" else "Please add what you would do next time.",
            version_number=item.current_version_number,
        )
        return Receipt("review", (found.id,))

    return operation


def sign(signer_id: int, enrolment_id: int, competency_id: int) -> Operation:
    def operation() -> Receipt:
        record = signoffs.sign_off(
            db.session.get(Enrolment, enrolment_id),
            db.session.get(Competency, competency_id),
            signer=db.session.get(User, signer_id),
            outcome_code="competent",
            comment="Seen doing this well in clinic.",
            authenticated_at=fresh(),
        )
        return Receipt("sign_off", (record.id,))

    return operation


# --- The world they work in -------------------------------------------------------------


def _log(enrolment: Enrolment, type_code: str, code: str, title: str, status: str) -> int:
    trainee = enrolment.trainee
    item = evidence_service.create_draft(
        enrolment,
        type_code,
        valid_answers(type_code, title=title),
        [(code, f"How this shows {code}")],
        actor=trainee,
        today=TODAY,
    )
    if status != "draft":
        evidence_service.submit(item, actor=trainee)
    if status == "accepted":
        reviews.record_review(
            item,
            reviewer=enrolment.clinical_supervisor,
            decision="accepted",
            comment="",
            version_number=1,
        )
    db.session.flush()
    return item.id


@pytest.fixture
def world(app, make_org, make_user):
    """Four trainees, each with a clinical and an education supervisor, drafts to submit,
    items waiting for review, and both competencies ready for sign-off."""
    framework = import_framework_file(
        ROOT / "tests" / "supervision" / "frameworks" / "two-competencies.yaml"
    )
    hub = make_org("Training hub", "training-hub")
    practice = make_org("Riverside practice", "practice", hub)
    admin = make_user(roles=("admin",))
    competencies = {c.code: c.id for d in framework.domains for c in d.competencies}
    people = []
    for n in range(TRAINEES):
        trainee = make_user(roles=("trainee",), org=practice, name=f"Trainee {n}")
        clinical = make_user(roles=("supervisor",), org=practice, gphc=f"20000{n}1")
        education = make_user(roles=("supervisor",), org=practice, gphc=f"20000{n}2")
        enrolment = enrolments.enrol(
            trainee, framework, supervisor=clinical, started_on=date(2025, 1, 6)
        )
        enrolments.assign_supervisor(enrolment, education, kind="education", actor=admin)
        drafts = [
            _log(enrolment, "reflective-account", "B1", f"Draft {i}", "draft")
            for i in range(DRAFTS)
        ]
        queued = [
            _log(enrolment, "reflective-account", "B1", f"Waiting {i}", "submitted")
            for i in range(QUEUED)
        ]
        for code in competencies:
            _log(enrolment, "reflective-account", code, f"Reflection on {code}", "accepted")
            _log(enrolment, "observation", code, f"Observed {code}", "accepted")
        db.session.commit()
        people.append(
            {
                "trainee": trainee.id,
                "clinical": clinical.id,
                "education": education.id,
                "enrolment": enrolment.id,
                "drafts": drafts,
                "queued": queued,
            }
        )
    return people, competencies


def writers_for(person: dict, competencies: dict[str, int]) -> list[list[Operation]]:
    """Five writers per trainee, aimed at the same records from different directions."""
    t, c, e = person["trainee"], person["clinical"], person["education"]
    drafts, queued, enrolment = person["drafts"], person["queued"], person["enrolment"]
    b1, b2 = competencies["B1"], competencies["B2"]
    return [
        # Two browser tabs submitting the same drafts, in opposite orders.
        [submit(t, d) for d in drafts],
        [submit(t, d) for d in reversed(drafts)] + [revise(t, queued[0], "Revised reflection")],
        # Two supervisors deciding the same items, in opposite orders; then a sign-off.
        [review(c, q, "accepted") for q in queued] + [sign(c, enrolment, b2)],
        [review(e, q, "changes_requested") for q in reversed(queued)],
        # The clinical supervisor signing off from a second tab.
        [sign(c, enrolment, b1), sign(c, enrolment, b2), sign(c, enrolment, b1)],
    ]


# --- Accounting -----------------------------------------------------------------------------


def _events(action: str, since: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.id > since)
            .order_by(AuditEvent.id)
        )
    )


def account_for(tally: Tally, since_event: int, since_review: int, since_sign_off: int) -> dict:
    """Compare what the writers say they committed with what the database holds."""
    claimed = Counter(tally.committed)
    written: Counter[Receipt] = Counter()
    for event in _events("evidence.submitted", since_event):
        written[Receipt("submit", (int(event.subject_id), event.data["version"]))] += 1
    for event in _events("evidence.revised", since_event):
        written[Receipt("revise", (int(event.subject_id), event.data["version"]))] += 1
    review_rows = set(db.session.scalars(select(Review.id).where(Review.id > since_review)))
    audited_reviews = {e.data["review_id"] for e in _events("evidence.reviewed", since_event)}
    for review_id in review_rows | audited_reviews:
        # A review counts as written once when both its row and its audit event are there.
        if review_id in review_rows and review_id in audited_reviews:
            written[Receipt("review", (review_id,))] += 1
    sign_off_rows = set(db.session.scalars(select(SignOff.id).where(SignOff.id > since_sign_off)))
    audited_sign_offs = {int(e.subject_id) for e in _events("competency.signed_off", since_event)}
    for sign_off_id in sign_off_rows & audited_sign_offs:
        written[Receipt("sign_off", (sign_off_id,))] += 1
    # A submitted version must say so on the version itself too.
    for receipt in [r for r in written if r.kind == "submit"]:
        evidence_id, number = receipt.key
        version = db.session.scalar(
            select(EvidenceVersion).where(
                EvidenceVersion.evidence_id == evidence_id, EvidenceVersion.number == number
            )
        )
        if version is None or version.submitted_at is None:
            written[receipt] -= 1
    lost = claimed - written  # committed, but not (wholly) in the database
    unclaimed = written - claimed  # in the database without a committed attempt
    unaudited = (review_rows ^ audited_reviews) | (sign_off_rows ^ audited_sign_offs)
    # One version submitted twice, or one competency with two standing sign-offs.
    standing = Counter(
        (s.enrolment_id, s.competency_id) for s in db.session.scalars(select(SignOff))
    )
    duplicates = sum(n - 1 for n in written.values() if n > 1)
    duplicates += sum(n - 1 for n in standing.values() if n > 1)
    return {
        "attempted": tally.attempted,
        "committed": len(tally.committed),
        "refused": len(tally.refused),
        "failed": len(tally.failed),
        "lost": sum(lost.values()),
        "unclaimed": sum(unclaimed.values()) + len(unaudited),
        "duplicates": duplicates,
    }


def test_twenty_writers_lose_nothing_and_keep_the_audit_chain_whole(app, world):
    people, competencies = world
    since_event = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    since_review = db.session.scalar(select(Review.id).order_by(Review.id.desc()).limit(1))
    since_sign_off = 0
    writers = [ops for person in people for ops in writers_for(person, competencies)]
    assert len(writers) == 20
    tally = Tally()

    started = time.perf_counter()
    run_writers(app, writers, tally)
    elapsed = time.perf_counter() - started

    figures = account_for(tally, since_event, since_review, since_sign_off)
    database = "PostgreSQL" if ON_POSTGRES else "SQLite"
    print(
        f"\n{database}: {len(writers)} writers, {figures['attempted']} writes attempted, "
        f"{figures['committed']} committed, {figures['refused']} refused, "
        f"{figures['lost']} lost, {figures['failed']} failed, "
        f"{figures['unclaimed']} unclaimed, {figures['duplicates']} duplicated, "
        f"in {elapsed:.2f} s"
    )
    print("  refusals:", dict(Counter(tally.refused)))
    assert tally.failed == [], tally.failed
    assert figures["attempted"] == figures["committed"] + figures["refused"]
    assert figures["lost"] == 0
    assert figures["unclaimed"] == 0
    assert figures["duplicates"] == 0

    # The races had one winner each: every draft submitted once, every competency signed
    # off once, and no version reviewed twice (a revision can take an item out of review).
    kinds = Counter(r.kind for r in tally.committed)
    assert kinds["submit"] == TRAINEES * DRAFTS
    assert kinds["sign_off"] == TRAINEES * len(competencies)
    assert kinds["revise"] == TRAINEES
    assert TRAINEES * (QUEUED - 1) <= kinds["review"] <= TRAINEES * QUEUED
    for person in people:
        for evidence_id in person["drafts"]:
            assert db.session.get(Evidence, evidence_id).status != "draft"

    report = audit.verify_chain()
    db.session.rollback()
    assert report.intact, report
    # After the races, every summary (recounted, or stepped on by a submission) still
    # matches its records.
    check = progress_summary.first_difference()
    tallies = flag_tallies.first_difference(uk_today(), report_thresholds())
    db.session.rollback()
    assert check.problem is None, check.problem
    assert tallies is None, tallies


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's busy timeout; PostgreSQL writers queue on locks")
def test_a_writer_kept_waiting_past_the_busy_timeout_is_told_to_try_again(
    app, make_user, login, database_url
):
    import sqlite3
    from contextlib import closing

    from bs4 import BeautifulSoup
    from sqlalchemy import event, func

    from app.models.organisations import Organisation

    client = app.test_client()
    login(client, make_user(roles=("admin",)))
    db.session.commit()

    def short_timeout(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    db.engine.dispose()
    event.listen(db.engine, "connect", short_timeout)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        with closing(holder):
            holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock throughout
            response = client.post(
                "/admin/organisations/new",
                data={"name": "Harbour practice", "kind": "practice", "parent": ""},
            )
            holder.execute("ROLLBACK")
    finally:
        event.remove(db.engine, "connect", short_timeout)
        db.engine.dispose()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = BeautifulSoup(response.data, "html.parser")
    assert page.h1.get_text() == "The service is busy"
    assert "Nothing was saved. Try again in a moment." in page.get_text()
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
