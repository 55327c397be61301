"""The portfolio home: progress per domain in words and a bar, the competency task list,
the evidence counts, and a fixed number of queries however much evidence there is."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.models.frameworks import Competency
from app.services.supervision import signoffs
from tests.trainee.conftest import soup, task


def test_each_domain_says_its_progress_in_words_beside_the_bar(
    client, signed_in_trainee, enrolment, log_evidence
):
    log_evidence(enrolment, "reflective-account", ["D1.1"], status="accepted")
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted")
    log_evidence(enrolment, "reflective-account", ["D1.3"])
    page = soup(client.get("/portfolio/"))
    first = enrolment.framework.domains[0]
    summary = page.find(id="domain-1-progress").get_text(" ", strip=True)
    assert summary.startswith(f"0 of {len(first.competencies)} competencies signed off")
    assert "1 ready for sign-off, 1 in progress" in summary
    bar = page.select_one("progress[aria-labelledby=domain-1-progress]")
    assert (bar["value"], bar["max"]) == ("0", str(len(first.competencies)))
    assert [h.get_text(strip=True) for h in page.select("h3.app-domain-heading")] == [
        f"{d.code} {d.title}" for d in enrolment.framework.domains
    ]


def test_every_competency_status_is_written_in_its_tag(
    client, signed_in_trainee, enrolment, supervisor, log_evidence
):
    log_evidence(enrolment, "reflective-account", ["D1.1", "D1.4"], status="accepted")
    log_evidence(enrolment, "mini-cex", ["D1.1", "D1.2", "D1.4"], status="accepted")
    d14 = db.session.scalar(
        db.select(Competency).where(
            Competency.framework_id == enrolment.framework_id, Competency.code == "D1.4"
        )
    )
    signoffs.sign_off(
        enrolment,
        d14,
        signer=supervisor,
        outcome_code="competent",
        comment="Runs the care home orders well",
        authenticated_at=utcnow(),
    )
    db.session.commit()
    page = soup(client.get("/portfolio/"))

    def status(code: str) -> tuple[str, str]:
        tag = task(page, code).select_one(".nhsuk-task-list__status .nhsuk-tag")
        return tag.get_text(strip=True), tag["class"][-1]

    assert status("D1.1") == ("Ready for sign-off", "nhsuk-tag--yellow")
    assert status("D1.2") == ("In progress", "nhsuk-tag--blue")
    assert status("D1.3") == ("Not started", "nhsuk-tag--grey")
    assert status("D1.4") == ("Signed off", "nhsuk-tag--green")
    assert "1 of 5 competencies signed off" in page.find(id="domain-1-progress").get_text()
    assert page.select_one("progress[aria-labelledby=domain-1-progress]")["value"] == "1"
    competency = soup(client.get("/portfolio/competencies/D1.4"))
    assert "Nothing: this competency is signed off." in competency.get_text()


def test_each_task_links_to_its_competency_page_and_says_what_it_needs(
    client, signed_in_trainee, enrolment
):
    page = soup(client.get("/portfolio/"))
    item = task(page, "D1.2")
    assert item.select_one("a")["href"] == "/portfolio/competencies/D1.2"
    # D1.2 overrides the framework's rule with 3 items.
    assert (
        item.select_one(".nhsuk-task-list__hint")
        .get_text(strip=True)
        .startswith("Needs 3 more accepted items")
    )


def test_home_counts_evidence_by_status_with_links_to_the_filtered_list(
    client, signed_in_trainee, enrolment, log_evidence
):
    for status in ("draft", "draft", "submitted", "changes_requested"):
        log_evidence(enrolment, "reflective-account", ["D1.1"], status=status)
    page = soup(client.get("/portfolio/"))
    counts = {
        a.get_text(" ", strip=True): a["href"]
        for a in page.select("ul[aria-labelledby=your-evidence] a")
    }
    assert counts == {
        "2 drafts": "/portfolio/evidence?status=draft",
        "1 waiting for review": "/portfolio/evidence?status=submitted",
        "1 with changes requested": "/portfolio/evidence?status=changes_requested",
        "0 accepted": "/portfolio/evidence?status=accepted",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/portfolio/",
        "/portfolio/evidence",
        "/portfolio/evidence/new",
        "/portfolio/evidence/new/reflective-account",
        "/portfolio/competencies/D1.1",
    ],
)
def test_a_trainee_not_yet_enrolled_is_told_what_happens_next(client, login, make_user, path):
    login(client, make_user(roles=("trainee",)))
    response = client.get(path)
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "You are not enrolled yet"
    assert "education lead or administrator enrols you" in page.get_text()


def test_home_issues_the_same_number_of_queries_for_5_and_200_items(
    client, signed_in_trainee, log_many, count_queries
):
    log_many(5)
    with count_queries() as few:
        assert client.get("/portfolio/").status_code == 200
    log_many(195)
    with count_queries() as many:
        page = soup(client.get("/portfolio/"))
    assert "50 drafts" in page.get_text(" ", strip=True)
    print(f"\nportfolio home: {few.count} queries for 5 items, {many.count} for 200")
    assert many.count == few.count
