"""The publishing pages: a lead uploads a file (problems listed with the file name and line
in the error summary, nothing kept), reads the preview and the side-by-side diff, then
publishes it in a separate confirmed step; an administrator alone marks a provisional
version published, and a lead is refused in words that say so."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.framework_publishing import FrameworkUpload
from app.models.frameworks import Framework
from app.services.frameworks import catalogue, publishing
from tests.conftest import ROOT, import_framework_file
from tests.supervision.conftest import error_summary, soup, text_of

FILES = Path(__file__).resolve().parent / "files"
V1 = (FILES / "v1.yaml").read_bytes()
V2 = (FILES / "v2.yaml").read_bytes()


@pytest.fixture
def lead(make_user, make_org):
    return make_user(roles=("lead",), name="Lee Lead", org=make_org("North Hub", "training-hub"))


@pytest.fixture
def as_lead(app, login, lead):
    client = app.test_client()
    login(client, lead)
    return client


@pytest.fixture
def as_admin(app, login, make_user):
    client = app.test_client()
    login(client, make_user(roles=("admin",), name="Ada Admin"))
    return client


def upload(client, raw: bytes, name: str = "upload.yaml"):
    return client.post(
        "/lead/frameworks/publish",
        data={"file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def events() -> int:
    return count(AuditEvent)


def test_the_lead_home_the_admin_home_and_the_moves_page_link_to_publishing(as_lead, as_admin):
    for client, path in (
        (as_lead, "/lead/"),
        (as_lead, "/lead/framework-moves"),
        (as_admin, "/admin/"),
    ):
        links = [a["href"] for a in soup(client.get(path)).select("a")]
        assert "/lead/frameworks/publish" in links, path


def test_a_bad_file_shows_each_problem_with_its_file_and_line_and_keeps_nothing(as_lead, v1):
    before = events()
    broken = V1.replace(b"  min_types: 2", b"  min_types: 5").replace(b"id: A2,", b"id: A1,")

    page = soup(upload(as_lead, broken, "bad.yaml"))

    assert page.title.get_text().startswith("Error: Publish a framework version")
    assert text_of(page, ".nhsuk-error-summary__heading") == (
        "Nothing was imported: the file has problems"
    )
    problems = error_summary(page)
    assert any(p.startswith("bad.yaml:13: ") and "min_types" in p for p in problems), problems
    assert any(p.startswith("bad.yaml:22: ") and "A1" in p for p in problems), problems
    assert {a["href"] for a in page.select(".nhsuk-error-summary__list a")} == {"#file"}
    assert "bad.yaml was not imported" in text_of(page, ".nhsuk-error-message")
    assert count(FrameworkUpload) == 0
    assert count(Framework) == 1
    assert events() == before


def test_the_preview_shows_the_tree_and_the_diff_side_by_side(as_lead, v1):
    response = upload(as_lead, V2, "v2.yaml")
    assert response.status_code == 302
    page = soup(as_lead.get(response.headers["Location"]))

    assert page.title.get_text().startswith("Check crosswalk-test version 2")
    assert "version 1, the version this file follows" in text_of(page, "#baseline")
    counts = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in page.select("#diff-counts .nhsuk-summary-list__row")
    }
    assert counts == {
        "Added": "1",
        "Ended": "1",
        "Reworded": "1",
        "Merged": "1",
        "Split": "1",
        "Unchanged": "0",
        "Rule changes": "0",
    }
    old, new, changed = page.select("#reworded-A1 td")
    assert "Explains inhaler use" in old.get_text()
    assert "Checks and teaches inhaler technique" in new.get_text()
    assert changed.get_text(strip=True) == "Title, description"
    assert "A2 Works with community pharmacies" in text_of(page, "#merged-M1")
    assert "S2 Offers practical support" in text_of(page, "#split-A4")
    assert text_of(page, "#added") == "N1 Uses clinical systems safely"
    assert text_of(page, "#ended") == "A5 Gives lifestyle advice"
    assert "2 accepted items of evidence" in text_of(page, "#rule-summary")
    assert "Merges A2, A3" in page.get_text()
    [onward] = [a for a in page.select("a") if a.get_text(strip=True) == "Continue to publish"]
    assert onward["href"] == f"{response.headers['Location']}/publish"
    assert catalogue.find_framework("crosswalk-test", "2") is None


def test_publishing_needs_the_confirmation_then_imports_the_version(as_lead, lead, v1):
    location = upload(as_lead, V2).headers["Location"]
    upload_id = int(location.rsplit("/", 1)[1])

    confirmation = soup(as_lead.get(f"{location}/publish"))
    assert text_of(confirmation, "h1") == "Publish crosswalk-test version 2"
    assert "1 added, 1 ended, 1 reworded, 1 merged, 1 split" in text_of(
        confirmation, "#publish-facts"
    )
    refused = soup(as_lead.post(f"/lead/frameworks/uploads/{upload_id}/publish", data={}))
    assert error_summary(refused) == ["Confirm that you have checked the version before publishing"]
    assert catalogue.find_framework("crosswalk-test", "2") is None

    done = as_lead.post(f"/lead/frameworks/uploads/{upload_id}/publish", data={"confirm": "y"})
    assert done.headers["Location"].endswith(location)
    page = soup(as_lead.get(location))

    assert "Published Crosswalk test framework, version 2." in text_of(
        page, ".nhsuk-notification-banner"
    )
    assert text_of(page, "#published").startswith("Information: Published by Lee Lead on ")
    assert "Continue to publish" not in page.get_text()
    assert as_lead.get(f"{location}/publish").headers["Location"].endswith(location)
    framework = catalogue.find_framework("crosswalk-test", "2")
    assert framework.status == "provisional"
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_id) == ("framework.imported", lead.id)

    again = soup(
        as_lead.post(f"/lead/frameworks/uploads/{upload_id}/publish", data={"confirm": "y"})
    )
    assert error_summary(again) == [
        "crosswalk-test version 2 from this file is already published; nothing changed"
    ]
    assert count(Framework) == 2


def test_re_uploading_an_imported_version_says_so_and_changes_nothing(as_lead, v1):
    before = events()

    page = soup(upload(as_lead, V1, "v1.yaml"))

    assert text_of(page, "#identical") == (
        "Information: v1.yaml: crosswalk-test version 1 is already imported with identical "
        "content. Nothing was changed."
    )
    assert page.select(".nhsuk-error-summary") == []
    assert count(FrameworkUpload) == 0
    assert events() == before


def test_the_same_id_and_version_with_other_content_is_refused(as_lead, v1):
    page = soup(upload(as_lead, V1.replace(b"quickly", b"the same day"), "v1b.yaml"))

    assert error_summary(page) == [
        "v1b.yaml: crosswalk-test version 1 is already imported with different content; "
        "imported versions never change, so give the new content a new version"
    ]
    assert count(FrameworkUpload) == 0


def test_a_lead_is_refused_marking_a_version_published_in_words_that_say_why(as_lead, v1):
    before = events()
    for response in (
        as_lead.get("/lead/frameworks/crosswalk-test/versions/1/mark-published"),
        as_lead.post(
            "/lead/frameworks/crosswalk-test/versions/1/mark-published", data={"confirm": "y"}
        ),
    ):
        assert response.status_code == 403
        assert publishing.ONLY_ADMINS in error_summary(soup(response))

    assert db.session.get(Framework, v1.id).status == "provisional"
    assert events() == before
    links = soup(as_lead.get("/lead/frameworks/publish")).select("#versions a")
    assert links == []  # a lead is offered no such action


def test_an_administrator_marks_a_provisional_version_published_after_confirming(as_admin, v1):
    listing = soup(as_admin.get("/lead/frameworks/publish"))
    [link] = listing.select("#versions a")
    assert link["href"] == "/lead/frameworks/crosswalk-test/versions/1/mark-published"
    address = link["href"]

    refused = soup(as_admin.post(address, data={}))
    assert error_summary(refused) == ["Confirm that this is the final published wording"]
    assert db.session.get(Framework, v1.id).status == "provisional"

    done = as_admin.post(address, data={"confirm": "y"})
    assert done.headers["Location"].endswith("/lead/frameworks/publish")
    listing = soup(as_admin.get("/lead/frameworks/publish"))
    assert "is now marked as published" in text_of(listing, ".nhsuk-notification-banner")
    assert listing.select("#versions a") == []
    assert db.session.get(Framework, v1.id).status == "published"
    assert text_of(soup(as_admin.get(address)), "#already-published").startswith(
        "This version is already published"
    )


def test_an_upload_that_does_not_exist_is_not_found(as_lead):
    assert as_lead.get("/lead/frameworks/uploads/999").status_code == 404
    assert (
        as_lead.post("/lead/frameworks/uploads/999/publish", data={"confirm": "y"}).status_code
        == 404
    )


def test_the_preview_makes_as_many_queries_for_a_large_framework_as_a_small_one(
    as_lead, v1, count_queries
):
    import_framework_file(ROOT / "frameworks" / "ncf-pcpt-3.yaml")
    variant = (ROOT / "frameworks" / "ncf-pcpt-3.1.yaml").read_bytes()
    small = upload(as_lead, V2).headers["Location"]
    large = upload(as_lead, variant).headers["Location"]

    def queries(address: str) -> int:
        with count_queries() as counted:
            assert as_lead.get(address).status_code == 200
        return counted.count

    assert queries(large) == queries(small)


def test_a_file_waiting_to_be_published_is_listed_for_every_lead(
    as_lead, app, login, make_user, v1
):
    upload(as_lead, V2, "v2.yaml")
    other = app.test_client()
    login(other, make_user(roles=("lead",), name="Lou Lead"))

    page = soup(other.get("/lead/frameworks/publish"))

    [link] = page.select("#waiting a")
    assert link.get_text() == "crosswalk-test version 2"
    assert "from v2.yaml, uploaded by Lee Lead on " in text_of(page, "#waiting")
    assert soup(other.get(link["href"])).h1.get_text() == "Check crosswalk-test version 2"


def test_an_administrator_reaching_the_moves_page_from_publishing_goes_back_to_administration(
    as_admin,
):
    page = soup(as_admin.get("/lead/framework-moves"))

    back = page.select_one(".nhsuk-back-link a, a.nhsuk-back-link")
    assert (back["href"], back.get_text(strip=True)) == ("/admin/", "Administration")
