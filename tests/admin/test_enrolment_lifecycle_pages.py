"""Pausing, resuming, withdrawing and transferring from the admin and lead enrolment pages:
confirm pages that change nothing on GET, CSRF-protected POSTs, audit events, a lead kept
to their subtree, the status shown to the trainee, the lead and the supervisor, and the
completed and withdrawn states shown as final."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import EnrolmentPause
from app.models.signoffs import Completion
from app.services.accounts import api_tokens
from app.services.clock import uk_today
from app.services.portfolio import evidence as evidence_service
from app.services.rule_results import long_date
from app.services.supervision import enrolment_lifecycle as lifecycle
from app.services.supervision import enrolments
from tests.evidence.conftest import TODAY, valid_answers


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def text_of(page: BeautifulSoup, selector: str) -> str:
    element = page.select_one(selector)
    assert element is not None, f"no {selector} on the page"
    return element.get_text(" ", strip=True)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def blank_date(name: str) -> dict:
    return {f"{name}[day]": "", f"{name}[month]": "", f"{name}[year]": ""}


def a_date(name: str, day: date) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


@pytest.fixture
def world(make_user, make_org, framework):
    hub = make_org("North Hub", "training-hub")
    practice = make_org("Riverside Practice", "practice", hub)
    first = make_user(roles=("supervisor",), name="Sam First", org=practice, gphc="2000001")
    second = make_user(roles=("supervisor",), name="Sky Second", org=practice, gphc="2000002")
    trainee = make_user(roles=("trainee",), name="Tom Trainee", org=practice)
    enrolment = enrolments.enrol(
        trainee, framework, supervisor=first, started_on=uk_today() - timedelta(days=100)
    )
    db.session.commit()
    return {
        "hub": hub,
        "practice": practice,
        "first": first,
        "second": second,
        "trainee": trainee,
        "enrolment": enrolment,
        "admin": make_user(roles=("admin",), name="Ada Admin"),
        "lead": make_user(roles=("lead",), name="Lee Lead", org=hub),
    }


@pytest.fixture(params=["admin", "lead"])
def manager(request, world, client, login):
    """Signed in as an administrator, then as a lead of the trainee's hub."""
    user = world[request.param]
    login(client, user)
    return user


def test_pause_page_explains_and_changes_nothing_until_posted(client, manager, world, app):
    app.config["WTF_CSRF_ENABLED"] = True
    trainee = world["trainee"]
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment"))
    assert text_of(page, "#enrolment-status-value").startswith("Active")
    pause_link = page.select_one("#enrolment-actions a[href$='/enrolment/pause']")
    assert pause_link.get_text(strip=True) == "Pause training"

    page = soup(client.get(pause_link["href"]))
    assert page.h1.get_text(strip=True) == "Pause training"
    assert "do not count against the trainee's expected progress" in page.get_text()
    form = page.select_one("#pause-form")
    assert form["method"] == "post"
    assert form.select_one("input[name=csrf_token]")["value"]
    # Without the token the POST is refused and nothing changes.
    response = client.post(form["action"], data={"reason": "Leave"})
    assert response.status_code == 400
    assert world["enrolment"].status == "active"
    assert "enrolment.paused" not in audit_actions()


def test_admin_or_lead_pauses_and_resumes_with_audit_and_history(client, manager, world):
    trainee, enrolment = world["trainee"], world["enrolment"]
    paused_from = uk_today() - timedelta(days=10)
    response = client.post(
        f"/admin/trainees/{trainee.id}/enrolment/pause",
        data={
            "reason": "Parental leave",
            **a_date("paused_from", paused_from),
            **a_date("expected_return_on", uk_today() + timedelta(days=90)),
        },
    )
    assert response.status_code == 302
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment"))
    assert "Tom Trainee's training is paused from" in page.get_text()
    status = text_of(page, "#enrolment-status-value")
    assert status.startswith("Paused")
    assert "Reason: Parental leave" in status
    assert "10 days paused, so now expected to end on" in text_of(page, "#adjusted-end")
    assert "The enrolment is paused, not active" in text_of(page, "#completion-outlook")
    assert enrolment.status == "paused"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrolment.paused"))
    assert event.actor_id == manager.id
    assert event.data["reason"] == "Parental leave"

    response = client.post(
        f"/admin/trainees/{trainee.id}/enrolment/resume", data=blank_date("resumed_on")
    )
    assert response.status_code == 302
    page = soup(client.get(response.headers["Location"]))
    assert "resumed on" in page.get_text()
    assert "after 10 days paused" in page.get_text()
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in page.select("#pause-history tbody tr")
    ]
    assert [row[2:4] for row in rows] == [["10", "Parental leave"]]
    assert audit_actions()[-2:] == ["enrolment.paused", "enrolment.resumed"]


def test_a_pause_without_a_reason_is_refused_on_the_field(client, manager, world):
    trainee = world["trainee"]
    page = soup(
        client.post(
            f"/admin/trainees/{trainee.id}/enrolment/pause",
            data={"reason": "", **blank_date("paused_from"), **blank_date("expected_return_on")},
        )
    )
    assert "Enter why the training is paused" in text_of(page, ".nhsuk-error-summary")
    assert db.session.scalar(select(func.count(EnrolmentPause.id))) == 0


def test_withdrawing_is_final_and_keeps_the_evidence_read_only(client, manager, world):
    trainee = world["trainee"]
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment/withdraw"))
    assert "Withdrawing is final" in page.get_text()
    response = client.post(
        f"/admin/trainees/{trainee.id}/enrolment/withdraw", data={"reason": "Left the NHS"}
    )
    assert response.status_code == 302
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment"))
    status = text_of(page, "#enrolment-status-value")
    assert status.startswith("Withdrawn")
    assert "Reason: Left the NHS" in status
    assert f"by {manager.name}" in status
    assert "final" in text_of(page, "#enrolment-section")
    assert page.select_one("#enrolment-actions") is None
    # A new enrolment is possible; the withdrawn one stays as it was.
    assert page.select_one("#enrol-form") is not None
    assert audit_actions()[-1] == "enrolment.withdrawn"

    response = client.post(
        f"/admin/trainees/{trainee.id}/enrolment/pause",
        data={"reason": "x", **blank_date("paused_from"), **blank_date("expected_return_on")},
        follow_redirects=True,
    )
    assert "Completed and withdrawn enrolments are final" in soup(response).get_text()
    assert audit_actions()[-1] == "enrolment.withdrawn"


def test_a_lead_outside_the_subtree_gets_404_and_nothing_changes(
    client, login, make_user, make_org, world
):
    login(client, make_user(roles=("lead",), org=make_org("South Hub", "training-hub")))
    trainee = world["trainee"]
    before = audit_actions()
    for action, data in [
        ("pause", {"reason": "x", **blank_date("paused_from"), **blank_date("expected_return_on")}),
        ("resume", blank_date("resumed_on")),
        ("withdraw", {"reason": "x"}),
    ]:
        url = f"/admin/trainees/{trainee.id}/enrolment/{action}"
        assert client.get(url).status_code == 404
        assert client.post(url, data=data).status_code == 404
    assert world["enrolment"].status == "active"
    assert audit_actions() == before


def test_transfer_from_the_page_moves_the_review_queue(client, manager, world, login):
    trainee = world["trainee"]
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment"))
    assert "Transfer to another supervisor" in page.get_text()
    client.post(
        f"/admin/trainees/{trainee.id}/supervisors",
        data={"kind": "clinical", "supervisor": world["second"].id},
    )
    assert world["enrolment"].clinical_supervisor_id == world["second"].id
    # The new supervisor's list has the trainee; the old one's does not.
    login(client, world["second"])
    assert "Tom Trainee" in soup(client.get("/supervision/")).get_text()
    login(client, world["first"])
    assert "Tom Trainee" not in soup(client.get("/supervision/")).get_text()


def test_the_page_says_who_completes_and_what_remains(client, manager, world):
    page = soup(client.get(f"/admin/trainees/{world['trainee'].id}/enrolment"))
    outlook = text_of(page, "#completion-outlook")
    assert "Only the clinical supervisor signs the training off as complete" in outlook
    assert "Sam First" in outlook
    assert "is not signed off" in outlook
    # There is no way round the signer's checks from here.
    assert page.select_one("form[action$='/complete']") is None


# --- Where the status shows ----------------------------------------------------------------


def test_the_trainee_home_shows_a_paused_banner_and_still_lets_them_add(client, login, world):
    lifecycle.pause(world["enrolment"], reason="Sick leave", paused_from=None, actor=world["admin"])
    db.session.commit()
    login(client, world["trainee"])
    page = soup(client.get("/portfolio/"))
    banner = page.select_one("#enrolment-banner")
    assert banner["data-status"] == "paused"
    assert banner.select_one("svg.nhsuk-icon")  # an icon beside the words
    assert "Your training is paused" in banner.get_text()
    assert "Reason: Sick leave" in banner.get_text()
    assert page.select_one("a[href='/portfolio/evidence/new']") is not None


def test_a_withdrawn_trainee_reads_but_cannot_add(client, login, world):
    lifecycle.withdraw(world["enrolment"], reason="Left", actor=world["admin"])
    db.session.commit()
    login(client, world["trainee"])
    page = soup(client.get("/portfolio/"))
    assert "You were withdrawn from this training" in text_of(page, "#enrolment-banner")
    assert page.select_one("a[href='/portfolio/evidence/new']") is None
    assert page.find("a", string="Download your record") is not None
    for path in ("/portfolio/evidence/new", "/portfolio/evidence/new/reflective-account"):
        page = soup(client.get(path))
        assert page.h1.get_text(strip=True) == "Your portfolio is read-only"
    response = client.post("/portfolio/evidence/new/reflective-account", data={"title": "x"})
    assert soup(response).h1.get_text(strip=True) == "Your portfolio is read-only"
    assert client.get("/portfolio/evidence").status_code == 200


def test_the_lead_dashboard_and_exports_show_the_status(client, login, world):
    lifecycle.pause(
        world["enrolment"],
        reason="Leave",
        paused_from=uk_today() - timedelta(days=7),
        actor=world["admin"],
    )
    db.session.commit()
    login(client, world["lead"])
    page = soup(client.get("/lead/dashboard"))
    row = page.select_one(f"tr[data-enrolment='{world['enrolment'].id}']")
    assert "Paused" in text_of(row, "[data-column=enrolment-status]")
    assert "7 days paused not counted" in row.get_text()

    exported = client.get("/lead/exports/progress.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    header, values = rows[0], rows[1]
    # After every column the export had before (added at the end, in this order).
    added = ["Enrolment status", "Days paused", "Expected end date after pauses"]
    first = header.index("Enrolment status")
    assert header[first : first + 3] == added
    assert first > header.index("Framework")
    end = world["enrolment"].expected_end_on + timedelta(days=7)
    assert values[first : first + 3] == ["Paused", "7", end.isoformat()]

    token = api_tokens.create_token(world["lead"], "tests")
    db.session.commit()
    answer = client.get(
        "/api/v1/reports/progress", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    (item,) = answer["items"]
    assert (item["enrolment_status"], item["paused_days"]) == ("paused", 7)
    assert item["expected_end_on_after_pauses"] == end.isoformat()


def test_the_supervisor_list_shows_the_status_in_words(client, login, world):
    lifecycle.pause(world["enrolment"], reason="Leave", paused_from=None, actor=world["admin"])
    db.session.commit()
    login(client, world["first"])
    page = soup(client.get("/supervision/"))
    assert "Paused" in text_of(page, "[data-status=paused]")


def test_a_completed_trainee_home_says_the_portfolio_is_complete(client, login, world):
    # Marked complete as the final sign-off does; the completion record is tested with it.
    world["enrolment"].status = "completed"
    db.session.commit()
    login(client, world["trainee"])
    page = soup(client.get("/portfolio/"))
    assert page.h1.get_text(strip=True) == "My portfolio"
    assert "Your portfolio is complete" in text_of(page, "#enrolment-banner")
    assert "not enrolled" not in page.get_text()


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdfs_carry_the_status(client, login, world):
    enrolment = world["enrolment"]
    paused_from = uk_today() - timedelta(days=5)
    lifecycle.pause(enrolment, reason="Leave", paused_from=paused_from, actor=world["admin"])
    db.session.commit()
    login(client, world["lead"])
    portfolio = _pdf_text(client.get(f"/lead/trainees/{enrolment.id}/portfolio.pdf").data)
    assert f"Paused since {long_date(paused_from)}; 5 days paused" in portfolio
    summary = _pdf_text(client.get("/lead/exports/cohort-summary.pdf").data)
    assert "1 trainee is paused. Paused days are left out of expected progress." in summary


def test_the_lead_reaches_the_enrolment_page_from_the_trainee_summary(client, login, world):
    login(client, world["lead"])
    page = soup(client.get(f"/lead/trainees/{world['enrolment'].id}"))
    link = page.select_one("#manage-enrolment a")
    assert link["href"] == f"/admin/trainees/{world['trainee'].id}/enrolment"
    assert text_of(soup(client.get(link["href"])), "#enrolment-status-value") == "Active"


def test_a_withdrawn_trainee_reads_their_evidence_without_change_buttons(client, login, world, app):
    enrolment, trainee = world["enrolment"], world["trainee"]
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account"),
        [("D1.1", "How this shows D1.1")],
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    lifecycle.withdraw(enrolment, reason="Left", actor=world["admin"])
    db.session.commit()
    login(client, trainee)
    page = soup(client.get(f"/portfolio/evidence/{item.id}"))
    assert "kept read-only" in text_of(page, "#read-only")
    assert page.select_one(f"a[href='/portfolio/evidence/{item.id}/edit']") is None
    client.post(f"/portfolio/evidence/{item.id}/submit")
    db.session.refresh(item)
    assert item.status == "draft"


def test_a_completed_enrolment_shows_when_and_by_whom_and_is_final(client, manager, world):
    enrolment = world["enrolment"]
    # The final sign-off's record as `completion.complete` writes it (tested with it).
    db.session.add(
        Completion(
            enrolment_id=enrolment.id,
            signer_id=world["first"].id,
            signer_name="Sam First",
            signer_gphc_number="2000001",
            trainee_name="Tom Trainee",
            framework_label="NCF",
            statement="Training complete.",
            prerequisites={},
            completed_at=datetime(2027, 3, 4, 10, tzinfo=UTC),
            record_sha256="0" * 64,
        )
    )
    enrolment.status = "completed"
    db.session.commit()
    page = soup(client.get(f"/admin/trainees/{world['trainee'].id}/enrolment"))
    status = text_of(page, "#enrolment-status-value")
    assert status.startswith("Completed")
    assert "Signed off as complete on 4 March 2027 by Sam First" in status
    assert page.select_one("#enrolment-actions") is None
    assert page.select_one("#completion-outlook") is None
    response = client.post(
        f"/admin/trainees/{world['trainee'].id}/enrolment/withdraw",
        data={"reason": "x"},
        follow_redirects=True,
    )
    assert "enrolment is completed. Completed and withdrawn" in soup(response).get_text()
    assert enrolment.status == "completed"
