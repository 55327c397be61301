"""What adding and submitting evidence through the pages costs in SQL: the same statements
whether the trainee has logged 4 items or 84, the new item written once (its key from the
browser's script included, not in a second UPDATE), and a submission summed up without
reading the records a change to evidence cannot move (a kept competency status is written
only when it moves)."""

from __future__ import annotations

import re

from app.extensions import db
from app.models.evidence import Evidence
from tests.trainee.conftest import evidence_form


def _writes(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if re.match(rf"\s*(INSERT INTO|UPDATE) {table}\b", s)]


def _reads_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if re.match(r"\s*SELECT", s) and f" {table}" in s]


def test_creating_and_submitting_cost_the_same_with_4_or_84_items(
    client, signed_in_trainee, log_many, count_queries
):
    log_many(4)
    counts = []
    for more in (0, 80):
        log_many(more)
        form = {
            **evidence_form("reflective-account", ["D1.1", "D2.1"]),
            "client_key": f"draft-key-{more}",
        }
        with count_queries() as created:
            response = client.post("/portfolio/evidence/new/reflective-account", data=form)
        assert response.status_code == 302
        evidence_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        db.session.expire_all()
        assert db.session.get(Evidence, evidence_id).client_key == f"draft-key-{more}"
        assert len(_writes(created.statements, "evidence")) == 1  # its INSERT, and no UPDATE

        with count_queries() as submitted:
            response = client.post(f"/portfolio/evidence/{evidence_id}/submit")
        assert response.status_code == 302
        assert db.session.get(Evidence, evidence_id).status == "submitted"
        # Evidence alone changed: no registration, Level 3, pause or session is read again.
        for table in ("registrations", "qualifications", "enrolment_pauses", "supervision"):
            assert not _reads_of(submitted.statements, table), table
        # A kept competency status is written only when it moves (here: the first time
        # an item is shared for D1.1 and D2.1), in one statement.
        moved = _writes(submitted.statements, "competency_progress")
        assert len(moved) <= 1
        counts.append((created.count, submitted.count - len(moved)))
    assert counts[0] == counts[1], counts
