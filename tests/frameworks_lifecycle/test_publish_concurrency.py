"""Two leads publish the same upload at the same moment: the upload's row lock lets one
import it; the other finds it already published. Nothing is half done: one version
imported, one import event, the upload published once, and the audit chain verifies.
Run on PostgreSQL (TEST_DATABASE_URL) for real row locks; on SQLite writers are serial."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.framework_publishing import FrameworkUpload
from app.models.frameworks import Competency, Framework
from app.models.users import User
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.frameworks import publishing

FILES = Path(__file__).resolve().parent / "files"


def test_two_leads_publishing_one_upload_at_once_import_it_once(app, make_user, v1):
    first = make_user(roles=("lead",), name="Lee Lead")
    second = make_user(roles=("lead",), name="Lou Lead")
    check = publishing.receive_upload("v2.yaml", (FILES / "v2.yaml").read_bytes(), actor=first)
    db.session.commit()
    upload_id, people = check.upload.id, [first.id, second.id]
    db.session.commit()  # reading the ids began a transaction: end it before the leads write
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def lead(user_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)  # before any query: on SQLite each begins a write
                actor = db.session.get(User, user_id)
                framework = publishing.publish_upload(upload_id, actor=actor)
                db.session.commit()
                outcomes[user_id] = f"published version {framework.version}"
            except DomainError as refused:
                db.session.rollback()
                outcomes[user_id] = f"refused: {refused.message}"
            except Exception as error:  # a deadlock or lock error would be a failure
                db.session.rollback()
                outcomes[user_id] = f"failed: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=lead, args=(user_id,)) for user_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.expire_all()

    assert sorted(outcomes.values()) == [
        "published version 2",
        "refused: crosswalk-test version 2 from this file is already published; nothing changed",
    ], outcomes
    [winner] = [user_id for user_id, said in outcomes.items() if said.startswith("published")]
    upload = db.session.get(FrameworkUpload, upload_id)
    assert upload.published_by_id == winner
    [imported] = db.session.scalars(
        select(Framework).where(Framework.code == "crosswalk-test", Framework.version == "2")
    ).all()
    assert upload.framework_id == imported.id
    competencies = select(func.count()).where(Competency.framework_id == imported.id)
    assert db.session.scalar(competencies) == 5
    imports = select(AuditEvent).where(AuditEvent.action == "framework.imported")
    assert [(e.actor_id, e.data["version"]) for e in db.session.scalars(imports)] == [
        (None, "1"),  # the fixture's import of version 1
        (winner, "2"),
    ]
    assert audit.verify_chain().intact
