"""The key a browser gives a draft: saves of one key at the same moment, on real concurrent
connections (two tabs sending one offline note, the form's button pressed while a save as
you type is on its way), store one draft and one audit event."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.users import User
from app.services.portfolio import drafts
from tests.evidence.conftest import valid_answers

KEY = "5d1c2b7e-4a9f-4f10-8a3e-7c6b5a4d3e2f"
SAVES = 4


def test_saves_of_one_key_at_once_make_one_draft(app, enrolment):
    trainee_id, enrolment_id = enrolment.trainee_id, enrolment.id
    evidence_type = next(
        t for t in enrolment.framework.evidence_types if t.code == "reflective-account"
    )
    type_id = evidence_type.id
    db.session.commit()  # the test's own session holds no lock while the saves run
    barrier = threading.Barrier(SAVES)
    failures: list[str] = []

    def save() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                enrolment = db.session.get(Enrolment, enrolment_id)
                drafts.save_new(
                    enrolment,
                    next(t for t in enrolment.framework.evidence_types if t.id == type_id),
                    valid_answers("reflective-account"),
                    [("D1.1", None)],
                    actor=db.session.get(User, trainee_id),
                    client_key=KEY,
                )
                db.session.commit()
            except Exception as error:  # a duplicate key, "database is locked": a failure
                db.session.rollback()
                failures.append(f"{type(error).__name__}: {error}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save) for _ in range(SAVES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    items = list(db.session.scalars(select(Evidence).where(Evidence.client_key == KEY)))
    assert len(items) == 1
    created = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "evidence.created")
    )
    assert created == 1
