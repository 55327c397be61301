"""axe-core on every page each role can reach, found by following links as that role.

The demo data (`flask demo seed`) is loaded, plus a supervision session, and each person
signs in and crawls breadth-first from the home page: every same-origin link is followed
(links are GETs; downloads, static files and the API are left out), at most
`PER_ROUTE` addresses per route and query shape, so ids and paging do not multiply pages,
and a list's sort order is not a page of its own.
Each page is checked once at 1280 px and once at 320 px wide: every WCAG 2.0, 2.1 and 2.2
A and AA rule of axe-core, the reflow check, and the title and status-tag checks the
journeys make (see `page_checks`). A page that answers an error, loads something
broken or logs a script error fails too.

So the crawl cannot silently shrink, each person must reach the pages in their
`must_reach` (among them those issue 19 found were never checked: registration, training
log, revalidation, programme status, supervision sessions, completion, the administrator's
organisations and cohorts, the trainee's record, accessibility and privacy).
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.demo.seed_registration import ELIGIBLE, TECHNICIAN
from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.export_jobs import ExportJob
from app.services.accounts import users as accounts
from app.services.clock import uk_today
from app.services.frameworks import publishing
from app.services.supervision import sessions
from tests.browser.conftest import sign_in
from tests.browser.page_checks import (
    _OVERFLOW,
    _TWO_FRAMES,
    AXE_OPTIONS,
    CHECKED,
    assert_error_links_reach_fields,
    assert_page_title,
    assert_status_in_words,
    route,
)
from tests.conftest import ROOT

VIEWPORTS = ({"width": 1280, "height": 800}, {"width": 320, "height": 640})
# Addresses checked per route and set of query parameters: three evidence items, three
# people, three filters of a list show what every other would.
PER_ROUTE = 3
# Parameters that only reorder the same rows: the sorted list is the page already checked.
ORDER_PARAMETERS = {"sort", "order"}
# Files, not pages: by extension, by a `download` attribute (checked on the link), or
# by the answer's content type (checked when the browser starts a download instead).
DOWNLOAD_PATH = re.compile(r"\.(csv|xlsx|pdf|zip|txt|json)$|/(files|attachments/\d+)$")
NOT_PAGES = ("/static/", "/api/", "/healthz")
SIGN_OUT = re.compile(r"log-?out|sign-?out", re.I)


@dataclass(frozen=True)
class Person:
    role: str
    email: str
    must_reach: frozenset[str]
    start: str = "/"
    # Only pages under this path: the registration demo trainees are here for the pages
    # their records fill, which the demo trainee's crawl covers otherwise. `start` and
    # `within` may name a demo person's id, as {technician}.
    within: str = "/"

    def at(self, ids: dict[str, int]) -> Person:
        return replace(self, start=self.start.format(**ids), within=self.within.format(**ids))


PEOPLE = (
    Person(
        "trainee",
        "trainee@example.org",
        frozenset(
            {
                "trainee.home",
                "trainee.evidence_detail",
                "trainee.my_record",
                "trainee.feedback",
                # Every role's header links to two-factor sign-in; the set-up page's first step.
                "account.two_factor",
                "account.two_factor_setup",
                "registration.overview",
                "registration.training",
                "main.accessibility",
                "main.privacy",
            }
        ),
    ),
    Person(
        "trainee with a training log",
        ELIGIBLE.email,
        frozenset({"registration.overview", "registration.training"}),
        start="/registration/",
        within="/registration/",
    ),
    Person(
        "registered technician revalidating",
        TECHNICIAN.email,
        frozenset({"registration.revalidation", "registration.new_record"}),
        start="/registration/",
        within="/registration/",
    ),
    Person(
        "supervisor",
        "supervisor@example.org",
        frozenset(
            {
                "supervisor.home",
                "supervisor.record",
                "supervisor.review",
                "supervisor.session_new",
                "supervisor.complete",
                "supervisor.feedback",
                "registration.people",
                "registration.person_training",
                "main.accessibility",
                "main.privacy",
            }
        ),
    ),
    Person(
        # The one person revalidating may not be among the first three of the supervisor's
        # list: their registration is crawled from their page.
        "supervisor, a revalidating technician's registration",
        "supervisor@example.org",
        frozenset({"registration.person_overview", "registration.person_revalidation"}),
        start="/registration/people/{technician}",
        within="/registration/people/{technician}",
    ),
    Person(
        "education lead",
        "lead@example.org",
        frozenset(
            {
                "lead.home",
                "lead.person_new",
                "lead.framework_moves",
                # Publishing a framework version: the upload page, a waiting file's
                # preview and its confirmation.
                "lead.framework_publish",
                "lead.framework_upload",
                "lead.framework_upload_publish",
                "lead.dashboard",
                "lead.trainee",
                "registration.signer_registration",
                "supervisor.sessions_overview",
                "registration.programme",
                "admin.people_import",
                # The enrolment lifecycle (issue 17.5), from the trainee's progress page.
                "admin.trainee_enrolment",
                "admin.enrolment_pause",
                "admin.enrolment_withdraw",
                # Exports prepared in the background (issue 21.3): the list, a job part-way
                # and a finished one (the demo fixture asks for them).
                "lead.export_jobs_list",
                "lead.export_job",
                "main.accessibility",
                "main.privacy",
            }
        ),
    ),
    Person(
        "administrator",
        "admin@example.org",
        frozenset(
            {
                "admin.home",
                "admin.organisation_list",
                "admin.cohort_list",
                "lead.framework_publish",
                "lead.framework_mark_published",
                "admin.people_import",
                "admin.users",
                "admin.user_detail",
                "admin.user_email",
                "main.accessibility",
                "main.privacy",
            }
        ),
    ),
)


@pytest.fixture
def demo(framework):
    """The demo seed, and a supervision session the supervisor held with the demo trainee;
    the ids a crawl may start from."""
    seed_demo()
    trainee = accounts.find_user_by_email("trainee@example.org")
    supervisor = accounts.find_user_by_email("supervisor@example.org")
    today = uk_today()
    enrolment = db.session.scalars(
        select(Enrolment).where(Enrolment.trainee_id == trainee.id)
    ).one()
    sessions.record_session(
        enrolment,
        supervisor=supervisor,
        held_on=today - timedelta(days=14),
        duration_minutes=45,
        topics="Progress on the medicines reconciliation competencies.",
        agreed_actions="Two observed reconciliations before the next session.",
        today=today,
    )
    # A framework file waiting to be published, so the lead's crawl reaches its preview.
    worked_example = (ROOT / "frameworks" / "ncf-pcpt-3.1.yaml").read_bytes()
    publishing.receive_upload(
        "ncf-pcpt-3.2.yaml",
        worked_example.replace(b'version: "3.1"', b'version: "3.2"'),
        actor=accounts.find_user_by_email("lead@example.org"),
    )
    lead = accounts.find_user_by_email("lead@example.org")
    now = utcnow()
    for status, rows_done in (("running", 1_200), ("done", 3_000)):
        db.session.add(
            ExportJob(
                requester_id=lead.id,
                kind="competencies-csv",
                filters={},
                report_on=today,
                status=status,
                rows_done=rows_done,
                rows_total=3_000,
                attempts=1,
                storage_key="exports/" + "c" * 40,
                finished_at=now if status == "done" else None,
                expires_at=now + timedelta(hours=24) if status == "done" else None,
            )
        )
    db.session.commit()
    return {"technician": accounts.find_user_by_email(TECHNICIAN.email).id}


class Crawl:
    """One person's breadth-first walk through the pages their links reach."""

    def __init__(self, person: Person, page, app, origin: str) -> None:
        self.person = person
        self.page = page
        self.origin = urlsplit(origin).netloc
        self.urls = app.url_map.bind(self.origin)
        self.seen: set[str] = set()
        self.per_route: dict[tuple[str, tuple[str, ...]], int] = {}
        self.checked: list[str] = []
        self.reached: set[str] = set()
        self.problems: list[str] = []
        # Each title this person saw, and the page it named: no two of their pages share
        # one. Pages of different roles may: the lead's home and the administrator's
        # cohort list are both "Cohorts", as a person has one of the two roles.
        self.titles: dict[str, str] = {}

    def endpoint(self, path: str) -> str:
        try:
            endpoint, _ = self.urls.match(path, method="GET")
        except RequestRedirect as redirect:
            return self.endpoint(urlsplit(redirect.new_url).path)
        except HTTPException:
            return path
        return endpoint

    def normalised(self, href: str) -> str | None:
        """The address to visit for a link, or None when it is no page of this crawl's."""
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
            return None
        path = parts.path or "/"
        if (
            path.startswith(NOT_PAGES)
            or not path.startswith(self.person.within)
            or DOWNLOAD_PATH.search(path)
            or SIGN_OUT.search(path)
        ):
            return None
        query = urlencode(
            sorted((k, v) for k, v in parse_qsl(parts.query) if v and k not in ORDER_PARAMETERS)
        )
        return urlunsplit(("", "", path, query, ""))

    def admit(self, url: str) -> bool:
        """Not seen before, and its route has not had its share of addresses yet."""
        if url in self.seen:
            return False
        parts = urlsplit(url)
        shape = (self.endpoint(parts.path), tuple(sorted({k for k, _ in parse_qsl(parts.query)})))
        if self.per_route.get(shape, 0) >= PER_ROUTE:
            return False
        self.per_route[shape] = self.per_route.get(shape, 0) + 1
        self.seen.add(url)
        return True

    def run(self) -> None:
        queue = deque([self.person.start])
        self.seen.add(self.person.start)
        while queue:
            url = queue.popleft()
            if not self.visit(url):
                continue
            for link in self.page.eval_on_selector_all(
                "a[href]", "links => links.map(a => [a.href, a.hasAttribute('download')])"
            ):
                href, download = link
                found = None if download else self.normalised(href)
                if found and self.admit(found):
                    queue.append(found)

    def visit(self, url: str) -> bool:
        """Open the page and check it; False when it is no page to check."""
        try:
            response = self.page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                return False
            raise
        if response is None:
            return False
        final = self.normalised(self.page.url) or urlsplit(self.page.url).path
        if final != url and final in self.seen:
            return False  # a redirect to a page already checked
        self.seen.add(final)
        if response.status >= 400:
            self.problems.append(f"{self.person.role} {url}: the link answers {response.status}")
            return False
        if "text/html" not in response.headers.get("content-type", ""):
            return False
        self.check(final)
        return True

    def check(self, url: str) -> None:
        page, role = self.page, self.person.role
        self.checked.append(url)
        self.reached.add(self.endpoint(urlsplit(url).path))
        CHECKED.append((f"crawl-{role}", route(url)))
        checks = (
            lambda: assert_page_title(page, self.titles),
            lambda: assert_error_links_reach_fields(page),
            lambda: assert_status_in_words(page),
        )
        for check in checks:
            try:
                check()
            except AssertionError as problem:
                self.problems.append(f"{role} {url}: {problem}")
        page.evaluate(AXE_SCRIPT)
        for viewport in VIEWPORTS:
            width = viewport["width"]
            page.set_viewport_size(viewport)
            page.evaluate(_TWO_FRAMES)
            results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            for violation in results["violations"]:
                nodes = [" ".join(n["target"]) for n in violation["nodes"]][:4]
                self.problems.append(
                    f"{role} {url} {width}px {violation['id']} ({violation['help']}): {nodes}"
                )
            overflow = page.evaluate(_OVERFLOW)
            if overflow:
                self.problems.append(
                    f"{role} {url} {width}px reflow (WCAG 1.4.10): wider than the window: "
                    f"{overflow}"
                )
        page.set_viewport_size(VIEWPORTS[0])


def test_every_page_each_role_reaches_passes_axe_at_both_widths(browser, live_server, demo):
    problems: list[str] = []
    unreached: list[str] = []
    counts: list[str] = []
    started = time.monotonic()
    for person in (p.at(demo) for p in PEOPLE):
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[0])
        page = context.new_page()
        page.set_default_timeout(10_000)
        broken: list[str] = []
        context.on(
            "response",
            lambda r, broken=broken: (
                broken.append(f"{r.status} {r.url}")
                if r.request.resource_type != "document" and r.status >= 400
                else None
            ),
        )
        page.on("pageerror", lambda error, broken=broken: broken.append(f"script error: {error}"))
        page.on(
            "console",
            lambda m, broken=broken: (
                broken.append(f"console: {m.text}")
                if m.type == "error" and "status of 4" not in m.text
                else None
            ),
        )
        try:
            sign_in(page, person.email, DEMO_PASSWORD)
            crawl = Crawl(person, page, live_server.app, live_server.url)
            crawl.run()
        finally:
            context.close()
        problems += crawl.problems + [f"{person.role}: {b}" for b in broken]
        missing = sorted(person.must_reach - crawl.reached)
        if missing:
            unreached.append(f"{person.role} never reached {missing}")
        counts.append(f"{person.role}: {len(crawl.checked)} pages")
        print(person.role, *crawl.checked, sep="\n  ")
    print(f"crawled in {time.monotonic() - started:.0f} s: " + "; ".join(counts))
    report = []
    if unreached:
        report += ["The crawl no longer reaches pages it must:", *unreached]
    if problems:
        report += [f"{len(problems)} problems on the pages it reached:", *problems]
    assert report == [], "\n".join(report)
