"""The pages of this stage, as each role sees them."""

from __future__ import annotations

from bs4 import BeautifulSoup

from app.extensions import db
from app.services.accounts import organisations
from app.services.supervision import enrolments


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def test_health_check_answers_once_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/portfolio/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=/portfolio/")


def test_layout_has_skip_link_header_navigation_and_footer(client, make_user, login):
    login(client, make_user(roles=("trainee", "admin")))
    page = soup(client.get("/portfolio/"))
    assert page.select_one("a.nhsuk-skip-link")["href"] == "#maincontent"
    assert page.select_one("main#maincontent") is not None
    nav = [a.get_text(strip=True) for a in page.select("a.nhsuk-header__navigation-link")]
    assert nav == ["My portfolio", "My registration", "Administration", "Frameworks"]
    assert page.select_one("footer") is not None
    # Not enrolled, so the portfolio explains what happens next.
    assert page.title.get_text() == "You are not enrolled yet - PCPT Portfolio"


def test_navigation_shows_only_the_roles_the_user_holds(client, make_user, login):
    login(client, make_user(roles=("supervisor",), gphc="2000002"))
    page = soup(client.get("/supervision/"))
    nav = [a.get_text(strip=True) for a in page.select("a.nhsuk-header__navigation-link")]
    assert nav == ["My trainees", "Dashboard", "Registrations", "Frameworks"]


def test_names_are_escaped_everywhere(client, make_user, login):
    user = make_user(roles=("trainee",), name="<script>alert(1)</script> Smith")
    login(client, user)
    html = client.get("/portfolio/").data.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Smith" in html


def test_trainee_home_lists_every_competency_as_not_started(
    client, make_user, make_org, login, framework
):
    practice = make_org("Practice")
    supervisor = make_user(roles=("supervisor",), gphc="2000003", org=practice)
    trainee = make_user(roles=("trainee",), org=practice)
    enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    login(client, trainee)
    page = soup(client.get("/portfolio/"))
    headings = [h.get_text(strip=True) for h in page.select("main h3.app-domain-heading")]
    assert headings == [f"{d.code} {d.title}" for d in framework.domains]
    statuses = [s.get_text(strip=True) for s in page.select(".nhsuk-task-list__status")]
    competency_count = sum(len(d.competencies) for d in framework.domains)
    assert statuses == ["Not started"] * competency_count
    assert supervisor.name in page.get_text()


def test_trainee_without_enrolment_is_told_what_happens_next(client, make_user, login):
    login(client, make_user(roles=("trainee",)))
    text = soup(client.get("/portfolio/")).get_text()
    assert "not enrolled" in text


def test_supervisor_sees_only_their_own_trainees(client, make_user, login, framework):
    mine = make_user(roles=("supervisor",), gphc="2000004")
    other = make_user(roles=("supervisor",), gphc="2000005")
    enrolments.enrol(make_user(name="Ada Mine"), framework, supervisor=mine)
    enrolments.enrol(make_user(name="Bea Other"), framework, supervisor=other)
    db.session.commit()
    login(client, mine)
    text = soup(client.get("/supervision/")).get_text()
    assert "Ada Mine" in text
    assert "Bea Other" not in text


def test_lead_sees_cohorts_in_their_subtree_with_counts(
    client, make_user, make_org, login, framework
):
    hub = make_org("Hub", "training-hub")
    pcn = make_org("PCN", "pcn", hub)
    elsewhere = make_org("Elsewhere Hub", "training-hub")
    inside = organisations.create_cohort("Inside cohort", pcn, framework_id=framework.id)
    organisations.create_cohort("Outside cohort", elsewhere, framework_id=framework.id)
    supervisor = make_user(roles=("supervisor",), gphc="2000006")
    enrolled = [
        enrolments.enrol(make_user(), framework, supervisor=supervisor, cohort=inside)
        for _ in range(4)
    ]
    # Paused is still in training; withdrawn is not.
    enrolled[0].status, enrolled[1].status = "paused", "withdrawn"
    db.session.commit()
    login(client, make_user(roles=("lead",), org=hub))
    page = soup(client.get("/lead/"))
    assert "Trainees in training" in page.select_one("thead").get_text()
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in page.select("tbody tr")]
    assert rows == [["Inside cohort", "PCN", framework.title, "3"]]


def test_framework_browser_shows_domains_competencies_indicators_and_standards(
    client, make_user, login, framework
):
    login(client, make_user())
    page = soup(client.get(f"/frameworks/{framework.code}/versions/{framework.version}"))
    first = framework.domains[0].competencies[0]
    card = page.find(id=f"competency-{first.code}").find_parent("div")
    text = card.get_text(" ", strip=True)
    assert first.title in text
    assert first.indicators[0] in text
    assert first.standards[0].title in text
    listing = soup(client.get("/frameworks")).get_text()
    assert framework.title in listing


def test_framework_browser_states_each_competencys_own_rule(client, make_user, login, framework):
    login(client, make_user())
    page = soup(client.get(f"/frameworks/{framework.code}/versions/{framework.version}"))
    assert page.find(id="rule-D1.1") is None  # the default rule, shown once at the top
    assert page.find(id="rule-D3.1").get_text(strip=True) == (
        "Sign-off needs at least 3 accepted items of at least 2 different evidence types, "
        "including at least 1 observed assessment, and at least 2 observations (Observed "
        "consultation (MRCF-style)) on separate days, each judged at the expected level and "
        "rated competent or better in every area."
    )
    types = page.get_text(" ", strip=True)
    assert "Case-based discussion (observed)" not in types
    assert "Mini clinical evaluation exercise (mini-CEX) (observed)" in types


def test_framework_browser_answers_404_for_an_unknown_version(client, make_user, login, framework):
    login(client, make_user())
    response = client.get(f"/frameworks/{framework.code}/versions/99")
    assert response.status_code == 404
    assert "Page not found" in soup(response).get_text()


def test_pages_carry_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.data.decode()  # no inline script anywhere
