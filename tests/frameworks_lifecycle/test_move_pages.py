"""The pages: a lead previews a move (nothing changes), then confirms it; the trainee's
record links to what changed; the clinical supervisor signs the gap analysis with a
fresh password, a digest and an audit event; a carried sign-off says where it came from."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.crosswalk import FrameworkMove, GapAnalysisSignature, SignOffCarryOver
from app.models.enrolments import Enrolment
from app.services.accounts import api_tokens
from app.services.framework_moves.gap_analysis import signature_digest
from app.services.framework_moves.moving import move_trainees
from tests.supervision.conftest import error_summary, make_stale, soup, text_of

MOVE = "crosswalk-test@1>crosswalk-test@2"


@pytest.fixture
def lead(make_user, org):
    return make_user(roles=("lead",), org=org.parent, name="Lee Lead")


@pytest.fixture
def as_lead(app, login, lead):
    client = app.test_client()
    login(client, lead)
    return client


@pytest.fixture
def as_supervisor(app, login, supervisor):
    client = app.test_client()
    login(client, supervisor)
    return client


@pytest.fixture
def moved(on_v1, v1, v2, accepted, sign):
    accepted(on_v1, "reflective-account", ["A1", "A4"], title="Inhaler and adherence")
    accepted(on_v1, "observation", ["A1"], title="Observed inhaler")
    sign(on_v1, "A1")
    move_trainees(v1, v2, actor=None)
    db.session.commit()
    return db.session.scalar(select(FrameworkMove))


def test_a_lead_previews_then_confirms_a_cohort_move(as_lead, on_v1, v2, cohort, accepted, sign):
    accepted(on_v1, "reflective-account", ["A2"], title="Query")
    accepted(on_v1, "observation", ["A2"], title="Observed query")
    sign(on_v1, "A2")
    form = as_lead.get("/lead/framework-moves")
    options = [o.get_text() for o in soup(form).select("#move option")]
    assert "Crosswalk test framework: version 1 to version 2" in options

    preview = soup(as_lead.post("/lead/framework-moves", data={"move": MOVE, "cohort": cohort.id}))

    assert text_of(preview, "#preview-summary") == "1 trainee would move. Nothing has changed yet."
    rows = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in preview.select(".nhsuk-summary-list__row")
    }
    assert rows["Needs a new sign-off"] == "M1"
    assert rows["New competency"] == "N1"
    assert rows["Ended"] == "A5"
    assert db.session.scalar(select(FrameworkMove)) is None

    done = as_lead.post(
        "/lead/framework-moves/confirm", data={"move": MOVE, "cohort": cohort.id, "trainee": ""}
    )
    assert done.status_code == 302
    assert db.session.get(Enrolment, on_v1.id).framework_id == v2.id
    assert db.session.scalar(select(FrameworkMove)).moved_by_id is not None


def test_a_lead_outside_the_trainees_organisation_moves_no_one(
    app, login, make_user, make_org, on_v1, v2
):
    elsewhere = make_org("Other hub", "training-hub")
    outsider = make_user(roles=("lead",), org=elsewhere)
    client = app.test_client()
    login(client, outsider)

    preview = soup(client.post("/lead/framework-moves", data={"move": MOVE, "cohort": ""}))
    client.post("/lead/framework-moves/confirm", data={"move": MOVE, "cohort": ""})

    assert text_of(preview, "#preview-summary") == "0 trainees would move. Nothing has changed yet."
    assert db.session.get(Enrolment, on_v1.id).framework_id != v2.id


def test_the_record_links_to_the_gap_analysis_for_the_trainee(app, login, moved, trainee):
    client = app.test_client()
    login(client, trainee)
    home = soup(client.get("/portfolio/"))
    assert "moved from version 1 to version 2" in text_of(home, "#framework-move")

    page = soup(client.get(f"/supervision/enrolments/{moved.enrolment_id}/gap-analysis"))

    carried = page.select_one("#gap-carried_over-table tbody tr").get_text(" ", strip=True)
    assert carried.startswith("A1 Checks and teaches inhaler technique")
    assert "Carried over from version 1 (A1), signed on" in carried
    assert "by Priya Shah" in carried
    assert "S1" in page.select_one("#gap-continued-table").get_text()
    assert "A5" in page.select_one("#gap-ended-table").get_text()
    assert "not yet signed" in text_of(page, "#gap-unsigned")


def test_a_carried_sign_off_says_where_it_came_from(as_supervisor, moved):
    carried = db.session.scalar(select(SignOffCarryOver))
    page = soup(as_supervisor.get(f"/supervision/sign-offs/{carried.sign_off_id}"))
    words = text_of(page, "#sign-off-carried-over")
    assert words.startswith("Carried over from version 1 (A1), signed on ")
    assert words.endswith("by Priya Shah")


def test_the_clinical_supervisor_signs_the_gap_analysis(as_supervisor, moved):
    path = f"/supervision/enrolments/{moved.enrolment_id}/gap-analysis/sign"
    response = as_supervisor.get(path)
    assert response.status_code == 200, response.headers.get("Location")
    form = soup(response)
    assert "moved from version 1 to version 2" in text_of(form, "#gap-statement")
    empty = as_supervisor.post(path, data={"comment": ""})
    assert "Write what the trainee needs to do" in error_summary(soup(empty))[0]

    signed = as_supervisor.post(path, data={"comment": "Sign off M1, S1 and S2 again."})

    assert signed.status_code == 302
    record = db.session.scalar(select(GapAnalysisSignature))
    assert record.record_sha256 == signature_digest(record)
    assert record.move_sha256 == moved.record_sha256
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "gap_analysis.signed"))
    assert event.data["sha256"] == record.record_sha256
    page = soup(as_supervisor.get(signed.headers["Location"]))
    assert "Signed by Priya Shah, GPhC registration number 2000001" in text_of(
        page, "#gap-signature"
    )
    assert text_of(page, "#gap-signature-digest") == record.record_sha256
    again = as_supervisor.post(path, data={"comment": "Again."})
    assert again.status_code == 302
    assert db.session.query(GapAnalysisSignature).count() == 1


def test_a_stale_login_is_asked_for_its_password_before_signing(as_supervisor, moved):
    make_stale(as_supervisor)
    path = f"/supervision/enrolments/{moved.enrolment_id}/gap-analysis/sign"
    response = as_supervisor.post(path, data={"comment": "Fine."})
    assert response.headers["Location"].startswith("/auth/confirm?next=")
    assert db.session.query(GapAnalysisSignature).count() == 0


def test_only_the_clinical_supervisor_signs(app, login, make_user, org, moved, trainee, as_lead):
    other = make_user(roles=("supervisor",), org=org, gphc="2000002")
    client = app.test_client()
    login(client, other)
    path = f"/supervision/enrolments/{moved.enrolment_id}/gap-analysis/sign"
    assert client.get(path).status_code == 404
    assert as_lead.get(path).status_code == 403
    trainee_client = app.test_client()
    login(trainee_client, trainee)
    assert trainee_client.post(path, data={"comment": "Me."}).status_code == 403


def test_after_a_move_the_edit_form_offers_the_new_versions_links_only(
    app, login, on_v1, v1, v2, accepted, trainee
):
    item = accepted(on_v1, "reflective-account", ["A1", "A5"], title="Inhaler and lifestyle")
    move_trainees(v1, v2, actor=None)
    db.session.commit()
    client = app.test_client()
    login(client, trainee)

    page = soup(client.get(f"/portfolio/evidence/{item.id}/edit"))

    checked = [box["value"] for box in page.select("input[name=competencies][checked]")]
    assert checked == ["A1"]


def test_after_a_move_the_evidence_page_names_links_kept_from_the_earlier_version(
    app, login, on_v1, v1, v2, accepted, trainee
):
    item = accepted(on_v1, "reflective-account", ["A1", "A5"], title="Inhaler and lifestyle")
    move_trainees(v1, v2, actor=None)
    db.session.commit()
    client = app.test_client()
    login(client, trainee)

    page = soup(client.get(f"/portfolio/evidence/{item.id}"))

    shown = [dt.get_text(" ", strip=True) for dt in page.select("#linked-competencies + dl dt")]
    assert shown == [
        "A1 Explains inhaler use (framework version 1, before the move)",
        "A5 Gives lifestyle advice (framework version 1, before the move)",
        "A1 Checks and teaches inhaler technique",
    ]


def test_after_a_move_the_api_lists_the_current_versions_competencies(
    client, on_v1, v1, v2, accepted, trainee
):
    item = accepted(on_v1, "reflective-account", ["A1", "A5"], title="Inhaler and lifestyle")
    move_trainees(v1, v2, actor=None)
    token = api_tokens.create_token(trainee, "tests")
    db.session.commit()

    answer = client.get(
        f"/api/v1/trainees/{trainee.id}/evidence", headers={"Authorization": f"Bearer {token}"}
    )

    items = {i["id"]: i["competencies"] for i in answer.get_json()["items"]}
    assert items[item.id] == ["A1"]
