"""Feedback rounds in the trainee's portable record (counts, never who) and after the
trainee is erased (raters and answers gone, the round's dates and outcome kept)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.feedback import FeedbackRater, FeedbackResponse, FeedbackRound
from app.models.one_time_links import OneTimeLink
from app.services.feedback import decisions
from app.services.privacy import erasure
from app.services.privacy.portable_record import portable_record
from tests.feedback.conftest import round_with_answers


def test_the_portable_record_counts_rounds_and_names_no_rater(app, setting, make_user):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse"])
    decisions.close(round_, outcome="invalid", reason="Two answers.", actor=setting.supervisor)
    db.session.commit()
    record, _ = portable_record(
        setting.trainee, upload_dir=app.config["UPLOAD_DIR"], generated_at=utcnow()
    )
    rounds = record["enrolments"][0]["feedback_rounds"]
    assert [(r["status"], r["people_asked"], r["answers"]) for r in rounds] == [("invalid", 2, 2)]
    assert rounds[0]["reason_not_valid"] == "Two answers."
    text = json.dumps(record, default=str)
    assert "example.net" not in text
    assert "Rater" not in text


def test_erasing_the_trainee_deletes_raters_and_answers(app, setting, make_user):
    round_with_answers(app, setting, ["pharmacist", "nurse", "gp"])
    admin = make_user(roles=("admin",))
    result = erasure.erase_person(setting.trainee, actor=admin)
    db.session.commit()
    assert result.counts["msf_raters"] == 3
    assert result.counts["msf_responses"] == 3
    assert db.session.scalar(select(func.count()).select_from(FeedbackRater)) == 0
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(OneTimeLink)) == 0
    round_ = db.session.scalar(select(FeedbackRound))
    assert (round_.status, round_.close_reason) == ("invalid", "[erased]")
