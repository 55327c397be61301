"""The people of the load test (`bench/load.py` runs this file with Locust; see bench/README.md).

Each virtual user signs in once through the login form, as one of the accounts
`flask demo generate` made, and then does what that role does most:
- a trainee reads her home, her evidence and a competency, and now and then adds a
  reflective account and submits it;
- a supervisor reads the review queue and reviews the first item waiting (asking for
  changes, so the item leaves the queue as any decision does);
- a lead reads the dashboards of their hub and of one cohort;
- one exporter (a region lead) downloads the progress CSV once a minute.

Each person first takes every one of their journeys once (a first visit), then picks at
random by weight. With `LOAD_SESSIONS` naming a file, a person who signed in during an
earlier run of the same server (an earlier step of the ramp) goes on in that session:
its cookies are kept there, so a step opens with its new people signing in, not all.
Requests are named by what they are ("evidence create", "review queue"), so the report
gives one line per kind of request whatever the ids in the paths.
A request that answers an unexpected status counts as failed.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from datetime import date
from pathlib import Path

from locust import HttpUser, between, constant, task

from app.demo.generate import REGION_LEAD_EMAIL, hub_lead_email, supervisor_email, trainee_email

DEMO_PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-portfolio-pass")
TRAINEES = int(os.environ.get("LOAD_TRAINEES", "60"))
SUPERVISORS = max(1, TRAINEES // 8)
HUBS = int(os.environ.get("LOAD_HUBS", "1"))
COMPETENCY = os.environ.get("LOAD_COMPETENCY", "D1.1")
SESSIONS = Path(os.environ["LOAD_SESSIONS"]) if os.environ.get("LOAD_SESSIONS") else None

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
REVIEW_LINK = re.compile(r'href="(/supervision/evidence/(\d+)/review)"')
EVIDENCE_ID = re.compile(r"/portfolio/evidence/(\d+)")

# Each kind of user takes the next account of its kind, so no two share a session.
_numbers = {kind: itertools.count(1) for kind in ("trainee", "supervisor", "lead")}


def _next(kind: str, how_many: int) -> int:
    return (next(_numbers[kind]) - 1) % how_many + 1


class Person(HttpUser):
    abstract = True
    email = ""

    def on_start(self) -> None:
        kept = _sessions().get(self.email)
        if kept:
            # As the server set them (its domain), so its later cookies replace these.
            for name, value, domain, path in kept:
                self.client.cookies.set(name, value, domain=domain, path=path)
            return
        page = self.client.get("/auth/login", name="sign-in page")
        token = _csrf(page.text)
        with self.client.post(
            "/auth/login",
            data={"email": self.email, "password": DEMO_PASSWORD, "csrf_token": token},
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as reply:
            if reply.status_code != 302 or reply.headers.get("Location", "").startswith("/auth/"):
                reply.failure(f"sign-in as {self.email} answered {reply.status_code}")
            elif SESSIONS is not None:
                _keep_session(
                    self.email, [(c.name, c.value, c.domain, c.path) for c in self.client.cookies]
                )
        for journey in self.first_visit():
            journey()

    def first_visit(self) -> list:
        """Every journey of this person's, in order, once after signing in."""
        return []

    def page(self, path: str, name: str):
        return self.client.get(path, name=name)


def _sessions() -> dict[str, list[list[str]]]:
    if SESSIONS is None or not SESSIONS.exists():
        return {}
    return json.loads(SESSIONS.read_text(encoding="utf-8"))


def _keep_session(email: str, cookies: list[tuple[str, str, str, str]]) -> None:
    # Locust's users share one thread (gevent), and nothing here yields: no lost update.
    SESSIONS.write_text(json.dumps({**_sessions(), email: cookies}), encoding="utf-8")


def _csrf(text: str) -> str:
    found = CSRF.search(text)
    return found.group(1) if found else ""


class Trainee(Person):
    weight = 12
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.email = trainee_email(_next("trainee", TRAINEES))
        super().on_start()

    def first_visit(self) -> list:
        return [self.home, self.evidence, self.competency, self.add_and_submit]

    @task(4)
    def home(self) -> None:
        self.page("/portfolio/", "trainee home")

    @task(3)
    def evidence(self) -> None:
        self.page("/portfolio/evidence", "evidence list")

    @task(2)
    def competency(self) -> None:
        self.page(f"/portfolio/competencies/{COMPETENCY}", "competency page")

    @task(1)
    def add_and_submit(self) -> None:
        form_path = "/portfolio/evidence/new/reflective-account"
        token = _csrf(self.page(form_path, "evidence form").text)
        today = date.today()
        with self.client.post(
            form_path,
            data={
                "csrf_token": token,
                "title": "Load test reflective account",
                "occurred_on[day]": str(today.day),
                "occurred_on[month]": str(today.month),
                "occurred_on[year]": str(today.year),
                "setting": "GP practice",
                "what_happened": "Written by the load test.",
                "so_what": "It measures the pages under many people at once.",
                "now_what": "Read the report.",
                "competencies": [COMPETENCY],
            },
            allow_redirects=False,
            name="evidence create",
            catch_response=True,
        ) as created:
            found = EVIDENCE_ID.search(created.headers.get("Location", ""))
            if created.status_code != 302 or found is None:
                created.failure(f"evidence create answered {created.status_code}")
                return
        with self.client.post(
            f"/portfolio/evidence/{found.group(1)}/submit",
            data={"csrf_token": token},
            allow_redirects=False,
            name="evidence submit",
            catch_response=True,
        ) as submitted:
            if submitted.status_code != 302:
                submitted.failure(f"evidence submit answered {submitted.status_code}")


class Supervisor(Person):
    weight = 3
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.email = supervisor_email(_next("supervisor", SUPERVISORS))
        super().on_start()

    def first_visit(self) -> list:
        return [self.review_one]

    @task(3)
    def queue(self) -> None:
        self.page("/supervision/", "review queue")

    @task(1)
    def review_one(self) -> None:
        found = REVIEW_LINK.search(self.page("/supervision/", "review queue").text)
        if found is None:
            return
        page = self.page(found.group(1), "review page").text
        version = VERSION.search(page)
        self.client.post(
            found.group(1),
            data={
                "csrf_token": _csrf(page),
                "decision": "changes_requested",
                "comment": "Load test: please say what you would do next time.",
                "version": version.group(1) if version else "1",
            },
            name="review",
        )


class Lead(Person):
    weight = 1
    wait_time = between(3, 8)

    def on_start(self) -> None:
        self.email = hub_lead_email(_next("lead", HUBS))
        super().on_start()

    def first_visit(self) -> list:
        return [self.dashboard, self.cohort]

    @task(2)
    def dashboard(self) -> None:
        self.page("/lead/dashboard", "hub dashboard")

    @task(1)
    def cohort(self) -> None:
        self.page("/lead/dashboard?page=2", "hub dashboard, page 2")


class Exporter(Person):
    """One person downloading the region's progress CSV once a minute."""

    fixed_count = 1
    wait_time = constant(60)
    email = REGION_LEAD_EMAIL

    @task
    def export(self) -> None:
        with self.client.get(
            "/lead/exports/progress.csv", name="progress CSV", stream=True, catch_response=True
        ) as reply:
            size = sum(len(chunk) for chunk in reply.iter_content(256 * 1024))
            if reply.status_code == 200 and size == 0:
                reply.failure("the export was empty")
