"""Supervision pages, read as a person reads them: through the rendered HTML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string
from sqlalchemy import select

from app.extensions import db
from app.models.evidence import Evidence
from app.models.notifications import Notification
from app.models.signoffs import SignOff
from app.services.clock import uk_today
from app.services.portfolio import evidence as evidence_service
from tests.evidence.conftest import TODAY, valid_answers
from tests.supervision.conftest import (
    banners,
    competency,
    count,
    error_summary,
    make_stale,
    soup,
    table_rows,
    text_of,
)


@pytest.fixture
def as_supervisor(app, login, supervisor):
    client = app.test_client()
    login(client, supervisor)
    return client


@pytest.fixture
def as_trainee(app, login, trainee):
    client = app.test_client()
    login(client, trainee)
    return client


def review_path(item: Evidence) -> str:
    return f"/supervision/evidence/{item.id}/review"


def sign_off_path(enrolment, code: str) -> str:
    competency_id = competency(enrolment, code).id
    return f"/supervision/enrolments/{enrolment.id}/competencies/{competency_id}/sign-off"


# --- The journey a new supervisor takes ------------------------------------------------------


def test_queue_review_changes_edit_accept_and_sign_off(
    app, as_supervisor, as_trainee, enrolment, submitted, accepted, trainee, login, supervisor
):
    item = submitted(enrolment, "reflective-account", ["B1"], title="Inhaler clinic reflection")

    # The queue shows what waits, and for how long.
    home = soup(as_supervisor.get("/supervision/"))
    assert table_rows(home, "#review-queue") == [
        ["Inhaler clinic reflection", "Sam Okafor", "Reflective account", _today(), "Today"]
    ]
    assert table_rows(home, "#trainees")[0][0] == "Sam Okafor"

    # The review page shows the evidence and where its competency stands.
    page = soup(as_supervisor.get(review_path(item)))
    assert page.h1.get_text(strip=True) == "Inhaler clinic reflection"
    assert "Written answer for" in text_of(page, "main")
    linked = table_rows(page, "#linked-competencies")
    assert linked[0][0] == "B1 Explains how to use an inhaler"
    assert linked[0][2].startswith("In progress 0 accepted items of 2 needed; needs 2 more")
    assert text_of(page, "#review-history") == "Not reviewed yet."

    # Asking for changes without saying which is refused, on the comment field.
    refused = as_supervisor.post(review_path(item), data={"decision": "changes_requested"})
    assert refused.status_code == 200
    assert error_summary(soup(refused)) == ["Say what the trainee needs to change"]
    assert db.session.get(Evidence, item.id).status == "submitted"

    sent_back = as_supervisor.post(
        review_path(item),
        data={
            "decision": "changes_requested",
            "comment": "Add what you will do next time.",
            "version": "1",
        },
    )
    assert sent_back.status_code == 302
    home = soup(as_supervisor.get(sent_back.headers["Location"]))
    assert "sent back for changes" in banners(home)
    assert text_of(home, "#queue-count") == "Nothing is waiting for your review."

    # The trainee is told, sees the count in the header, and revises the item.
    trainee_page = soup(as_trainee.get("/notifications/"))
    assert "asked for changes to “Inhaler clinic reflection”" in text_of(
        trainee_page, "#notifications"
    )
    assert "Notifications (1 unread)" in text_of(trainee_page, "header")
    db.session.expire_all()
    item = db.session.get(Evidence, item.id)
    evidence_service.edit(
        item,
        valid_answers("reflective-account", title="Inhaler clinic reflection, revised"),
        [("B1", "Shows it")],
        actor=trainee,
        today=TODAY,
    )
    evidence_service.submit(item, actor=trainee)
    db.session.commit()

    # Back in the queue as version 2; accepted this time.
    home = soup(as_supervisor.get("/supervision/"))
    assert (
        table_rows(home, "#review-queue")[0][0] == "Inhaler clinic reflection, revised (version 2)"
    )
    accepted_response = as_supervisor.post(
        review_path(item), data={"decision": "accepted", "comment": "", "version": "2"}
    )
    assert accepted_response.status_code == 302
    history = soup(as_supervisor.get(review_path(item))).select("#review-history li")
    assert [(li["data-decision"], text_of(li, ".app-review__version")) for li in history] == [
        ("accepted", "version 2"),
        ("changes_requested", "version 1"),
    ]

    # An observation makes B1 ready; the record offers the sign-off.
    accepted(enrolment, "observation", ["B1"], title="Observed inhaler check")
    record = soup(as_supervisor.get(f"/supervision/enrolments/{enrolment.id}"))
    row = record.select_one('tr[data-competency="B1"]')
    assert "Ready for sign-off" in row.get_text()
    assert row.select_one("a")["href"] == sign_off_path(enrolment, "B1")

    # Signing needs the password again, then comes straight back.
    make_stale(as_supervisor)
    to_confirm = as_supervisor.get(sign_off_path(enrolment, "B1"))
    assert to_confirm.status_code == 302
    assert to_confirm.headers["Location"].startswith("/auth/confirm?next=")
    back = as_supervisor.post(
        to_confirm.headers["Location"], data={"password": "correct horse battery"}
    )
    assert back.headers["Location"] == sign_off_path(enrolment, "B1")

    form = soup(as_supervisor.get(back.headers["Location"]))
    assert [i["value"] for i in form.select('input[name="outcome"]')] == ["not-yet", "competent"]
    assert [r[0] for r in table_rows(form, "#relied-on")] == [
        "Inhaler clinic reflection, revised",
        "Observed inhaler check",
    ]
    assert "I confirm that Sam Okafor is competent in B1" in text_of(form, "#declaration")
    signed = as_supervisor.post(
        back.headers["Location"],
        data={"outcome": "competent", "comment": "Teaches technique clearly and checks back."},
    )
    assert signed.status_code == 302
    detail = soup(as_supervisor.get(signed.headers["Location"]))
    assert text_of(detail, "#sign-off-signer") == ("Priya Shah, GPhC registration number 2000001")
    assert text_of(detail, "#sign-off-outcome") == "Competent"
    versions = table_rows(detail, "#relied-on")
    assert [row[1] for row in versions] == ["2", "1"]
    record_row = db.session.scalar(select(SignOff))
    assert [row[2] for row in versions] == [
        v["content_sha256"] for v in record_row.evidence_versions
    ]
    assert text_of(detail, "#sign-off-digest") == record_row.record_sha256

    # The trainee sees it signed off on their supervision record.
    mine = soup(as_trainee.get(f"/supervision/enrolments/{enrolment.id}"))
    assert mine.h1.get_text(strip=True) == "My supervision record"
    assert "Signed off" in mine.select_one('tr[data-competency="B1"]').get_text()


def _today() -> str:
    now = datetime.now(UTC)
    return f"{now.day} {now:%B %Y}"


# --- The queue ---------------------------------------------------------------------------


def test_a_long_review_queue_is_shown_a_page_at_a_time(
    app, as_supervisor, enrolment, submitted, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    titles = [f"Reflection {n}" for n in range(1, 4)]
    for title in titles:
        submitted(enrolment, "reflective-account", ["B1"], title=title)
    first = soup(as_supervisor.get("/supervision/"))
    second = soup(as_supervisor.get("/supervision/?page=2"))
    assert text_of(first, "#queue-count") == (
        "3 evidence items waiting, oldest first. Showing 1 to 2."
    )
    assert [row[0] for row in table_rows(first, "#review-queue")] == titles[:2]
    assert [row[0] for row in table_rows(second, "#review-queue")] == titles[2:]
    assert text_of(second, "#queue-count").endswith("Showing 3 to 3.")
    # The trainees table counts everything waiting, not only the page shown.
    assert table_rows(second, "#trainees")[0][3] == "3"
    next_link = first.select_one("a.nhsuk-pagination__next")
    assert next_link is not None
    assert next_link["href"] == "/supervision/?page=2#queue-heading"


def test_the_review_queue_costs_the_same_queries_for_2_or_8_items(
    app, as_supervisor, enrolment, enrol, make_user, org, small_framework, submitted, count_queries
):
    others = [enrol(make_user(roles=("trainee",), org=org), small_framework) for _ in range(3)]
    as_supervisor.get("/supervision/")  # warm up: templates compiled, first-request work done
    counts = []
    for target in (2, 8):
        while len(db.session.scalars(select(Evidence.id)).all()) < target:
            n = len(db.session.scalars(select(Evidence.id)).all())
            submitted(([enrolment, *others])[n % 4], "reflective-account", ["B1"])
        db.session.expire_all()
        with count_queries() as queries:
            page = soup(as_supervisor.get("/supervision/"))
        assert len(table_rows(page, "#review-queue")) == target
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_another_supervisors_trainee_evidence_is_not_found(
    app, login, enrolment, submitted, make_user, org
):
    item = submitted(enrolment, "reflective-account", ["B1"])
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    client = app.test_client()
    login(client, stranger)
    assert client.get(review_path(item)).status_code == 404
    assert client.post(review_path(item), data={"decision": "accepted"}).status_code == 404
    assert db.session.get(Evidence, item.id).status == "submitted"


def test_a_stale_review_form_is_refused_with_a_message(as_supervisor, enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    page = as_supervisor.post(
        review_path(item), data={"decision": "accepted", "comment": "", "version": "7"}
    )
    assert "changed since you opened it" in " ".join(error_summary(soup(page)))
    # The page now shows version 1, so the form carries version 1 for the next decision.
    assert soup(page).select_one('#review-form input[name="version"]')["value"] == "1"


def test_the_review_history_partial_shows_each_decision(app, enrolment, submitted, supervisor):
    from app.services.supervision import reviews

    item = submitted(enrolment, "reflective-account", ["B1"])
    reviews.record_review(
        item,
        reviewer=supervisor,
        decision="changes_requested",
        comment="Line one\nLine two",
        version_number=1,
    )
    db.session.commit()
    with app.test_request_context():
        html = render_template_string('{% include "reviews/_history.jinja" %}', evidence=item)
    page = soup(type("R", (), {"data": html.encode()}))
    entry = page.select_one("#review-history li")
    assert text_of(entry, ".nhsuk-tag") == "Changes requested"
    assert text_of(entry, ".app-review__reviewer") == "Priya Shah"
    assert text_of(entry, ".app-review__version") == "version 1"
    assert [p.get_text() for p in entry.select(".app-review__comment p")] == [
        "Line one",
        "Line two",
    ]


# --- Sign-off pages ------------------------------------------------------------------


def test_a_not_ready_competency_asks_for_a_justification_shown_with_the_sign_off(
    as_supervisor, as_trainee, enrolment, accepted
):
    accepted(enrolment, "reflective-account", ["B1"])
    page = soup(as_supervisor.get(sign_off_path(enrolment, "B1")))
    assert "needs an observed assessment" in text_of(page, "#unmet-rule").lower()
    refused = as_supervisor.post(
        sign_off_path(enrolment, "B1"), data={"outcome": "competent", "comment": "Good."}
    )
    assert refused.status_code == 200
    assert "B1 is not ready for sign-off" in error_summary(soup(refused))[0]
    assert count(SignOff) == 0

    signed = as_supervisor.post(
        sign_off_path(enrolment, "B1"),
        data={
            "outcome": "competent",
            "comment": "Good.",
            "override_justification": "Observed weekly in clinic; the form was lost.",
        },
    )
    assert signed.status_code == 302
    detail = soup(as_trainee.get(signed.headers["Location"]))
    assert "Observed weekly in clinic; the form was lost." in text_of(detail, "#sign-off-override")
    record = soup(as_trainee.get(f"/supervision/enrolments/{enrolment.id}"))
    override = record.select_one('tr[data-competency="B1"] .app-override')
    assert "Justification: Observed weekly in clinic; the form was lost." in override.get_text()


def test_a_stale_login_posting_a_sign_off_is_sent_to_confirm_and_nothing_is_signed(
    as_supervisor, enrolment, ready
):
    ready(enrolment, "B1")
    make_stale(as_supervisor)
    response = as_supervisor.post(
        sign_off_path(enrolment, "B1"), data={"outcome": "competent", "comment": "Good."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/confirm?next=")
    assert count(SignOff) == 0


def test_only_the_clinical_supervisor_reaches_the_sign_off_page(
    app, login, enrolment, ready, make_user, org, as_trainee
):
    ready(enrolment, "B1")
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    client = app.test_client()
    login(client, stranger)
    assert client.get(sign_off_path(enrolment, "B1")).status_code == 404
    assert as_trainee.get(sign_off_path(enrolment, "B1")).status_code == 403


def test_an_already_signed_competency_leads_to_its_sign_off(as_supervisor, enrolment, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    response = as_supervisor.get(sign_off_path(enrolment, "B1"))
    assert response.headers["Location"] == f"/supervision/sign-offs/{record.id}"


def test_revoking_from_the_page_needs_a_reason_and_shows_it(
    as_supervisor, as_trainee, enrolment, ready, sign
):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    path = f"/supervision/sign-offs/{record.id}/revoke"
    assert "Revoke this sign-off" in text_of(
        soup(as_supervisor.get(f"/supervision/sign-offs/{record.id}")), "main"
    )
    refused = as_supervisor.post(path, data={"reason": ""})
    assert error_summary(soup(refused)) == ["Say why you are revoking this sign-off"]
    done = as_supervisor.post(path, data={"reason": "Observation was of another trainee."})
    assert done.status_code == 302
    detail = soup(as_trainee.get(done.headers["Location"]))
    assert text_of(detail, "#revocation-reason") == "Observation was of another trainee."
    record_page = soup(as_trainee.get(f"/supervision/enrolments/{enrolment.id}"))
    assert "Observation was of another trainee." in text_of(record_page, "#revoked-sign-offs")
    assert "Ready for sign-off" in record_page.select_one('tr[data-competency="B1"]').get_text()


# --- Final sign-off pages -------------------------------------------------------------------


def test_the_final_sign_off_page_lists_what_is_missing(as_supervisor, enrolment):
    page = soup(as_supervisor.get(f"/supervision/enrolments/{enrolment.id}/complete"))
    items = [li.get_text(strip=True) for li in page.select("#unmet-prerequisites li")]
    assert items[:2] == [
        "B1 Explains how to use an inhaler is not signed off",
        "B2 Reconciles medicines on discharge is not signed off",
    ]
    assert "No Level 3 qualification is recorded" in items
    assert page.select_one("#complete-form") is None


def test_completing_then_the_trainee_downloads_the_statement(
    as_supervisor, as_trainee, enrolment, ready, sign, registered, qualified, trainee
):
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    registered(trainee)
    qualified(trainee)
    path = f"/supervision/enrolments/{enrolment.id}/complete"
    assert soup(as_supervisor.get(path)).select_one("#complete-form") is not None
    done = as_supervisor.post(path)
    assert done.status_code == 302

    record = soup(as_trainee.get(f"/supervision/enrolments/{enrolment.id}"))
    assert text_of(record, "#enrolment-status") == "Completed"
    link = record.select_one("#completion-record a")
    download = as_trainee.get(link["href"])
    assert download.status_code == 200
    assert download.mimetype == "text/plain"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="completion-statement-{enrolment.id}.txt"'
    )
    assert "Trainee:    Sam Okafor" in download.get_data(as_text=True)


def test_without_a_completion_the_statement_link_explains(as_trainee, enrolment):
    response = as_trainee.get(f"/supervision/enrolments/{enrolment.id}/completion-statement")
    assert response.status_code == 302
    page = soup(as_trainee.get(response.headers["Location"]))
    assert "no completion statement yet" in banners(page)


# --- Sessions ---------------------------------------------------------------------------------


def test_recording_a_session_shows_it_to_the_trainee_with_months_missed(
    as_supervisor, as_trainee, enrolment
):
    path = f"/supervision/enrolments/{enrolment.id}/sessions/new"
    refused = as_supervisor.post(path, data={"topics": "", "duration_minutes": ""})
    assert error_summary(soup(refused)) == [
        "Enter the date of the session",
        "Enter how long the session lasted, in minutes",
        "Enter the topics you discussed",
    ]
    done = as_supervisor.post(
        path,
        data={
            "held_on[day]": "4",
            "held_on[month]": "2",
            "held_on[year]": "2025",
            "duration_minutes": "40",
            "topics": "Discharge letters",
            "agreed_actions": "Audit five discharges",
        },
    )
    assert done.status_code == 302
    page = soup(as_trainee.get(f"/supervision/enrolments/{enrolment.id}"))
    assert table_rows(page, "#session-list") == [
        [
            "4 February 2025",
            "40 minutes",
            "Discharge letters",
            "Audit five discharges",
            "Priya Shah",
        ]
    ]
    missed = text_of(page, "#missed-months")
    assert missed.startswith("January 2025, March 2025")
    assert "February 2025" not in missed


def test_the_lead_sees_months_without_sessions_across_the_organisation(
    app, login, enrolment, make_user, org
):
    lead = make_user(roles=("lead",), org=org.parent)
    client = app.test_client()
    login(client, lead)
    page = soup(client.get("/supervision/sessions"))
    rows = table_rows(page, "#session-overview")
    assert rows[0][:4] == ["Sam Okafor", "Priya Shah", "0", "None yet"]
    assert rows[0][4].split(" ", 1)[1].startswith("January 2025, February 2025")
    assert client.get(f"/supervision/enrolments/{enrolment.id}").status_code == 200


def test_a_lead_elsewhere_and_an_admin_cannot_see_the_record(
    app, login, enrolment, make_user, make_org
):
    elsewhere = make_user(roles=("lead",), org=make_org("Elsewhere", "training-hub"))
    admin = make_user(roles=("admin",))
    for person, status in ((elsewhere, 404), (admin, 403)):
        client = app.test_client()
        login(client, person)
        assert client.get(f"/supervision/enrolments/{enrolment.id}").status_code == status


# --- Notifications --------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    as_trainee, trainee, enrolment, accepted
):
    accepted(enrolment, "reflective-account", ["B1"])
    page = soup(as_trainee.get("/notifications/"))
    assert text_of(page, "#notification-summary") == "You have 1 unread notification."
    form = page.select_one("#notifications form")
    response = as_trainee.post(form["action"])
    assert response.status_code == 302
    note = db.session.scalar(select(Notification))
    assert note.read_at is not None
    assert response.headers["Location"] == note.link
    page = soup(as_trainee.get("/notifications/"))
    assert text_of(page, "#notification-summary") == "You have no unread notifications."
    assert (
        page.select_one('header a[href="/notifications/"]').get_text(strip=True) == "Notifications"
    )


def test_mark_all_read_and_someone_elses_notification_is_not_found(
    as_trainee, as_supervisor, trainee, enrolment, accepted
):
    accepted(enrolment, "reflective-account", ["B1"])
    accepted(enrolment, "observation", ["B1"])
    note_id = db.session.scalar(select(Notification.id))
    assert as_supervisor.post(f"/notifications/{note_id}/read").status_code == 404
    assert as_trainee.post("/notifications/read-all").status_code == 302
    assert all(n.read_at for n in db.session.scalars(select(Notification)))


def test_a_session_date_in_the_future_is_refused_on_its_field(as_supervisor, enrolment):
    tomorrow = uk_today() + timedelta(days=2)
    response = as_supervisor.post(
        f"/supervision/enrolments/{enrolment.id}/sessions/new",
        data={
            "held_on[day]": str(tomorrow.day),
            "held_on[month]": str(tomorrow.month),
            "held_on[year]": str(tomorrow.year),
            "duration_minutes": "30",
            "topics": "Plans",
        },
    )
    assert error_summary(soup(response)) == ["The date of the session must be today or in the past"]


def test_the_supervisor_downloads_a_file_of_the_evidence_under_review(
    app, as_supervisor, enrolment, trainee, make_user, org, login
):
    import io

    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account"),
        [("B1", "")],
        actor=trainee,
        today=TODAY,
    )
    attachment = evidence_service.add_attachment(
        item,
        io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
        "clinic notes.pdf",
        actor=trainee,
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    evidence_service.submit(item, actor=trainee)
    db.session.commit()

    page = soup(as_supervisor.get(review_path(item)))
    link = page.select_one("#attachments a")
    assert link.get_text(strip=True) == "clinic notes.pdf"
    download = as_supervisor.get(link["href"])
    assert download.status_code == 200
    assert download.data == b"%PDF-1.4\n%%EOF\n"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    download.close()

    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    client = app.test_client()
    login(client, stranger)
    assert client.get(link["href"]).status_code == 404
    assert attachment.id


def test_my_record_takes_the_trainee_to_their_current_enrolment(as_trainee, enrolment):
    response = as_trainee.get("/supervision/my-record")
    assert response.headers["Location"] == f"/supervision/enrolments/{enrolment.id}"
