"""What the multi-source feedback tests share: an enrolled trainee with their clinical
supervisor on the NCF, raters nominated through the service, and their answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.feedback import FeedbackRound
from app.models.users import User
from app.services.feedback import rounds
from app.services.supervision import enrolments
from tests.supervision.conftest import sent_mail

LINK = re.compile(r"^https?://\S+?/feedback/([A-Za-z0-9_-]+)$", re.M)

GOOD_ANSWERS = {
    "communication": "4",
    "teamwork": "5",
    "reliability": "3",
    "safety": "4",
    "professionalism": "n/a",
    "strengths": "",
    "improvements": "",
}


@dataclass
class Setting:
    trainee: User
    supervisor: User
    enrolment: Enrolment


@pytest.fixture
def setting(app, make_user, framework) -> Setting:
    trainee = make_user(roles=("trainee",), name="Tara Trainee", email="tara@example.org")
    supervisor = make_user(roles=("supervisor",), name="Sam Supervisor", gphc="2000011")
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    return Setting(trainee, supervisor, enrolment)


def tokens_sent_to(app, address: str) -> list[str]:
    """The feedback tokens in every e-mail to `address`, oldest first."""
    found = []
    for message in sent_mail(app):
        if message["To"] == address:
            found += LINK.findall(message.get_content())
    return found


def open_round(setting: Setting, now: datetime | None = None) -> FeedbackRound:
    round_ = rounds.open_round(setting.enrolment, actor=setting.trainee, now=now)
    db.session.commit()
    return round_


def ask(app, setting: Setting, round_: FeedbackRound, role: str, n: int, now=None) -> str:
    """Nominate rater `n` in `role`; returns the token their e-mail carries."""
    email = f"{role}{n}@example.net"
    rounds.nominate(
        round_, name=f"Rater {role} {n}", email=email, role=role, actor=setting.trainee, now=now
    )
    db.session.commit()
    return tokens_sent_to(app, email)[-1]


def answer(token: str, now: datetime | None = None, **changes: str) -> None:
    rounds.respond(token, {**GOOD_ANSWERS, **changes}, now=now)
    db.session.commit()


def round_with_answers(app, setting: Setting, roles: list[str], now=None) -> FeedbackRound:
    """A round in which one rater in each of `roles` has answered."""
    round_ = open_round(setting, now)
    for n, role in enumerate(roles):
        answer(ask(app, setting, round_, role, n, now), now)
    return round_


def days_after(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)
