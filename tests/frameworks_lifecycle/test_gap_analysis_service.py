"""Signing the gap analysis, through the service: the signer's own registration must
stand on the day, as for a sign-off; the record cannot be changed afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models.crosswalk import FrameworkMove, GapAnalysisSignature
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.framework_moves import gap_analysis
from app.services.framework_moves.moving import move_trainees
from app.services.registration.gphc import current_registration
from tests.supervision.conftest import fresh


@pytest.fixture
def move(on_v1, v1, v2) -> FrameworkMove:
    move_trainees(v1, v2, actor=None)
    db.session.commit()
    return db.session.scalar(select(FrameworkMove))


def test_a_signer_whose_registration_has_expired_cannot_sign(move, supervisor):
    current_registration(supervisor.id).expires_on = uk_today() - timedelta(days=1)
    db.session.commit()

    with pytest.raises(DomainError, match="registration"):
        gap_analysis.sign_gap_analysis(
            move, signer=supervisor, comment="Fine.", authenticated_at=fresh()
        )
    db.session.rollback()
    assert db.session.scalar(select(GapAnalysisSignature)) is None


def test_a_signed_gap_analysis_cannot_be_changed(move, supervisor):
    record = gap_analysis.sign_gap_analysis(
        move, signer=supervisor, comment="Sign off M1 again.", authenticated_at=fresh()
    )
    db.session.commit()

    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            text("UPDATE gap_analysis_signatures SET comment = 'changed' WHERE id = :id"),
            {"id": record.id},
        )
    db.session.rollback()
