"""Fixtures for supervision: a trainee enrolled with a pharmacist supervisor, evidence in
any state reached through the real services, and the records the final sign-off needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.frameworks import Competency, Framework
from app.models.registration import Qualification, Registration
from app.models.users import User
from app.services.portfolio import evidence as evidence_service
from app.services.supervision import enrolments, reviews, signoffs
from tests.conftest import import_framework_file
from tests.evidence.conftest import TODAY, valid_answers

HERE = Path(__file__).resolve().parent


def sent_mail(app) -> list[EmailMessage]:
    """Every e-mail written to the outbox, oldest first."""
    outbox = Path(app.config["MAIL_OUTBOX"])
    paths = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [
        message_from_bytes(p.read_bytes(), policy=email_policy)  # type: ignore[misc]
        for p in paths
    ]


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fresh() -> datetime:
    """A password confirmed a moment ago."""
    return utcnow() - timedelta(seconds=5)


@pytest.fixture
def small_framework(app) -> Framework:
    return import_framework_file(HERE / "frameworks" / "two-competencies.yaml")


@pytest.fixture
def org(make_org):
    hub = make_org("Training hub", "training-hub")
    return make_org("Riverside practice", "practice", hub)


@pytest.fixture
def supervisor(make_user, org) -> User:
    return make_user(roles=("supervisor",), org=org, gphc="2000001", name="Priya Shah")


@pytest.fixture
def trainee(make_user, org) -> User:
    return make_user(roles=("trainee",), org=org, name="Sam Okafor")


@pytest.fixture
def enrol(supervisor):
    def make(trainee: User, framework: Framework, *, supervised_by: User | None = None):
        enrolment = enrolments.enrol(
            trainee, framework, supervisor=supervised_by or supervisor, started_on=date(2025, 1, 6)
        )
        db.session.commit()
        return enrolment

    return make


@pytest.fixture
def enrolment(enrol, trainee, small_framework) -> Enrolment:
    return enrol(trainee, small_framework)


def competency(enrolment: Enrolment, code: str) -> Competency:
    return db.session.scalar(
        select(Competency).where(
            Competency.framework_id == enrolment.framework_id, Competency.code == code
        )
    )


@pytest.fixture
def submitted(app):
    """submitted(enrolment, type_code, ["B1"]) -> a committed, submitted Evidence."""

    def make(enrolment: Enrolment, type_code: str, codes: list[str], **answers) -> Evidence:
        trainee = enrolment.trainee
        item = evidence_service.create_draft(
            enrolment,
            type_code,
            valid_answers(type_code, **answers),
            [(code, f"How this shows {code}") for code in codes],
            actor=trainee,
            today=TODAY,
        )
        evidence_service.submit(item, actor=trainee)
        db.session.commit()
        return item

    return make


@pytest.fixture
def accepted(submitted):
    """accepted(enrolment, type_code, ["B1"]) -> evidence accepted by the clinical supervisor."""

    def make(enrolment: Enrolment, type_code: str, codes: list[str], **answers) -> Evidence:
        item = submitted(enrolment, type_code, codes, **answers)
        reviews.record_review(
            item,
            reviewer=enrolment.clinical_supervisor,
            decision="accepted",
            comment="",
            version_number=item.current_version_number,
        )
        db.session.commit()
        return item

    return make


@pytest.fixture
def ready(accepted):
    """ready(enrolment, "B1"): enough accepted evidence for the competency's rule."""

    def make(enrolment: Enrolment, code: str) -> list[Evidence]:
        return [
            accepted(enrolment, "reflective-account", [code], title=f"Reflection on {code}"),
            accepted(enrolment, "observation", [code], title=f"Observed {code}"),
        ]

    return make


@pytest.fixture
def sign(app):
    """sign(enrolment, "B1", outcome="competent", **kw) -> a committed SignOff."""

    def make(enrolment: Enrolment, code: str, outcome: str = "competent", **kw):
        kw.setdefault("signer", enrolment.clinical_supervisor)
        kw.setdefault("comment", "Seen doing this well in clinic.")
        kw.setdefault("authenticated_at", fresh())
        record = signoffs.sign_off(
            enrolment, competency(enrolment, code), outcome_code=outcome, **kw
        )
        db.session.commit()
        return record

    return make


@pytest.fixture
def registered(app, supervisor):
    """registered(trainee, **changes): a verified, current technician registration."""

    def make(trainee: User, **changes) -> Registration:
        today = datetime.now(UTC).date()
        values = {
            "user_id": trainee.id,
            "register": "pharmacy-technician",
            "number": "5000042",
            "status": "registered",
            "registered_on": today - timedelta(days=60),
            "expires_on": today + timedelta(days=300),
            "verified_by_id": supervisor.id,
            "verified_on": today,
        }
        values.update(changes)
        registration = Registration(**values)
        db.session.add(registration)
        db.session.commit()
        return registration

    return make


@pytest.fixture
def qualified(app, supervisor):
    """qualified(trainee, **changes): an achieved, verified Level 3 qualification."""

    def make(trainee: User, **changes) -> Qualification:
        today = datetime.now(UTC).date()
        values = {
            "user_id": trainee.id,
            "kind": "l3-diploma-principles-practice",
            "awarding_body": "City & Guilds",
            "status": "achieved",
            "started_on": today - timedelta(days=700),
            "achieved_on": today - timedelta(days=30),
            "verified_by_id": supervisor.id,
            "verified_on": today,
        }
        values.update(changes)
        qualification = Qualification(**values)
        db.session.add(qualification)
        db.session.commit()
        return qualification

    return make


# --- Reading pages ---------------------------------------------------------------------


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def text_of(page: BeautifulSoup, selector: str) -> str:
    element = page.select_one(selector)
    assert element is not None, f"nothing matches {selector!r}"
    return element.get_text(" ", strip=True)


def error_summary(page: BeautifulSoup) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.select(".nhsuk-error-summary__list li")]


def banners(page: BeautifulSoup) -> str:
    return " | ".join(
        b.get_text(" ", strip=True) for b in page.select(".nhsuk-notification-banner")
    )


def table_rows(page: BeautifulSoup, selector: str) -> list[list[str]]:
    table = page.select_one(selector)
    assert table is not None, f"no {selector} on the page"
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


def make_stale(client) -> None:
    """Pretend the password was last entered long ago."""
    with client.session_transaction() as session:
        session["fresh_at"] = 0
