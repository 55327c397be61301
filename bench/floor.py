"""The floor: each page's data fetched by hand-written SQL through the same driver the app
uses (sqlite3 or psycopg), with no ORM, no Python assembly and no template.

Every statement fetches all its rows. The SQL is written for both databases; named
parameters are `:name` (sqlite3's style) and become `%(name)s` for psycopg. Nothing of the
app is imported at load time, so the export floor runs in a lean process.
"""

# SQL here is built from constant pieces of this file, never from input.
# ruff: noqa: S608

from __future__ import annotations

import csv
import json
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

AUDIT_LOCK_KEY = 7_346_001  # app.services.audit.chain's advisory lock


class Raw:
    """One connection through the app's own driver, in autocommit mode."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite"):
            self.dialect = "sqlite"
            self.conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=10000")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        else:
            import psycopg

            self.dialect = "postgresql"
            self.conn = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)

    def _sql(self, sql: str) -> str:
        if self.dialect == "sqlite":
            return sql
        return re.sub(r"(?<![:\w]):([a-z_][a-z0-9_]*)", r"%(\1)s", sql.replace("%", "%%"))

    def _params(self, params: dict) -> dict:
        if self.dialect != "sqlite":
            return params
        out = {}
        for key, value in params.items():
            if isinstance(value, datetime):
                value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            elif isinstance(value, date):
                value = value.isoformat()
            out[key] = value
        return out

    def cursor(self, sql: str, params: dict | None = None):
        cursor = self.conn.cursor()
        cursor.execute(self._sql(sql), self._params(params or {}))
        return cursor

    def all(self, sql: str, params: dict | None = None) -> list:
        cursor = self.cursor(sql, params)
        return cursor.fetchall() if cursor.description is not None else []

    def run(self, sql: str, params: dict) -> list:
        """`all` with only the parameters `sql` names (the rest are ignored)."""
        return self.all(sql, {k: v for k, v in params.items() if re.search(rf":{k}\b", sql)})

    def one(self, sql: str, params: dict | None = None):
        return self.cursor(sql, params).fetchone()

    def close(self) -> None:
        self.conn.close()


# --- Shared pieces -----------------------------------------------------------------------

SIGNED_IN = [
    "SELECT id, email, name, organisation_id, password_hash, active, session_version "
    "FROM users WHERE id = :user_id",
    "SELECT role FROM user_roles WHERE user_id = :user_id",
    "SELECT count(*) FROM notifications WHERE user_id = :user_id AND read_at IS NULL",
]

ACTIVE_ENROLMENT = """
SELECT e.id, e.framework_id, e.started_on, e.expected_end_on, f.title, f.version, s.name
FROM enrolments e
JOIN frameworks f ON f.id = e.framework_id
LEFT JOIN users s ON s.id = e.clinical_supervisor_id
WHERE e.trainee_id = :user_id AND e.status = 'active'
"""

CURRENT_LINKS = """
SELECT l.competency_id, ev.id AS evidence_id, ev.status, ev.evidence_type_id, et.observed
FROM evidence ev
JOIN evidence_versions v ON v.evidence_id = ev.id AND v.number = ev.current_version_number
JOIN evidence_links l ON l.evidence_version_id = v.id
JOIN evidence_types et ON et.id = ev.evidence_type_id
WHERE ev.enrolment_id = :enrolment_id
"""

COMPETENCY_PROGRESS = f"""
WITH cur AS ({CURRENT_LINKS})
SELECT c.id, c.code, c.title, d.code, d.title, c.min_evidence, c.min_types, c.require_observed,
  count(cur.evidence_id),
  sum(CASE WHEN cur.status = 'accepted' THEN 1 ELSE 0 END),
  count(DISTINCT CASE WHEN cur.status = 'accepted' THEN cur.evidence_type_id END),
  sum(CASE WHEN cur.status = 'accepted' AND cur.observed THEN 1 ELSE 0 END),
  EXISTS (
    SELECT 1 FROM sign_offs s LEFT JOIN sign_off_revocations r ON r.sign_off_id = s.id
    WHERE s.enrolment_id = :enrolment_id AND s.competency_id = c.id AND s.proficient
      AND r.id IS NULL
  )
FROM competencies c
JOIN domains d ON d.id = c.domain_id
LEFT JOIN cur ON cur.competency_id = c.id
WHERE c.framework_id = :framework_id {{one}}
GROUP BY c.id, c.code, c.title, d.code, d.title, c.min_evidence, c.min_types,
  c.require_observed, d.position, c.position
ORDER BY d.position, c.position
"""

CURRENT_REGISTRATION = """
SELECT register, number, status, registered_on, expires_on, verified_by_id
FROM registrations WHERE user_id = :user_id ORDER BY id DESC LIMIT 1
"""

SUPERVISES = "(e.clinical_supervisor_id = :user_id OR e.education_supervisor_id = :user_id)"


def _tree(cohort: bool, page: bool) -> str:
    """The lead's organisation subtree and the active enrolments of trainees inside it."""
    return f"""
WITH RECURSIVE tree(id) AS (
  SELECT id FROM organisations WHERE id = :org_id
  UNION ALL SELECT o.id FROM organisations o JOIN tree ON o.parent_id = tree.id
),
scope AS (
  SELECT e.id AS enrolment_id, e.trainee_id FROM enrolments e JOIN users t ON t.id = e.trainee_id
  WHERE t.organisation_id IN (SELECT id FROM tree) AND e.status = 'active'
  {"AND e.cohort_id = :cohort_id" if cohort else ""}
  {"ORDER BY t.name, e.id LIMIT :per_page" if page else ""}
),
reg AS (
  SELECT r.user_id, r.status, r.number, r.registered_on, r.expires_on, r.verified_by_id
  FROM registrations r
  WHERE r.id IN (
    SELECT max(id) FROM registrations WHERE user_id IN (SELECT trainee_id FROM scope)
    GROUP BY user_id
  )
)"""


def report_statements(*, cohort: bool = False, page: bool = False) -> list[str]:
    """Every fact the dashboard and the progress CSV show for each trainee in scope, as a
    careful hand-written version would fetch them: the rows, then one aggregate per kind
    of fact (a single statement joining them all was slower on both databases)."""
    tree = _tree(cohort, page)
    return [
        tree
        + """
SELECT e.id, t.id, t.name, t.email, o.name, co.name, cs.name, es.name, e.framework_id,
  e.pathway_status, e.wte, e.funding, e.afc_band, e.protected_learning_days_used,
  e.started_on, e.expected_end_on
FROM scope
JOIN enrolments e ON e.id = scope.enrolment_id
JOIN users t ON t.id = e.trainee_id
LEFT JOIN organisations o ON o.id = t.organisation_id
LEFT JOIN cohorts co ON co.id = e.cohort_id
LEFT JOIN users cs ON cs.id = e.clinical_supervisor_id
LEFT JOIN users es ON es.id = e.education_supervisor_id
ORDER BY t.name, e.id""",
        # A competency has at most one standing sign-off, so a plain count is exact.
        tree
        + """
SELECT s.enrolment_id, c.domain_id,
  sum(CASE WHEN s.proficient AND r.id IS NULL THEN 1 ELSE 0 END), max(s.signed_at)
FROM sign_offs s
JOIN competencies c ON c.id = s.competency_id
LEFT JOIN sign_off_revocations r ON r.sign_off_id = s.id
WHERE s.enrolment_id IN (SELECT enrolment_id FROM scope)
GROUP BY s.enrolment_id, c.domain_id""",
        tree
        + """
SELECT enrolment_id, sum(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END),
  min(CASE WHEN status = 'submitted' THEN submitted_at END), max(updated_at)
FROM evidence WHERE enrolment_id IN (SELECT enrolment_id FROM scope)
GROUP BY enrolment_id""",
        tree
        + """
SELECT x.enrolment_id, max(w.created_at)
FROM evidence x JOIN reviews w ON w.evidence_id = x.id
WHERE x.enrolment_id IN (SELECT enrolment_id FROM scope)
GROUP BY x.enrolment_id""",
        tree
        + """
SELECT enrolment_id, sum(CASE WHEN held_on >= :since THEN 1 ELSE 0 END), max(held_on)
FROM supervision_sessions WHERE enrolment_id IN (SELECT enrolment_id FROM scope)
GROUP BY enrolment_id""",
        tree + " SELECT user_id, status, number, expires_on, verified_by_id FROM reg",
        tree
        + """
SELECT user_id, status, verified_by_id FROM qualifications
WHERE user_id IN (SELECT trainee_id FROM scope)""",
    ]


COMPETENCIES = """
SELECT c.id, c.code, c.title, d.code, d.title, c.min_evidence, c.min_types,
  c.require_observed, f.code, f.version
FROM competencies c JOIN domains d ON d.id = c.domain_id
JOIN frameworks f ON f.id = c.framework_id
WHERE c.framework_id = :framework_id ORDER BY d.position, c.position
"""


def link_counts_sql() -> str:
    """Per trainee and competency: shared items linked, and of the accepted ones their
    number, distinct types and observed ones."""
    return (
        _tree(False, False)
        + """
SELECT ev.enrolment_id, l.competency_id, count(*),
  sum(CASE WHEN ev.status = 'accepted' THEN 1 ELSE 0 END),
  count(DISTINCT CASE WHEN ev.status = 'accepted' THEN ev.evidence_type_id END),
  sum(CASE WHEN ev.status = 'accepted' AND et.observed THEN 1 ELSE 0 END)
FROM evidence ev
JOIN evidence_versions v ON v.evidence_id = ev.id AND v.number = ev.current_version_number
JOIN evidence_links l ON l.evidence_version_id = v.id
JOIN evidence_types et ON et.id = ev.evidence_type_id
WHERE ev.enrolment_id IN (SELECT enrolment_id FROM scope) AND ev.status <> 'draft'
GROUP BY ev.enrolment_id, l.competency_id"""
    )


def standing_sql() -> str:
    return (
        _tree(False, False)
        + """
SELECT s.enrolment_id, s.competency_id, s.outcome_label, s.proficient, s.signer_name,
  s.signer_gphc_number, s.signed_at
FROM sign_offs s LEFT JOIN sign_off_revocations r ON r.sign_off_id = s.id
WHERE s.enrolment_id IN (SELECT enrolment_id FROM scope) AND r.id IS NULL"""
    )


def _month(dialect: str) -> str:
    if dialect == "postgresql":
        return "to_char(s.signed_at AT TIME ZONE 'UTC', 'YYYY-MM')"
    return "strftime('%Y-%m', s.signed_at)"


def _filter_choices(cohort: bool) -> list[str]:
    tree = _tree(cohort, False)
    return [
        "SELECT id, name, parent_id FROM organisations ORDER BY name, id",
        tree
        + """
SELECT co.id, co.name, o.name FROM cohorts co JOIN organisations o ON o.id = co.organisation_id
WHERE co.id IN (SELECT e.cohort_id FROM enrolments e WHERE e.id IN
  (SELECT enrolment_id FROM scope))
ORDER BY co.name, o.name""",
        tree
        + """
SELECT u.id, u.name FROM users u WHERE u.id IN (
  SELECT e.clinical_supervisor_id FROM enrolments e WHERE e.id IN (SELECT enrolment_id FROM scope)
  UNION SELECT e.education_supervisor_id FROM enrolments e
  WHERE e.id IN (SELECT enrolment_id FROM scope))
ORDER BY u.name, u.id""",
    ]


def _summary_page_sql(cohort: bool) -> list[str]:
    """The dashboard's table as the progress summaries serve it: the trainees in scope and
    each flag counted in one aggregate, then the first page by name."""
    tree = _tree(cohort, False)
    return [
        tree
        + """
SELECT count(*),
  sum(CASE WHEN e.status <> 'paused' AND p.last_activity_on <= :stalled_before THEN 1 ELSE 0 END),
  sum(CASE WHEN p.oldest_waiting_since <= :waiting_before THEN 1 ELSE 0 END),
  sum(CASE WHEN p.behind_from <= :today THEN 1 ELSE 0 END),
  sum(CASE WHEN p.registration_flag_from <= :today THEN 1 ELSE 0 END),
  sum(CASE WHEN e.status <> 'paused' AND e.started_on <= :enrolled_before
    AND (p.last_supervision_on IS NULL OR p.last_supervision_on < :since) THEN 1 ELSE 0 END),
  sum(CASE WHEN p.level3_to_verify THEN 1 ELSE 0 END)
FROM scope JOIN enrolments e ON e.id = scope.enrolment_id
JOIN progress_summaries p ON p.enrolment_id = e.id""",
        tree
        + """
SELECT e.id FROM scope JOIN enrolments e ON e.id = scope.enrolment_id
JOIN users t ON t.id = e.trainee_id JOIN progress_summaries p ON p.enrolment_id = e.id
ORDER BY lower(t.name), e.id LIMIT :per_page""",
    ]


def _page_charts_sql(dialect: str, cohort: bool) -> list[str]:
    """The charts of the page's first three cohorts: their sign-offs by month and their
    trainees' expected lines, from the summaries."""
    month = _month(dialect)
    page = _tree(cohort, True)
    cohorts = "(SELECT DISTINCT e.cohort_id FROM enrolments e WHERE e.id IN (SELECT enrolment_id FROM scope) LIMIT 3)"  # noqa: E501
    return [
        page
        + f""" SELECT coalesce(e.cohort_id, 0), {month}, count(s.id)
FROM sign_offs s JOIN enrolments e ON e.id = s.enrolment_id
LEFT JOIN sign_off_revocations r ON r.sign_off_id = s.id
WHERE e.cohort_id IN {cohorts} AND s.proficient AND r.id IS NULL
GROUP BY coalesce(e.cohort_id, 0), {month}""",
        page
        + f""" SELECT e.cohort_id, e.started_on, e.expected_end_on, p.competencies, count(*)
FROM enrolments e JOIN progress_summaries p ON p.enrolment_id = e.id
WHERE e.cohort_id IN {cohorts} AND e.status IN ('active', 'paused')
GROUP BY e.cohort_id, e.started_on, e.expected_end_on, p.competencies""",
    ]


DOMAIN_TOTALS = """
SELECT d.id, d.code, d.title, count(c.id) FROM domains d
LEFT JOIN competencies c ON c.domain_id = d.id
WHERE d.framework_id = :framework_id
GROUP BY d.id, d.code, d.title, d.position ORDER BY d.position
"""


# --- Each page's statements ---------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """The ids a run measures with: one trainee, their supervisor, a hub lead, the region."""

    trainee_id: int
    enrolment_id: int
    framework_id: int
    competency_id: int
    competency_code: str
    supervisor_id: int
    hub_lead_id: int
    hub_id: int
    cohort_id: int
    cohort_size: int
    region_lead_id: int
    region_id: int
    domain_ids: tuple[int, int, int, int]
    today: date
    since: date  # the supervision window's start
    # The writes go to another trainee (another supervisor's), so the pages measured above
    # keep the generated data however many runs add evidence.
    writer_id: int
    writer_enrolment_id: int


def page_statements(ctx: Context, dialect: str) -> dict[str, list[tuple[str, dict]]]:
    trainee = {
        "user_id": ctx.trainee_id,
        "enrolment_id": ctx.enrolment_id,
        "framework_id": ctx.framework_id,
    }
    one = {**trainee, "competency_id": ctx.competency_id, "code": ctx.competency_code}
    domains = dict(zip(("d1", "d2", "d3", "d4"), ctx.domain_ids, strict=True))
    hub = {"user_id": ctx.hub_lead_id, "org_id": ctx.hub_id, "cohort_id": ctx.cohort_id}
    region = {"user_id": ctx.region_lead_id, "org_id": ctx.region_id}
    window = {"since": ctx.since, "framework_id": ctx.framework_id, **domains}

    def signed_in(params: dict) -> list[tuple[str, dict]]:
        return [(sql, {"user_id": params["user_id"]}) for sql in SIGNED_IN]

    cutoffs = {
        "today": ctx.today,
        "stalled_before": ctx.today - timedelta(days=42),
        "waiting_before": datetime(*ctx.today.timetuple()[:3], tzinfo=UTC) - timedelta(days=14),
        "enrolled_before": ctx.today - timedelta(days=31),
        "per_page": 25,
    }

    def dashboard(params: dict, cohort: bool) -> list[tuple[str, dict]]:
        both = {**params, **window, **cutoffs}
        return [
            *signed_in(params),
            *((sql, params) for sql in _filter_choices(cohort)),
            *((sql, both) for sql in _summary_page_sql(cohort)),
            *((sql, both) for sql in report_statements(cohort=cohort, page=True)),
            (DOMAIN_TOTALS, both),
            *((sql, both) for sql in _page_charts_sql(dialect, cohort)),
        ]

    return {
        "trainee home": [
            *signed_in(trainee),
            (ACTIVE_ENROLMENT, trainee),
            (COMPETENCY_PROGRESS.format(one=""), trainee),
            ("SELECT status, count(*) FROM evidence WHERE enrolment_id = :enrolment_id "
             "GROUP BY status", trainee),
            (CURRENT_REGISTRATION, trainee),
        ],
        "evidence list": [
            *signed_in(trainee),
            (ACTIVE_ENROLMENT, trainee),
            ("SELECT id, code, label FROM evidence_types WHERE framework_id = :framework_id "
             "ORDER BY position", trainee),
            ("SELECT c.id, c.code, c.title FROM competencies c "
             "JOIN domains d ON d.id = c.domain_id WHERE c.framework_id = :framework_id "
             "ORDER BY d.position, c.position", trainee),
            ("SELECT count(*) FROM evidence WHERE enrolment_id = :enrolment_id", trainee),
            ("""SELECT ev.id, ev.title, et.code, et.label, ev.occurred_on, ev.status, ev.updated_at,
                 ev.current_version_number
               FROM evidence ev JOIN evidence_types et ON et.id = ev.evidence_type_id
               WHERE ev.enrolment_id = :enrolment_id
               ORDER BY ev.occurred_on DESC, ev.id DESC LIMIT 25""", trainee),
            ("""SELECT v.evidence_id, c.code FROM evidence_versions v
               JOIN evidence ev ON ev.id = v.evidence_id AND v.number = ev.current_version_number
               JOIN evidence_links l ON l.evidence_version_id = v.id
               JOIN competencies c ON c.id = l.competency_id
               WHERE v.evidence_id IN (SELECT id FROM evidence WHERE enrolment_id = :enrolment_id
                 ORDER BY occurred_on DESC, id DESC LIMIT 25)
               ORDER BY c.domain_id, c.position""", trainee),
        ],
        "competency page": [
            *signed_in(trainee),
            (ACTIVE_ENROLMENT, trainee),
            ("""SELECT c.id, c.code, c.title, c.description, c.indicators, d.code, d.title
               FROM competencies c JOIN domains d ON d.id = c.domain_id
               WHERE c.framework_id = :framework_id AND c.code = :code""", one),
            ("""SELECT s.code, s.title FROM competency_standards cs
               JOIN standards s ON s.id = cs.standard_id
               WHERE cs.competency_id = :competency_id ORDER BY s.position""", one),
            (COMPETENCY_PROGRESS.format(one="AND c.id = :competency_id"), one),
            ("SELECT label FROM evidence_types WHERE framework_id = :framework_id AND observed "
             "ORDER BY position", one),
            ("""SELECT ev.id, ev.title, et.label, et.observed, ev.occurred_on, ev.status, l.note
               FROM evidence ev JOIN evidence_types et ON et.id = ev.evidence_type_id
               JOIN evidence_versions v
                 ON v.evidence_id = ev.id AND v.number = ev.current_version_number
               JOIN evidence_links l ON l.evidence_version_id = v.id
               WHERE ev.enrolment_id = :enrolment_id AND l.competency_id = :competency_id
               ORDER BY ev.occurred_on DESC, ev.id DESC""", one),
        ],
        "supervisor review queue": [
            *signed_in({"user_id": ctx.supervisor_id}),
            (f"""SELECT e.id, e.started_on, t.id, t.name, f.title, co.name,
                 e.clinical_supervisor_id
               FROM enrolments e JOIN users t ON t.id = e.trainee_id
               JOIN frameworks f ON f.id = e.framework_id
               LEFT JOIN cohorts co ON co.id = e.cohort_id
               WHERE {SUPERVISES} AND e.status IN ('active', 'paused') ORDER BY e.started_on""",
             {"user_id": ctx.supervisor_id}),
            (f"""SELECT ev.enrolment_id, count(*) FROM evidence ev
               JOIN enrolments e ON e.id = ev.enrolment_id
               WHERE ev.status = 'submitted' AND e.status IN ('active', 'paused') AND {SUPERVISES}
               GROUP BY ev.enrolment_id""", {"user_id": ctx.supervisor_id}),
            (f"""SELECT ev.id, ev.title, et.label, ev.current_version_number, t.name, e.id,
                 ev.submitted_at
               FROM evidence ev JOIN enrolments e ON e.id = ev.enrolment_id
               JOIN users t ON t.id = e.trainee_id
               JOIN evidence_types et ON et.id = ev.evidence_type_id
               WHERE ev.status = 'submitted' AND e.status IN ('active', 'paused') AND {SUPERVISES}
               ORDER BY ev.submitted_at, ev.id LIMIT 25""", {"user_id": ctx.supervisor_id}),
            (f"""SELECT s.enrolment_id, s.held_on FROM supervision_sessions s
               JOIN enrolments e ON e.id = s.enrolment_id
               WHERE {SUPERVISES} AND e.status IN ('active', 'paused')""",
             {"user_id": ctx.supervisor_id}),
            (f"""SELECT r.user_id, r.status, r.number, r.expires_on, r.verified_by_id
               FROM registrations r WHERE r.id IN (
                 SELECT max(r2.id) FROM registrations r2
                 JOIN enrolments e ON e.trainee_id = r2.user_id
                 WHERE {SUPERVISES} AND e.status IN ('active', 'paused') GROUP BY r2.user_id)""",
             {"user_id": ctx.supervisor_id}),
        ],
        f"cohort dashboard ({ctx.cohort_size})": dashboard(hub, cohort=True),
        "organisation dashboard": dashboard(region, cohort=False),
        "GET /api/v1/trainees": [
            ("SELECT user_id FROM api_tokens WHERE token_sha256 = :sha AND revoked_at IS NULL",
             {"sha": "0" * 64}),
            *signed_in(region),
            *((sql, {**region, **window, **cutoffs}) for sql in _summary_page_sql(False)),
            *((sql, {**region, **window, **cutoffs}) for sql in report_statements(page=True)),
            (DOMAIN_TOTALS, window),
        ],
    }  # fmt: skip


def time_statements(raw: Raw, statements: list[tuple[str, dict]]) -> float:
    started = time.perf_counter()
    for sql, params in statements:
        raw.run(sql, params)
    return time.perf_counter() - started


# --- Writes ----------------------------------------------------------------------------------


def _append_audit(raw: Raw, now: datetime, actor_id: int, action: str, subject_id: int, data: dict):
    """The chained audit event, computed and written as a hand-written version would."""
    from app.services.audit.chain import GENESIS_HASH, chain_hash

    if raw.dialect == "postgresql":
        raw.all("SELECT pg_advisory_xact_lock(:key)", {"key": AUDIT_LOCK_KEY})
    last = raw.one("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
    prev = last[1] if last else GENESIS_HASH
    event = SimpleNamespace(
        id=(last[0] + 1) if last else 1,
        at=now,
        actor_id=actor_id,
        action=action,
        subject_type="evidence",
        subject_id=str(subject_id),
        data=data,
    )
    digest = chain_hash(prev, event)
    payload = json.dumps(data)
    if raw.dialect == "postgresql":
        from psycopg.types.json import Json

        payload = Json(data)
    raw.all(
        "INSERT INTO audit_events (id, at, actor_id, action, subject_type, subject_id, data, "
        "prev_hash, hash) VALUES (:id, :at, :actor_id, :action, :subject_type, :subject_id, "
        ":data, :prev_hash, :hash)",
        {
            "id": event.id,
            "at": now,
            "actor_id": actor_id,
            "action": action,
            "subject_type": "evidence",
            "subject_id": str(subject_id),
            "data": payload,
            "prev_hash": prev,
            "hash": digest,
        },
    )


def _begin(raw: Raw) -> None:
    raw.all("BEGIN IMMEDIATE" if raw.dialect == "sqlite" else "BEGIN")


def create_draft(raw: Raw, ctx: Context, type_id: int, competencies: list[tuple[int, str]]) -> int:
    """A reflective account with two links, as one transaction."""
    from app.services.portfolio.content import content_digest

    now = datetime.now(UTC)
    today = ctx.today
    fields = {
        "setting": "GP practice",
        "what_happened": "A benchmark item.",
        "so_what": "It measures the floor.",
        "now_what": "Compare it with the page.",
    }
    title = "Benchmark reflective account"
    sha = content_digest(
        "reflective-account", title, today, fields, [(c, "") for _, c in competencies], []
    )
    _begin(raw)
    evidence_id = raw.one(
        "INSERT INTO evidence (enrolment_id, evidence_type_id, title, occurred_on, status, "
        "current_version_number, created_at, updated_at) VALUES (:e, :t, :title, :day, 'draft', "
        "1, :now, :now) RETURNING id",
        {"e": ctx.writer_enrolment_id, "t": type_id, "title": title, "day": today, "now": now},
    )[0]
    version_id = raw.one(
        "INSERT INTO evidence_versions (evidence_id, number, title, occurred_on, fields, "
        "content_sha256, created_at, created_by_id) VALUES (:id, 1, :title, :day, :fields, :sha, "
        ":now, :by) RETURNING id",
        {
            "id": evidence_id,
            "title": title,
            "day": today,
            "fields": json.dumps(fields),
            "sha": sha,
            "now": now,
            "by": ctx.writer_id,
        },
    )[0]
    for competency_id, _code in competencies:
        raw.all(
            "INSERT INTO evidence_links (evidence_version_id, competency_id, note) "
            "VALUES (:v, :c, '')",
            {"v": version_id, "c": competency_id},
        )
    _append_audit(
        raw, now, ctx.writer_id, "evidence.created", evidence_id,
        {"enrolment_id": ctx.writer_enrolment_id, "evidence_type_id": type_id, "version": 1,
         "content_sha256": sha},
    )  # fmt: skip
    # The progress summary's upkeep: a private draft moves the last activity only.
    raw.all(
        "UPDATE progress_summaries SET last_activity_on = :day "
        "WHERE enrolment_id = :e AND last_activity_on < :day",
        {"e": ctx.writer_enrolment_id, "day": now.date()},
    )
    raw.all("COMMIT")
    return evidence_id


def submit(raw: Raw, ctx: Context, evidence_id: int) -> None:
    now = datetime.now(UTC)
    _begin(raw)
    sha = raw.one(
        "SELECT content_sha256 FROM evidence_versions WHERE evidence_id = :id AND number = 1",
        {"id": evidence_id},
    )[0]
    raw.all(
        "UPDATE evidence_versions SET submitted_at = :now WHERE evidence_id = :id AND number = 1",
        {"id": evidence_id, "now": now},
    )
    raw.all(
        "UPDATE evidence SET status = 'submitted', submitted_at = :now, updated_at = :now "
        "WHERE id = :id",
        {"id": evidence_id, "now": now},
    )
    _append_audit(
        raw, now, ctx.writer_id, "evidence.submitted", evidence_id,
        {"version": 1, "content_sha256": sha},
    )  # fmt: skip
    # The progress summary's upkeep, by hand: one more item waits (the oldest wait starts
    # now if none did), the day moves on, and each competency the item links that nothing
    # shared linked before, and that is not signed off, is now in progress.
    raw.all(SUBMIT_UPKEEP, {"e": ctx.writer_enrolment_id, "id": evidence_id, "now": now,
                            "day": now.date()})  # fmt: skip
    raw.all("COMMIT")


SUBMIT_UPKEEP = """
UPDATE progress_summaries SET
  awaiting_review = awaiting_review + 1,
  oldest_waiting_since = COALESCE(oldest_waiting_since, :now),
  last_activity_on = CASE WHEN last_activity_on < :day THEN :day ELSE last_activity_on END,
  in_progress = in_progress + (
    SELECT count(*) FROM evidence_links l
    JOIN evidence_versions v ON v.id = l.evidence_version_id
    WHERE v.evidence_id = :id AND v.number = 1
      AND NOT EXISTS (
        SELECT 1 FROM evidence_links ol
        JOIN evidence_versions ov ON ov.id = ol.evidence_version_id
        JOIN evidence oe ON oe.id = ov.evidence_id
        WHERE ol.competency_id = l.competency_id AND oe.enrolment_id = :e AND oe.id <> :id
          AND (ov.number = oe.accepted_version_number
               OR (oe.status <> 'draft' AND ov.number = oe.current_version_number)))
      AND NOT EXISTS (
        SELECT 1 FROM sign_offs s
        LEFT JOIN sign_off_revocations r ON r.sign_off_id = s.id
        WHERE s.enrolment_id = :e AND s.competency_id = l.competency_id AND r.id IS NULL))
WHERE enrolment_id = :e
"""


# --- Exports --------------------------------------------------------------------------------


def _cell(value) -> object:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def _progress_rows(raw: Raw, params: dict):
    """The progress CSV's rows: the base rows joined in Python to each aggregate."""
    base, signed, evidence, reviews, sessions, registrations, level3 = (
        raw.run(sql, params) for sql in report_statements()
    )
    by_domain: dict[int, dict[int, int]] = {}
    latest_sign_off: dict[int, object] = {}
    for enrolment_id, domain_id, count, signed_at in signed:
        by_domain.setdefault(enrolment_id, {})[domain_id] = count
        latest_sign_off[enrolment_id] = max(latest_sign_off.get(enrolment_id, signed_at), signed_at)
    evidence_by = {row[0]: row[1:] for row in evidence}
    review_by = dict(reviews)
    session_by = {row[0]: row[1:] for row in sessions}
    registration_by = {row[0]: row[1:] for row in registrations}
    level3_by = {row[0]: row[1:] for row in level3}
    domains = params["domains"]
    for row in base:
        enrolment_id, trainee_id = row[0], row[1]
        counts = by_domain.get(enrolment_id, {})
        yield [
            *row[2:8],
            *(counts.get(d, 0) for d in domains),
            *evidence_by.get(enrolment_id, (0, None, None)),
            review_by.get(enrolment_id),
            latest_sign_off.get(enrolment_id),
            *session_by.get(enrolment_id, (0, None)),
            *registration_by.get(trainee_id, (None, None, None, None)),
            *level3_by.get(trainee_id, (None, None)),
            *row[9:],
        ]


def _competency_rows(raw: Raw, params: dict):
    """The competencies CSV's rows: trainee x competency with its status and sign-off."""
    statements = report_statements()
    base = raw.run(statements[0], params)
    registration_by = {row[0]: row[2] for row in raw.run(statements[5], params)}
    competencies = raw.run(COMPETENCIES, params)
    counts = {(row[0], row[1]): row[2:] for row in raw.run(link_counts_sql(), params)}
    standing = {(row[0], row[1]): row[2:] for row in raw.run(standing_sql(), params)}
    for row in base:
        enrolment_id, trainee_id, name = row[0], row[1], row[2]
        for cid, code, title, dcode, dtitle, n, types, observed, fcode, fversion in competencies:
            linked, accepted, kinds, seen = counts.get((enrolment_id, cid), (0, 0, 0, 0))
            sign_off = standing.get((enrolment_id, cid))
            if sign_off and sign_off[1]:
                status = "Signed off"
            elif accepted >= n and kinds >= types and (not observed or seen):
                status = "Ready for sign-off"
            else:
                status = "In progress" if linked else "Not started"
            signer = (sign_off[0], *sign_off[2:5]) if sign_off else (None, None, None, None)
            yield [
                name, registration_by.get(trainee_id), row[4], row[5], f"{fcode} {fversion}",
                f"{dcode} {dtitle}", code, title, status, *signer,
            ]  # fmt: skip


# The progress XLSX's "Trainees" sheet after the name columns and the domains' pairs.
WIDE_HEADERS = [
    "Competencies signed off", "Competencies in total", "Progress (%)", "Expected progress (%)",
    "Evidence awaiting review", "Oldest awaiting review since", "Last activity",
    "Registration status", "Registration expiry", "Renewal and revalidation due",
    "Registration verified", "Level 3 status", "Level 3 verified",
    "Supervision sessions in the last month", "Last supervision session", "Pathway status",
    "Pathway stage", "Pathway stage since", "Overdue objectives", "WTE", "Funding", "AfC band",
    "Protected learning days used", "Protected learning days allowed", "Start date",
    "Expected end date", "Flags", "Framework", "Enrolment status", "Days paused",
    "Expected end date after pauses", "Protected learning days planned",
]  # fmt: skip
LONG_HEADERS = [
    "Trainee", "GPhC number", "Organisation", "Cohort", "Framework", "Domain", "Competency code",
    "Competency", "Status", "Outcome", "Signed off by", "Signer GPhC number", "Signed off on",
]  # fmt: skip


def _day(value):
    """A calendar day from a driver's date, datetime or (SQLite) ISO text; None as is."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _wide_cells(raw: Raw, params: dict, today: date):
    """The "Trainees" sheet's cells, one list a row in the product's column order, from the
    progress floor's rows: the same number of cells of the same types (text, number, day).
    Facts the floor SQL does not read (stage, objectives, pauses) are written as the
    product writes them when nothing is recorded."""
    totals = [row[3] for row in raw.run(DOMAIN_TOTALS, params)][:4]
    total = sum(totals)
    framework = raw.one("SELECT title, version FROM frameworks WHERE id = :framework_id", params)
    framework_label = f"{framework[0]} (version {framework[1]})"
    for row in _progress_rows(raw, params):
        (name, email, org, cohort, clinical, education, d1, d2, d3, d4, awaiting, oldest,
         changed, reviewed, signed_at, sessions, last_session, reg_status, number, expires,
         reg_verified, level3, level3_verified, pathway, wte, funding, band, days_used,
         started, expected_end) = row  # fmt: skip
        started, expected_end = _day(started), _day(expected_end)
        signed = d1 + d2 + d3 + d4
        span = max((expected_end - started).days, 1)
        moments = [_day(m) for m in (changed, reviewed, signed_at) if m is not None]
        yield [
            name, email, number, org, cohort, clinical, education,
            d1, totals[0], d2, totals[1], d3, totals[2], d4, totals[3],
            signed, total, 100 * signed // total if total else 0,
            min(100, max(0, 100 * (today - started).days // span)),
            awaiting or 0, _day(oldest), max([started, *moments]),
            reg_status or "No registration recorded", _day(expires), _day(expires),
            "Yes" if reg_verified else "No", level3 or "Not recorded",
            "Yes" if level3_verified else "No", sessions or 0, _day(last_session), pathway,
            "Not recorded", None, 0, wte, funding, band, days_used, 28, started, expected_end,
            "", framework_label, "Active", 0, expected_end, None,
        ]  # fmt: skip


def _write_xlsx(raw: Raw, params: dict, path: str) -> int:
    """Both sheets of the progress XLSX, as XlsxWriter in constant-memory mode writes them
    (the product's options, formats, frozen header, widths and filter); the rows written."""
    import xlsxwriter

    today = params["since"] + timedelta(days=31)  # run.py's window: the last 31 days
    workbook = xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False},
    )  # fmt: skip
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    day_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    domains = [f"{row[1]} {row[2]}" for row in raw.run(DOMAIN_TOTALS, params)][:4]
    wide = [
        "Trainee", "Email", "GPhC number", "Organisation", "Cohort", "Clinical supervisor",
        "Education supervisor", *(f"{d}: {p}" for d in domains for p in ("signed off", "total")),
        *WIDE_HEADERS,
    ]  # fmt: skip
    sheets = (
        ("Trainees", wide, _wide_cells(raw, params, today)),
        ("Competencies", LONG_HEADERS, _competency_rows(raw, params)),
    )
    count = 0
    for name, headers, rows in sheets:
        sheet = workbook.add_worksheet(name)
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, len(headers) - 1, 14)
        for col, text in enumerate(headers):
            sheet.write_string(0, col, text, header)
        number = 0
        for number, cells in enumerate(rows, start=1):
            for col, value in enumerate(cells):
                kind = type(value)
                if kind is str:
                    sheet.write_string(number, col, value)
                elif value is None:
                    continue
                elif kind is date:
                    sheet.write_datetime(
                        number, col, datetime(value.year, value.month, value.day), day_format
                    )
                elif kind is datetime:
                    sheet.write_datetime(number, col, value.replace(tzinfo=None), day_format)
                elif kind is bool:
                    sheet.write_string(number, col, "Yes" if value else "No")
                else:
                    sheet.write_number(number, col, float(value))
        sheet.autofilter(0, 0, max(number, 1), len(headers) - 1)
        count += number
    workbook.close()
    return count


def export_floor(url: str, kind: str, region_id: int, window: dict, path: str) -> dict:
    """csv.writer over raw cursors for the same rows as an export, or for `xlsx` both sheets
    of the progress XLSX written by XlsxWriter; rows, seconds, peak RSS."""
    import resource

    raw = Raw(url)
    params = {"org_id": region_id, **window}
    params["domains"] = [window[key] for key in ("d1", "d2", "d3", "d4")]
    started = time.perf_counter()
    if kind == "xlsx":
        count = _write_xlsx(raw, params, path)
    else:
        rows = (
            _competency_rows(raw, params) if kind == "competencies" else _progress_rows(raw, params)
        )
        count = 0
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            for row in rows:
                writer.writerow([_cell(v) for v in row])
                count += 1
    seconds = time.perf_counter() - started
    raw.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": count, "seconds": seconds, "peak_rss_mb": peak_kb / 1024}
