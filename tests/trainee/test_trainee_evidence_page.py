"""The evidence page and its actions: reading answers, editing (in place for drafts, as a
new version once submitted), older versions with what changed, submitting and deleting."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.evidence import Evidence
from tests.trainee.conftest import banner, error_summary, evidence_form, soup


def summary_rows(page, heading: str) -> dict[str, str]:
    """The summary list that follows an h2 with this text, as {key: value}."""
    h2 = page.find("h2", string=heading)
    assert h2 is not None, f"no section {heading!r}"
    dl = h2.find_next("dl")
    return {
        row.select_one("dt").get_text(" ", strip=True): row.select_one("dd").get_text(
            " ", strip=True
        )
        for row in dl.select(".nhsuk-summary-list__row")
    }


def exists(evidence_id: int) -> bool:
    return bool(
        db.session.scalar(select(func.count(Evidence.id)).where(Evidence.id == evidence_id))
    )


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_a_structured_form_reads_back_as_summary_lists_with_its_scale_words(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(
        enrolment, "mini-cex", ["D1.1"], rating_overall="5", assessor_name="Priya Shah"
    )
    page = soup(client.get(f"/portfolio/evidence/{item.id}"))
    assert summary_rows(page, "Ratings")["Overall"] == "5 - above what is expected"
    assessor = summary_rows(page, "The assessor")
    assert assessor["Assessor's name"] == "Priya Shah"
    assert assessor["Assessor's role"] == "Pharmacist"
    assert assessor["Date the assessor completed the form"] == "20 May 2025"
    links = summary_rows(page, "Competencies this shows")
    assert links == {
        "D1.1 Contributing to the practice and PCN pharmacy team": "How this shows D1.1"
    }
    assert page.title.get_text() == (
        "A mini-cex item (Mini clinical evaluation exercise (mini-CEX)) - PCPT Portfolio"
    )


def test_a_draft_offers_submit_change_and_delete(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    page = soup(client.get(f"/portfolio/evidence/{item.id}"))
    assert page.select_one("#evidence-status").get_text(" ", strip=True) == "Draft Version 1"
    assert "only you can see it" in page.get_text()
    submit = page.find("button", string=lambda s: s and "Submit version 1" in s)
    assert submit.find_parent("form")["action"] == f"/portfolio/evidence/{item.id}/submit"
    actions = [a["href"] for a in page.select(".nhsuk-button-group a")]
    assert actions == [
        f"/portfolio/evidence/{item.id}/edit",
        f"/portfolio/evidence/{item.id}/delete",
    ]


def test_submitting_shares_the_draft_with_the_supervisor(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    response = client.post(f"/portfolio/evidence/{item.id}/submit")
    page = soup(client.get(response.headers["Location"]))
    assert "Version 1 is submitted" in banner(page)
    assert page.select_one("#evidence-status").get_text(" ", strip=True) == (
        "Waiting for review Version 1"
    )
    assert page.find("button", string=lambda s: s and "Submit" in s) is None
    db.session.refresh(item)
    assert item.status == "submitted"


def who_can_see(page) -> list[str]:
    section = page.select_one("details#who-can-see")
    assert section.select_one("summary").get_text(strip=True) == "Who can see this evidence"
    return [p.get_text(" ", strip=True) for p in section.select(".nhsuk-details__text p, li")]


def test_the_page_says_who_can_see_the_evidence_before_and_after_submitting(
    client, signed_in_trainee, enrolment, log_evidence, make_user, org
):
    make_user(roles=("lead",), org=org.parent, name="Hana Hub-Lead")
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    told = who_can_see(soup(client.get(f"/portfolio/evidence/{item.id}")))
    assert told[0] == "Only you. Nobody else can see a draft, not even your supervisors."

    client.post(f"/portfolio/evidence/{item.id}/submit")
    told = who_can_see(soup(client.get(f"/portfolio/evidence/{item.id}")))
    supervisor = enrolment.clinical_supervisor.name
    assert told[:4] == [
        "You, and:",
        f"{supervisor}, your clinical supervisor",
        "Hana Hub-Lead, education lead for Training hub (can read it, cannot change or review it)",
        "Administrators cannot see evidence. Privacy and who can see your records",
    ]


def test_submitting_twice_explains_why_not_and_changes_nothing(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    before = audit_count()
    response = client.post(f"/portfolio/evidence/{item.id}/submit")
    assert "This evidence is submitted: change it to submit it again" in banner(
        soup(client.get(response.headers["Location"]))
    )
    assert audit_count() == before


def test_editing_a_draft_changes_it_in_place(client, signed_in_trainee, enrolment, log_evidence):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    page = soup(client.get(f"/portfolio/evidence/{item.id}/edit"))
    assert "only you can see it, so your changes replace it" in page.get_text()
    assert page.select_one("input[name=title]")["value"] == item.title
    data = evidence_form("reflective-account", ["D1.1"], title="A better title")
    response = client.post(f"/portfolio/evidence/{item.id}/edit", data=data)
    assert "Your changes are saved." in banner(soup(client.get(response.headers["Location"])))
    db.session.refresh(item)
    assert (item.title, item.current_version_number) == ("A better title", 1)


def test_editing_submitted_evidence_makes_a_new_version_and_says_so_first(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="changes_requested")
    detail = soup(client.get(f"/portfolio/evidence/{item.id}"))
    assert "saves your changes as a new version, version 2" in detail.get_text()
    form_page = soup(client.get(f"/portfolio/evidence/{item.id}/edit"))
    assert "saves your changes as version 2, a draft" in form_page.get_text(" ", strip=True)
    assert form_page.find("button", string=lambda s: s and "new version" in s) is not None
    checked = [box["value"] for box in form_page.select("input[name=competencies][checked]")]
    assert checked == ["D1.1"]

    data = evidence_form("reflective-account", ["D1.1", "D2.1"], title="Revised after feedback")
    response = client.post(f"/portfolio/evidence/{item.id}/edit", data=data)
    page = soup(client.get(response.headers["Location"]))
    assert "saved as version 2, a draft" in banner(page)
    assert page.h1.get_text(strip=True) == "Revised after feedback"
    history = [
        li.get_text(" ", strip=True) for li in page.select("ol[aria-labelledby=versions] > li")
    ]
    assert history[0].startswith("Version 2 (this version)")
    assert "Not submitted." in history[0]
    assert "Changed: title, competencies linked." in history[0]
    assert history[1].startswith("Version 1")
    assert "Submitted" in history[1]

    old = soup(client.get(page.find("a", string="Version 1")["href"]))
    assert old.h1.get_text(strip=True) == "A reflective-account item"
    assert "kept exactly as it was" in old.get_text()
    assert list(summary_rows(old, "Competencies this shows")) == [
        "D1.1 Contributing to the practice and PCN pharmacy team"
    ]


def test_saving_an_unchanged_form_makes_no_new_version(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    page = soup(client.get(f"/portfolio/evidence/{item.id}/edit"))
    data = evidence_form("reflective-account", ["D1.1"], title=item.title)
    data[page.select_one("textarea[name^=note_]")["name"]] = "How this shows D1.1"
    client.post(f"/portfolio/evidence/{item.id}/edit", data=data)
    db.session.refresh(item)
    assert (item.current_version_number, item.status) == (1, "submitted")


def test_an_edit_refused_by_a_rule_keeps_the_old_content(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    data = evidence_form("reflective-account", [], title="Changed")
    response = client.post(f"/portfolio/evidence/{item.id}/edit", data=data)
    assert error_summary(soup(response)) == [
        ("Link this evidence to at least one competency", "#competencies")
    ]
    db.session.refresh(item)
    assert (item.title, item.current_version_number, item.status) == (
        "A reflective-account item",
        1,
        "submitted",
    )


def test_an_unknown_version_is_not_found(client, signed_in_trainee, enrolment, log_evidence):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    assert client.get(f"/portfolio/evidence/{item.id}/versions/2").status_code == 404


def test_deleting_a_draft_asks_first_then_removes_it(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], title="Scrap this")
    item_id = item.id
    page = soup(client.get(f"/portfolio/evidence/{item_id}/delete"))
    assert page.h1.get_text(strip=True) == "Are you sure you want to delete “Scrap this”?"
    assert exists(item_id)  # opening the page deletes nothing
    response = client.post(f"/portfolio/evidence/{item_id}/delete")
    assert response.headers["Location"] == "/portfolio/evidence"
    assert "The draft “Scrap this” is deleted." in banner(soup(client.get("/portfolio/evidence")))
    assert not exists(item_id)


def test_submitted_evidence_cannot_be_deleted(client, signed_in_trainee, enrolment, log_evidence):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    page = soup(client.get(f"/portfolio/evidence/{item.id}/delete"))
    assert page.h1.get_text(strip=True) == f"“{item.title}” cannot be deleted"
    assert page.select_one("main form") is None
    response = client.post(f"/portfolio/evidence/{item.id}/delete")
    assert "Only a draft that was never submitted can be deleted" in banner(
        soup(client.get(response.headers["Location"]))
    )
    assert exists(item.id)
