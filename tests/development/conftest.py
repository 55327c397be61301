"""Fixtures for the development plan: the supervision tests' trainee, supervisor and
two-competency framework, and helpers that rate, add objectives and sign in."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models.enrolments import Enrolment
from app.services.development import learning_needs, objectives
from tests.supervision.conftest import (  # noqa: F401 (fixtures)
    competency,
    enrol,
    enrolment,
    org,
    small_framework,
    supervisor,
    trainee,
)


def rate_all(enrolled: Enrolment, code: str = "not-yet"):
    """Every competency rated `code`, saved and committed."""
    analysis = learning_needs.save_ratings(
        enrolled,
        trainee=enrolled.trainee,
        ratings={c.id: code for c in learning_needs.rated_competencies(enrolled, None)},
    )
    db.session.commit()
    return analysis


def add_objective(enrolled: Enrolment, *, target_on: date, today: date, codes=("B1",)):
    objective = objectives.add_objective(
        enrolled,
        trainee=enrolled.trainee,
        description="Run the inhaler clinic on my own.",
        target_on=target_on,
        competency_ids=[competency(enrolled, code).id for code in codes],
        today=today,
    )
    db.session.commit()
    return objective


@pytest.fixture
def signed_in(app, login):
    """signed_in(user) -> a test client with that person signed in."""

    def make(user):
        client = app.test_client()
        login(client, user)
        return client

    return make
