"""The supervisor's home costs the same queries however many trainees, and however many
of them have another clinical supervisor (education supervision)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from app.demo.generate import generate_dataset
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.models import Enrolment, User

TODAY = date(2026, 3, 16)


def test_education_supervision_adds_no_query_per_trainee(framework, client, count_queries):
    generate_dataset(40, 2, seed=3, today=TODAY)
    db.session.commit()
    educating = Counter(
        db.session.scalars(
            select(Enrolment.education_supervisor_id).where(
                Enrolment.education_supervisor_id.is_not(None)
            )
        )
    )
    clinical = set(db.session.scalars(select(Enrolment.clinical_supervisor_id)))
    busiest = max(educating, key=educating.__getitem__)
    only_clinical = min(clinical - set(educating))
    assert educating[busiest] >= 2
    counts = []
    for supervisor_id in (only_clinical, busiest):
        email = db.session.get(User, supervisor_id).email
        client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        client.get("/supervision/")  # warm up
        db.session.expire_all()
        with count_queries() as queries:
            assert client.get("/supervision/").status_code == 200
        counts.append(queries.count)
        client.post("/auth/logout")
    assert counts[0] == counts[1]
