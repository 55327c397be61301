"""Two leads move the same trainee at the same moment: the enrolment's row lock lets one
through; the other finds the trainee already moved. Nothing is half done: one move
record, one carried sign-off, each new evidence link once, and the audit chain verifies.
Run on PostgreSQL (TEST_DATABASE_URL) for real row locks; on SQLite writers are serial."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models.crosswalk import FrameworkMove, SignOffCarryOver
from app.models.evidence import EvidenceLink
from app.models.frameworks import Framework
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.framework_moves.moving import ALREADY, MOVED, move_trainees


def test_two_leads_moving_one_trainee_at_once_one_wins(app, on_v1, v1, v2, accepted, sign):
    accepted(on_v1, "reflective-account", ["A1", "A4"], title="Inhaler")
    accepted(on_v1, "observation", ["A1"], title="Observed inhaler")
    sign(on_v1, "A1")
    email, source_id, target_id = on_v1.trainee.email, v1.id, v2.id
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def lead() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)  # before any query: on SQLite each begins a write
                source = db.session.get(Framework, source_id)
                target = db.session.get(Framework, target_id)
                report = move_trainees(source, target, actor=None, trainee_email=email)
                db.session.commit()
                outcomes.append(report.trainees[0].outcome)
            except DomainError as refused:
                db.session.rollback()
                outcomes.append(f"refused: {refused.message}")
            except Exception as error:  # a deadlock or lock error would be a failure
                db.session.rollback()
                outcomes.append(f"failed: {error}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=lead) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.expire_all()

    assert sorted(outcomes) == sorted([MOVED, ALREADY]), outcomes
    assert db.session.scalar(select(func.count()).select_from(FrameworkMove)) == 1
    assert db.session.scalar(select(func.count()).select_from(SignOffCarryOver)) == 1
    pairs = db.session.execute(
        select(EvidenceLink.evidence_version_id, EvidenceLink.competency_id)
    ).all()
    assert len(pairs) == len(set(pairs))
    assert audit.verify_chain().intact
