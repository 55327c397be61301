"""A small world for people imports: an organisation tree, the NCF, a cohort, a supervisor,
an administrator and a lead; and the CSV rows the tests write."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from app.extensions import db
from app.models.frameworks import Framework
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.accounts import organisations
from app.services.accounts.bulk_import import COLUMNS


@dataclass
class ImportWorld:
    hub: Organisation
    pcn: Organisation
    practice: Organisation
    elsewhere: Organisation
    framework: Framework
    cohort: Cohort
    supervisor: User
    admin: User
    lead: User


@pytest.fixture
def world(app, make_org, make_user, framework) -> ImportWorld:
    hub = make_org("North Hub", "training-hub")
    pcn = make_org("Harbour PCN", "pcn", hub)
    practice = make_org("Harbour Surgery", "practice", pcn)
    elsewhere = make_org("South Hub", "training-hub")
    cohort = organisations.create_cohort("Autumn 2026", hub, framework_id=framework.id)
    db.session.commit()
    return ImportWorld(
        hub=hub,
        pcn=pcn,
        practice=practice,
        elsewhere=elsewhere,
        framework=framework,
        cohort=cohort,
        supervisor=make_user(
            ("supervisor",), email="sam@example.org", name="Sam Okafor", org=pcn, gphc="2034567"
        ),
        admin=make_user(("admin",), email="admin@example.org", name="Alex Admin"),
        lead=make_user(("lead",), email="lead@example.org", name="Leigh Lead", org=pcn),
    )


def person(**values: str) -> dict[str, str]:
    """A row: a trainee at Harbour Surgery enrolled on the NCF with Sam, unless changed."""
    row = {
        "email": "taylor@example.org",
        "name": "Taylor Reed",
        "role": "trainee",
        "organisation": "Harbour Surgery",
        "gphc_number": "",
        "framework": "ncf-pcpt",
        "framework_version": "",
        "clinical_supervisor": "sam@example.org",
        "education_supervisor": "",
        "cohort": "Autumn 2026",
        "start_date": "",
    }
    row.update(values)
    return row


def staff(**values: str) -> dict[str, str]:
    """A row for someone who is not enrolled: no enrolment columns."""
    return person(
        **{"framework": "", "clinical_supervisor": "", "cohort": "", "role": "supervisor", **values}
    )


def csv_text(rows: list[dict[str, str]], columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def outbox_messages(app) -> list:
    folder = Path(app.config["MAIL_OUTBOX"])
    if not folder.exists():
        return []
    return [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in sorted(folder.glob("*.eml"))
    ]
