"""The feedback pages: the trainee's (counts only), the rater's questionnaire from the
e-mailed link, and the supervisor's progress, decisions and release."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.evidence import Evidence
from app.models.feedback import FeedbackRound
from app.services.feedback import decisions
from app.services.frameworks.validation import validate_framework_file
from app.services.supervision import enrolments
from tests.conftest import ROOT, import_framework_file
from tests.feedback.conftest import answer, ask, open_round, round_with_answers, tokens_sent_to

RATER_NAMES = ["Rater pharmacist 0", "Rater nurse 1", "Rater gp 2"]
RATER_EMAILS = ["pharmacist0@example.net", "nurse1@example.net", "gp2@example.net"]


def signed_in(app, login, user):
    client = app.test_client()
    login(client, user)
    return client


def form_answers(**changes):
    return {
        "communication": "4",
        "teamwork": "5",
        "reliability": "3",
        "safety": "4",
        "professionalism": "5",
        "strengths": "",
        "improvements": "",
        **changes,
    }


def test_a_trainee_opens_a_round_and_asks_a_colleague(app, login, setting):
    client = signed_in(app, login, setting.trainee)
    page = client.get("/portfolio/feedback").get_data(as_text=True)
    assert "at least 3 colleagues must answer (about 10 is better)" in page
    response = client.post("/portfolio/feedback/open")
    assert response.headers["Location"].endswith("/portfolio/feedback/ask")
    response = client.post(
        "/portfolio/feedback/ask",
        data={"name": "Nia Nurse", "email": "nia@example.net", "role": "nurse"},
    )
    assert response.status_code == 302
    assert len(tokens_sent_to(app, "nia@example.net")) == 1
    again = client.post(
        "/portfolio/feedback/ask",
        data={"name": "Nia Nurse", "email": "NIA@example.net", "role": "nurse"},
    ).get_data(as_text=True)
    assert "You have already asked this person in this round" in again


def test_the_rater_answers_once_through_the_link(app, setting):
    round_ = open_round(setting)
    token = ask(app, setting, round_, "nurse", 1)
    client = app.test_client()
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    text = page.get_data(as_text=True)
    assert "Feedback for Tara Trainee" in text
    inset = BeautifulSoup(text, "html.parser").select_one(".nhsuk-inset-text")
    assert (
        inset.select_one("p")
        .get_text()
        .startswith("Your answers are anonymous. Tara Trainee never sees who said what")
    )
    assert "<p>" not in inset.get_text()
    missing = client.post(f"/feedback/{token}", data=form_answers(safety=""))
    assert "Choose a rating for: Works safely" in missing.get_data(as_text=True)
    done = client.post(f"/feedback/{token}", data=form_answers(strengths="Calm with patients."))
    assert "Thank you: your feedback is sent" in done.get_data(as_text=True)
    twice = client.post(f"/feedback/{token}", data=form_answers())
    assert twice.status_code == 410
    assert "You have already given your feedback" in twice.get_data(as_text=True)


def test_the_link_is_refused_after_the_window(app, setting):
    start = utcnow() - timedelta(days=28, minutes=1)
    round_ = open_round(setting, start)
    token = ask(app, setting, round_, "nurse", 1, now=start)
    page = app.test_client().get(f"/feedback/{token}")
    assert page.status_code == 410
    assert "This feedback request has closed" in page.get_data(as_text=True)
    assert "Feedback for" not in page.get_data(as_text=True)


def test_the_trainee_sees_counts_never_who_was_asked_or_answered(app, login, setting):
    round_ = round_with_answers(app, setting, ["pharmacist", "nurse"])
    ask(app, setting, round_, "gp", 2)
    page = signed_in(app, login, setting.trainee).get("/portfolio/feedback")
    text = page.get_data(as_text=True)
    assert '<dd class="nhsuk-summary-list__value" id="msf-answered">2 of 3</dd>' in text
    for word in [*RATER_NAMES, *RATER_EMAILS, "Rater"]:
        assert word not in text


def test_the_supervisor_is_refused_closing_one_rater_short_as_valid(app, login, setting):
    round_with_answers(app, setting, ["pharmacist", "nurse"])
    client = signed_in(app, login, setting.supervisor)
    url = f"/supervision/enrolments/{setting.enrolment.id}/feedback"
    progress = client.get(url).get_data(as_text=True)
    assert "So far the round needs 1 more response in all (2 of at least 3)." in progress
    refused = client.post(f"{url}/close", data={"outcome": "valid"})
    text = refused.get_data(as_text=True)
    assert (
        "This round cannot be closed as valid: it needs 1 more response in all (2 of at least 3)."
    ) in text
    assert db.session.scalar(select(FeedbackRound.status)) == "open"
    closed = client.post(f"{url}/close", data={"outcome": "invalid", "reason": "Two answers."})
    assert closed.status_code == 302
    trainee_page = signed_in(app, login, setting.trainee).get("/portfolio/feedback")
    assert "Closed as not valid: Two answers." in trainee_page.get_data(as_text=True)


def test_a_released_report_is_accepted_evidence_that_names_nobody(app, login, setting):
    round_ = open_round(setting)
    comments = ["Zealous about safety.", "always helpful", "Makes time for patients."]
    for n, (role, text) in enumerate(zip(["pharmacist", "nurse", "gp"], comments, strict=True)):
        answer(ask(app, setting, round_, role, n), strengths=text, communication=str(n + 3))
    client = signed_in(app, login, setting.supervisor)
    url = f"/supervision/enrolments/{setting.enrolment.id}/feedback"
    assert client.post(f"{url}/close", data={"outcome": "valid"}).status_code == 302
    preview = client.get(url).get_data(as_text=True)
    assert "Report waiting to be released" in preview
    assert client.post(f"{url}/release").status_code == 302
    item = db.session.scalar(select(Evidence))
    assert (item.status, item.evidence_type.code) == ("accepted", "msf")
    trainee = signed_in(app, login, setting.trainee)
    report = trainee.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    # Alphabetical, not the order they came in.
    positions = [report.index(c) for c in sorted(comments, key=str.casefold)]
    assert positions == sorted(positions)
    assert "Combined feedback from 3 colleagues." in report
    archive = zipfile.ZipFile(io.BytesIO(trainee.get("/portfolio/record.zip").data))
    exported = " ".join(archive.read(n).decode(errors="replace") for n in archive.namelist())
    assert "Zealous about safety." in exported
    for word in [*RATER_NAMES, *RATER_EMAILS, "pharmacist0", "Rater"]:
        assert word not in report
        assert word not in exported


def test_a_framework_without_the_rule_has_no_rounds(app, login, make_user):
    minimal = ROOT / "tests" / "framework_files" / "good" / "minimal.yaml"
    assert validate_framework_file(minimal).spec.msf is None
    framework = import_framework_file(minimal)
    trainee = make_user(roles=("trainee",))
    supervisor = make_user(roles=("supervisor",), gphc="2000012")
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    page = signed_in(app, login, trainee).get("/portfolio/feedback").get_data(as_text=True)
    assert "Your framework does not use multi-source feedback rounds" in page
    refused = signed_in(app, login, trainee).post("/portfolio/feedback/open", follow_redirects=True)
    assert "Your framework does not use multi-source feedback rounds" in refused.get_data(
        as_text=True
    )
    supervisor_page = signed_in(app, login, supervisor).get(
        f"/supervision/enrolments/{enrolment.id}/feedback"
    )
    assert "does not use multi-source feedback rounds" in supervisor_page.get_data(as_text=True)


def test_another_supervisor_cannot_decide(app, login, setting, make_user):
    round_with_answers(app, setting, ["pharmacist", "nurse", "gp"])
    stranger = make_user(roles=("supervisor",), gphc="2000013")
    client = signed_in(app, login, stranger)
    url = f"/supervision/enrolments/{setting.enrolment.id}/feedback"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/close", data={"outcome": "valid"}).status_code == 404
    assert db.session.scalar(select(FeedbackRound.status)) == "open"
    assert decisions  # the service refuses too: see test_rounds


def test_the_feedback_pages_query_the_same_however_many_rounds(app, login, setting, count_queries):
    def closed_round(days_ago: int) -> None:
        start = utcnow() - timedelta(days=days_ago)
        round_ = round_with_answers(app, setting, ["pharmacist"], now=start)
        decisions.close(round_, outcome="invalid", reason="Short.", actor=setting.supervisor)
        db.session.commit()

    trainee = signed_in(app, login, setting.trainee)
    supervisor = signed_in(app, login, setting.supervisor)
    pages = [
        (trainee, "/portfolio/feedback"),
        (supervisor, f"/supervision/enrolments/{setting.enrolment.id}/feedback"),
    ]

    def counts() -> list[int]:
        found = []
        for client, url in pages:
            with count_queries() as q:
                assert client.get(url).status_code == 200
            found.append(q.count)
        return found

    closed_round(300)
    one = counts()
    closed_round(200)
    closed_round(100)
    assert counts() == one
