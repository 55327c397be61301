"""The learning needs analysis: a self-rating of every competency, then the supervisor's
comment, after which the ratings stand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.development import LearningNeedRating, LearningNeedsAnalysis
from app.services.development import learning_needs
from app.services.errors import DomainError
from app.services.supervision.access import SelfSupervision
from tests.development.conftest import rate_all
from tests.supervision.conftest import audit_actions, competency, count


def ratings_of(enrolment, **codes):
    return {competency(enrolment, code).id: value for code, value in codes.items()}


def test_rating_every_competency_saves_the_analysis_and_audits_it(enrolment):
    analysis = learning_needs.save_ratings(
        enrolment,
        trainee=enrolment.trainee,
        ratings=ratings_of(enrolment, B1="not-yet", B2="competent"),
    )
    db.session.commit()
    rated = learning_needs.rated_competencies(enrolment, learning_needs.analysis_for(enrolment.id))
    assert [(c.code, c.rating, c.rating_label) for c in rated] == [
        ("B1", "not-yet", "Not yet competent"),
        ("B2", "competent", "Competent"),
    ]
    assert audit_actions()[-1] == "learning_needs.rated"
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.subject_id == str(analysis.id)
    assert event.data["ratings"] == 2


def test_a_competency_left_unrated_is_refused_on_its_field_and_nothing_is_saved(enrolment):
    b2 = competency(enrolment, "B2")
    with pytest.raises(DomainError, match="Choose how you rate yourself for B2") as error:
        learning_needs.save_ratings(
            enrolment, trainee=enrolment.trainee, ratings=ratings_of(enrolment, B1="competent")
        )
    assert error.value.field == learning_needs.rating_field(b2.id)
    db.session.rollback()
    assert count(LearningNeedsAnalysis) == 0
    assert count(LearningNeedRating) == 0


def test_a_rating_off_the_frameworks_scale_is_refused(enrolment):
    with pytest.raises(DomainError, match="Choose how you rate yourself for B1"):
        learning_needs.save_ratings(
            enrolment,
            trainee=enrolment.trainee,
            ratings=ratings_of(enrolment, B1="excellent", B2="competent"),
        )


def test_only_the_trainee_rates_their_learning_needs(enrolment, supervisor):
    with pytest.raises(DomainError, match="Only the trainee"):
        learning_needs.save_ratings(
            enrolment,
            trainee=supervisor,
            ratings=ratings_of(enrolment, B1="competent", B2="competent"),
        )


def test_the_trainee_may_change_ratings_until_the_supervisor_comments(enrolment, supervisor):
    rate_all(enrolment, "not-yet")
    rate_all(enrolment, "competent")
    assert count(LearningNeedRating) == 2
    learning_needs.comment(enrolment, supervisor=supervisor, text="Start with B1 at clinic.")
    db.session.commit()
    analysis = learning_needs.analysis_for(enrolment.id)
    assert learning_needs.is_agreed(analysis)
    assert not learning_needs.may_rate(enrolment, analysis)
    with pytest.raises(DomainError, match="can no longer change"):
        rate_all(enrolment, "not-yet")
    db.session.rollback()
    rated = learning_needs.rated_competencies(enrolment, learning_needs.analysis_for(enrolment.id))
    assert {c.rating for c in rated} == {"competent"}


def test_the_supervisors_comment_is_saved_with_who_and_when_and_audited(enrolment, supervisor):
    rate_all(enrolment)
    learning_needs.comment(enrolment, supervisor=supervisor, text="  Focus on B2 first.  ")
    db.session.commit()
    analysis = learning_needs.analysis_for(enrolment.id)
    assert analysis.supervisor_comment == "Focus on B2 first."
    assert analysis.commented_by_id == supervisor.id
    assert analysis.commented_at is not None
    assert audit_actions()[-1] == "learning_needs.commented"


def test_there_is_nothing_to_comment_on_before_the_trainee_rates(enrolment, supervisor):
    with pytest.raises(DomainError, match="has not rated their learning needs yet"):
        learning_needs.comment(enrolment, supervisor=supervisor, text="Good start.")


def test_an_empty_comment_is_refused_on_its_field(enrolment, supervisor):
    rate_all(enrolment)
    with pytest.raises(DomainError, match="Enter your comment") as error:
        learning_needs.comment(enrolment, supervisor=supervisor, text="   ")
    assert error.value.field == "comment"


def test_only_the_trainees_supervisors_comment(enrolment, make_user, org):
    rate_all(enrolment)
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000009")
    with pytest.raises(DomainError, match="Only the trainee's supervisors"):
        learning_needs.comment(enrolment, supervisor=stranger, text="Looks fine.")


def test_nobody_comments_on_their_own_analysis(enrolment):
    rate_all(enrolment)
    with pytest.raises(SelfSupervision):
        learning_needs.comment(enrolment, supervisor=enrolment.trainee, text="Fine by me.")
