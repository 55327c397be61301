"""A new trainee's first session, as they would click through it.

Sign in, see an empty portfolio, add a reflective account and a mini-CEX linked to
competencies, attach a PDF, submit both, and read on the competency page what is still
missing, before and after the supervisor accepts the items.
"""

from __future__ import annotations

import io

from app.extensions import db
from app.models.evidence import Evidence
from app.services.supervision import reviews
from tests.trainee.conftest import (
    MINIMAL_PDF,
    banner,
    evidence_form,
    note_fields,
    soup,
    task,
)


def _follow(client, response):
    assert response.status_code == 302, response.data[:2000]
    return client.get(response.headers["Location"])


def _add(client, type_code: str, notes: dict[str, str], **extra):
    """Choose the type on the first page, then fill in the form the second page shows."""
    chooser = soup(client.get("/portfolio/evidence/new"))
    offered = [radio["value"] for radio in chooser.select("input[name=type]")]
    assert type_code in offered
    form_page = _follow(
        client, client.get("/portfolio/evidence/new", query_string={"type": type_code})
    )
    page = soup(form_page)
    data = evidence_form(type_code, list(notes))
    names = {element["name"] for element in page.select("form [name]")}
    assert set(data) <= names, f"the form does not offer {set(data) - names}"
    note_names = note_fields(page)
    data.update({note_names[code]: note for code, note in notes.items()})
    data.update(extra)
    return client.post(form_page.request.path, data=data)


def test_a_new_trainee_logs_two_kinds_of_evidence_and_sees_what_is_still_missing(
    client, login, trainee, supervisor
):
    login(client, trainee)
    home = soup(client.get("/portfolio/"))
    assert "0 drafts" in home.get_text(" ", strip=True)
    statuses = {s.get_text(strip=True) for s in home.select(".nhsuk-task-list__status")}
    assert statuses == {"Not started"}
    assert home.select_one("a.nhsuk-action-link")["href"] == "/portfolio/evidence/new"

    # 1. A reflective account, linked to D1.1 with a note.
    saved = _add(
        client,
        "reflective-account",
        {"D1.1": "I agreed the week's repeat requests with the pharmacist"},
        what_happened="A busy Monday of repeat requests",
    )
    reflective_page = soup(_follow(client, saved))
    assert "saved as a draft" in banner(reflective_page)
    assert "Draft" in reflective_page.select_one("#evidence-status").get_text()
    assert "I agreed the week's repeat requests" in reflective_page.get_text()

    # 2. A mini-CEX linked to two competencies, with a PDF of the signed form.
    saved = _add(
        client,
        "mini-cex",
        {"D1.1": "The pharmacist watched me hand over", "D3.1": ""},
        attachment=(io.BytesIO(MINIMAL_PDF), "signed mini-CEX form.pdf"),
    )
    assert saved.status_code == 302
    mini_cex_page = soup(client.get(saved.headers["Location"]))
    answers = mini_cex_page.get_text(" ", strip=True)
    assert "Gathering information" in answers
    assert "Assessor's professional registration number 2000009" in answers
    assessment = mini_cex_page.select_one("#assessment").get_text(" ", strip=True)
    assert "Assessed by" in assessment
    assert "Pharmacist, GPhC 2000009" in assessment
    assert "Overall judgement At the level expected" in assessment
    download = mini_cex_page.find("a", string="signed mini-CEX form.pdf")
    file = client.get(download["href"])
    assert file.status_code == 200
    assert file.data == MINIMAL_PDF
    assert file.mimetype == "application/pdf"

    # 3. Submit both.
    items = db.session.scalars(db.select(Evidence).order_by(Evidence.id)).all()
    for item in items:
        submitted = _follow(client, client.post(f"/portfolio/evidence/{item.id}/submit"))
        assert "Waiting for review" in soup(submitted).select_one("#evidence-status").get_text()

    # 4. The competency page lists both and says plainly what is missing.
    page = soup(client.get("/portfolio/competencies/D1.1"))
    linked = [a.get_text(strip=True) for a in page.select("table a")]
    assert linked == [items[1].title, items[0].title]  # same day: the newest first
    missing = [
        li.get_text(strip=True) for li in page.select("ul[aria-labelledby=still-missing] li")
    ]
    assert missing == [
        "Needs 2 more accepted items",
        "Needs items of 2 different evidence types",
        "Needs an observed assessment",
    ]
    assert page.select_one("#sign-off-rule").get_text(strip=True) == (
        "Sign-off needs at least 2 accepted items of at least 2 different evidence types, "
        "including at least 1 observed assessment."
    )

    # 5. Once the supervisor accepts both, nothing is missing and home says so.
    for item in items:
        reviews.record_review(
            item,
            reviewer=supervisor,
            decision="accepted",
            comment="Clear and well evidenced",
            version_number=item.current_version_number,
        )
    db.session.commit()
    reviewed = soup(client.get(f"/portfolio/evidence/{items[0].id}"))
    assert "Accepted" in reviewed.select_one("#evidence-status").get_text()
    assert "Clear and well evidenced" in reviewed.find(id="review-history").get_text()
    page = soup(client.get("/portfolio/competencies/D1.1"))
    assert "the rule is met" in page.get_text()
    home = soup(client.get("/portfolio/"))
    assert task(home, "D1.1").select_one(".nhsuk-task-list__status").get_text(strip=True) == (
        "Ready for sign-off"
    )
    # D3.1 asks for 3 items of 2 types, one observed, and two observed consultations on
    # separate days: the mini-CEX alone is not enough.
    assert task(home, "D3.1").select_one(".nhsuk-task-list__hint").get_text(strip=True) == (
        "Needs 2 more accepted items; needs a second evidence type; needs 2 more observations "
        "(Observed consultation (MRCF-style)) judged at the expected level and rated competent "
        "or better in every area, on separate days"
    )
