"""Benchmark the product against its floor, through gunicorn on loopback. See bench/README.md.

.venv/bin/python bench/run.py --trainees 500                 # SQLite
.venv/bin/python bench/run.py --trainees 5000 --database-url postgresql+psycopg://...
                                        # SQLite, then PostgreSQL (--skip-sqlite: only it)
.venv/bin/python bench/run.py --compare bench/results/A.json bench/results/B.json
"""

# A developer's tool: it runs flask, gunicorn and git as subprocesses with fixed arguments.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from floor import (  # noqa: E402
    Context,
    Raw,
    create_draft,
    page_statements,
    submit,
    time_statements,
)
from http_client import Browser, Reply  # noqa: E402

from app.demo.generate import (  # noqa: E402
    REGION_LEAD_EMAIL,
    REGION_NAME,
    hub_lead_email,
    supervisor_email,
    trainee_email,
)
from app.demo.seed import DEMO_PASSWORD  # noqa: E402

HOST = "127.0.0.1"
TARGET_RATIO = 3.0
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


# --- Statistics -----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(seconds: list[float]) -> dict:
    return {
        "n": len(seconds),
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
    }


# --- The dataset and the server ------------------------------------------------------------


def flask_env(url: str, extra: dict | None = None) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_CONFIG": "development"}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    # The benchmark measures the pages, not signing in: its clients sign in with a password
    # alone (two-factor sign-in has its own tests), and all of them from one address.
    env.setdefault("MFA_REQUIRED_ROLES", "")
    env.setdefault("LOGIN_LIMIT_PER_ADDRESS", "100000 per minute")
    env["PYTHONPATH"] = str(ROOT)
    return {**env, **(extra or {})}


def dataset_size(url: str) -> int | None:
    """How many trainees the generated dataset in `url` has; None when there is none."""
    try:
        raw = Raw(url)
    except Exception:  # a database that is not there yet
        return None
    try:
        found = raw.one("SELECT id FROM organisations WHERE name = :name", {"name": REGION_NAME})
        if not found:
            return None
        return raw.one("SELECT count(*) FROM user_roles WHERE role = 'trainee'")[0]
    except Exception:  # no tables yet
        return None
    finally:
        raw.close()


def ensure_dataset(args, url: str) -> float | None:
    """Generate the dataset unless it is there; returns the generator's seconds if it ran."""
    found = dataset_size(url)
    if found == args.trainees:
        print(f"Reusing the generated dataset of {found:,} trainees in {redact(url)}")
        return None
    if found is not None:
        sys.exit(f"{redact(url)} holds a dataset of {found:,} trainees, not {args.trainees:,}")
    print(f"Generating {args.trainees:,} trainees x {args.evidence_per_trainee} items ...")
    env = flask_env(url)
    subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run(
        [
            *FLASK,
            "demo",
            "generate",
            "--trainees",
            str(args.trainees),
            "--evidence-per-trainee",
            str(args.evidence_per_trainee),
            "--seed",
            str(args.seed),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - started


def prepare(url: str) -> None:
    """Bring the schema to the code's head, count the day's flag tallies as the daily job
    does (a dataset generated on an earlier day has none of today's), and refresh the
    planner's statistics as the deployment guide asks (SQLite keeps none until ANALYZE
    runs)."""
    env = flask_env(url)
    subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, cwd=ROOT)
    subprocess.run([*FLASK, "reports", "recount-tallies"], env=env, check=True, cwd=ROOT)
    raw = Raw(url)
    raw.cursor("ANALYZE")
    raw.close()


def redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak(pid: int) -> bool:
    """Reset the process's peak RSS (VmHWM), so the next reading covers what follows."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class Server:
    """gunicorn on a free loopback port, serving the counted app (or `app_path`)."""

    def __init__(
        self,
        url: str,
        workers: int,
        query_log: Path | None = None,
        *,
        app_path: str = "bench.counted_app:app",
        env: dict | None = None,
    ) -> None:
        self.port = free_port()
        extra = {"BENCH_QUERY_LOG": str(query_log)} if query_log else {}
        env = flask_env(url, {**extra, **(env or {})})
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--timeout",
                "600",
                app_path,
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if Browser(HOST, self.port).request("GET", "/healthz").status == 200:
                    return
            time.sleep(0.2)
        self.stop()
        self.log.seek(0)
        sys.exit("gunicorn did not start:\n" + self.log.read().decode()[-3000:])

    @property
    def workers(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)


# --- Measuring ---------------------------------------------------------------------------


def measure(
    call: Callable[[], Reply],
    floor: Callable[[], float],
    trivial: Callable[[], Reply],
    *,
    requests: int,
    budget: float,
) -> tuple[list[float], list[float], list[float], Reply]:
    """Interleaved timings of the page, its floor SQL and the trivial endpoint, so that all
    three see the same machine (others' load comes and goes): a warm-up, then up to
    `requests` rounds within about `budget` seconds."""
    call()
    reply = call()
    floor()
    trivial()
    first = reply.seconds
    rounds = max(5, min(requests, int(budget / max(first, 1e-4))))
    pages, floors, trivials = [], [], []
    for _ in range(rounds):
        reply = call()
        if reply.status >= 400:
            raise RuntimeError(f"status {reply.status}")
        pages.append(reply.seconds)
        floors.append(floor())
        trivials.append(trivial().seconds)
    return pages, floors, trivials, reply


def throughput(
    make_call: Callable[[], Callable[[], Reply]], *, concurrency: int, total: int
) -> float:
    """Requests per second with `concurrency` clients sharing `total` requests."""
    remaining = [total]
    lock = threading.Lock()
    failures = []

    def worker() -> None:
        call = make_call()
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            if call().status >= 400:
                failures.append(1)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed under load")
    return total / elapsed


def context(raw: Raw, today: date, trainees: int) -> Context:
    def user(email: str) -> tuple[int, int]:
        return raw.one("SELECT id, organisation_id FROM users WHERE email = :e", {"e": email})

    trainee_id, _ = user(trainee_email(1))
    writer_id, _ = user(trainee_email(trainees))
    writer_enrolment_id = raw.one(
        "SELECT id FROM enrolments WHERE trainee_id = :t AND status = 'active'", {"t": writer_id}
    )[0]
    enrolment_id, framework_id = raw.one(
        "SELECT id, framework_id FROM enrolments WHERE trainee_id = :t AND status = 'active'",
        {"t": trainee_id},
    )
    competency_id = raw.one(
        "SELECT id FROM competencies WHERE framework_id = :f AND code = 'D1.1'",
        {"f": framework_id},
    )[0]
    supervisor_id, _ = user(supervisor_email(1))
    hub_lead_id, hub_id = user(hub_lead_email(1))
    cohort_id, size = raw.one(
        "SELECT e.cohort_id, count(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id "
        "WHERE c.organisation_id = :hub AND e.status = 'active' "
        "GROUP BY e.cohort_id ORDER BY count(*) DESC, e.cohort_id LIMIT 1",
        {"hub": hub_id},
    )
    region_lead_id, region_id = user(REGION_LEAD_EMAIL)
    domains = [
        row[0]
        for row in raw.all(
            "SELECT id FROM domains WHERE framework_id = :f ORDER BY position", {"f": framework_id}
        )
    ]
    return Context(
        trainee_id=trainee_id,
        enrolment_id=enrolment_id,
        framework_id=framework_id,
        competency_id=competency_id,
        competency_code="D1.1",
        supervisor_id=supervisor_id,
        hub_lead_id=hub_lead_id,
        hub_id=hub_id,
        cohort_id=cohort_id,
        cohort_size=size,
        region_lead_id=region_lead_id,
        region_id=region_id,
        domain_ids=tuple(domains[:4]),
        today=today,
        since=today - timedelta(days=31),
        writer_id=writer_id,
        writer_enrolment_id=writer_enrolment_id,
    )


def api_token(url: str) -> str:
    result = subprocess.run(
        [*FLASK, "tokens", "create", "--email", REGION_LEAD_EMAIL, "--label", "benchmark"],
        env=flask_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


# --- The run -----------------------------------------------------------------------------


def run_pages(args, server: Server, raw: Raw, ctx: Context, token: str) -> tuple[dict, dict]:
    sessions: dict[str, Browser] = {}

    def browser(email: str) -> Browser:
        made = Browser(HOST, server.port)
        made.login(email, DEMO_PASSWORD)
        return made

    people = {
        "trainee": trainee_email(1),
        "supervisor": supervisor_email(1),
        "hub lead": hub_lead_email(1),
        "region lead": REGION_LEAD_EMAIL,
    }
    for role, email in people.items():
        sessions[role] = browser(email)
    api = Browser(HOST, server.port, token=token)
    pages = [
        ("trainee home", "trainee", "/portfolio/"),
        ("evidence list", "trainee", "/portfolio/evidence"),
        ("competency page", "trainee", f"/portfolio/competencies/{ctx.competency_code}"),
        ("supervisor review queue", "supervisor", "/supervision/"),
        (
            f"cohort dashboard ({ctx.cohort_size})",
            "hub lead",
            f"/lead/dashboard?cohort={ctx.cohort_id}",
        ),
        ("organisation dashboard", "region lead", "/lead/dashboard"),
        ("GET /api/v1/trainees", "api", "/api/v1/trainees"),
    ]  # fmt: skip
    floors = page_statements(ctx, raw.dialect)

    def caller(who: str, path: str) -> Callable[[], Callable[[], Reply]]:
        """A new signed-in client per load-test thread."""

        def make() -> Callable[[], Reply]:
            if who == "api":
                client = Browser(HOST, server.port, token=token)
            else:
                client = browser(people[who])
            return lambda: client.request("GET", path)

        return make

    def healthz() -> Reply:
        return Browser(HOST, server.port).request("GET", "/healthz")

    all_trivial: list[float] = []
    results: dict[str, dict] = {}
    for name, who, path in pages:
        client = api if who == "api" else sessions[who]
        if who == "api" and client.request("GET", path).status == 404:
            results[name] = {"path": path, "status": "absent"}
            print(f"{name}: absent (the route does not exist)")
            continue
        seconds, floor_sql, trivial, reply = measure(
            lambda c=client, p=path: c.request("GET", p),
            lambda s=floors[name]: time_statements(raw, s),
            healthz,
            requests=args.requests,
            budget=args.budget,
        )
        all_trivial += trivial
        rps = throughput(
            caller(who, path), concurrency=args.concurrency, total=max(len(seconds), 8)
        )
        results[name] = page_result(
            path, seconds, reply, rps, floor_sql, trivial, len(floors[name])
        )
        report_line(name, results[name])
    writer = browser(trainee_email(args.trainees))
    writes, trivial = run_writes(args, server, raw, ctx, writer, healthz)
    results.update(writes)
    return results, summary(all_trivial + trivial)


def page_result(path, seconds, reply, rps, floor_sql, trivial, statements: int) -> dict:
    product = summary(seconds)
    sql = summary(floor_sql)
    floor_p50 = sql["p50_ms"] + statistics.median(trivial) * 1000
    floor_p95 = sql["p95_ms"] + percentile(trivial, 0.95) * 1000
    # Each round's page against that same round's floor: others' load on a shared machine
    # moves both together, so these ratios hold still where the p95s drift apart.
    paired = [p / (f + t) for p, f, t in zip(seconds, floor_sql, trivial, strict=False)]
    return {
        "path": path,
        "status": reply.status,
        "bytes": len(reply.body),
        **product,
        "ratio_paired_p50": round(statistics.median(paired), 2),
        "ratio_paired_p95": round(percentile(paired, 0.95), 2),
        "requests_per_second": round(rps, 2),
        "queries": reply.queries,
        "floor_sql": sql,
        "floor_statements": statements,
        "floor_p50_ms": round(floor_p50, 2),
        "floor_p95_ms": round(floor_p95, 2),
        "ratio_p50": round(product["p50_ms"] / floor_p50, 2),
        "ratio_p95": round(product["p95_ms"] / floor_p95, 2),
    }


def report_line(name: str, result: dict) -> None:
    print(
        f"{name}: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['requests_per_second']} req/s, {result['queries']} queries; "
        f"floor p95 {result['floor_p95_ms']} ms; ratio {result['ratio_p95']}"
    )


REFLECTIVE_FORM = {
    "title": "Benchmark reflective account",
    "setting": "GP practice",
    "what_happened": "A benchmark item logged through the form.",
    "so_what": "It measures what adding evidence costs.",
    "now_what": "Compare it with its floor.",
    "competencies": ["D1.1", "D2.1"],
}


def follow(browser: Browser, reply: Reply) -> None:
    """Open the page a write redirects to, untimed, as a browser would: it shows (and so
    clears) the write's flash message. Without it the messages pile up in the session
    cookie, which then grows with every write, as no real person's does."""
    if reply.status == 302:
        target = urlsplit(reply.headers["location"])
        browser.request("GET", target.path + (f"?{target.query}" if target.query else ""))


def run_writes(
    args, server: Server, raw: Raw, ctx: Context, trainee: Browser, healthz
) -> tuple[dict, list[float]]:
    """Evidence create and submit through the forms, then the same writes by hand, as the
    last generated trainee (not the one whose pages are measured, nor their supervisor's)."""
    today = ctx.today
    form = {
        **REFLECTIVE_FORM,
        "occurred_on[day]": str(today.day),
        "occurred_on[month]": str(today.month),
        "occurred_on[year]": str(today.year),
    }
    token = trainee.csrf_from("/portfolio/evidence/new/reflective-account")
    count = max(10, min(args.requests, 60))
    type_id = raw.one(
        "SELECT id FROM evidence_types WHERE framework_id = :f AND code = 'reflective-account'",
        {"f": ctx.framework_id},
    )[0]
    links = [
        tuple(row)
        for row in raw.all(
            "SELECT id, code FROM competencies WHERE framework_id = :f "
            "AND code IN ('D1.1', 'D2.1')",
            {"f": ctx.framework_id},
        )
    ]
    created: list[int] = []
    floor_ids: list[int] = []
    create_seconds, submit_seconds, trivial = [], [], []
    floor_create, floor_submit = [], []
    create_reply = submit_reply = None
    # Product and floor alternate, as for the pages; the first two of each warm up.
    for _ in range(count + 2):
        create_reply = trainee.request(
            "POST", "/portfolio/evidence/new/reflective-account", {**form, "csrf_token": token}
        )
        if create_reply.status != 302:
            raise RuntimeError(f"creating evidence answered {create_reply.status}")
        create_seconds.append(create_reply.seconds)
        created.append(int(create_reply.headers["location"].rstrip("/").rsplit("/", 1)[1]))
        follow(trainee, create_reply)
        started = time.perf_counter()
        floor_ids.append(create_draft(raw, ctx, type_id, links))
        floor_create.append(time.perf_counter() - started)
        trivial.append(healthz().seconds)
    for evidence_id, floor_id in zip(created, floor_ids, strict=True):
        submit_reply = trainee.request(
            "POST", f"/portfolio/evidence/{evidence_id}/submit", {"csrf_token": token}
        )
        if submit_reply.status != 302:
            raise RuntimeError(f"submitting evidence answered {submit_reply.status}")
        submit_seconds.append(submit_reply.seconds)
        follow(trainee, submit_reply)
        started = time.perf_counter()
        submit(raw, ctx, floor_id)
        floor_submit.append(time.perf_counter() - started)
        trivial.append(healthz().seconds)

    # Throughput: concurrent clients creating, then submitting what they created.
    made: list[int] = []
    lock = threading.Lock()

    def creator() -> Callable[[], Reply]:
        b = Browser(HOST, server.port)
        b.login(trainee_email(args.trainees), DEMO_PASSWORD)
        b.csrf_from("/portfolio/evidence/new/reflective-account")

        def call() -> Reply:
            reply = b.request(
                "POST", "/portfolio/evidence/new/reflective-account", {**form, "csrf_token": b.csrf}
            )
            if reply.status == 302:
                with lock:
                    made.append(int(reply.headers["location"].rstrip("/").rsplit("/", 1)[1]))
                follow(b, reply)
            return reply

        return call

    create_rps = throughput(creator, concurrency=args.concurrency, total=count)

    def submitter() -> Callable[[], Reply]:
        b = Browser(HOST, server.port)
        b.login(trainee_email(args.trainees), DEMO_PASSWORD)
        b.csrf_from("/portfolio/evidence/new/reflective-account")

        def call() -> Reply:
            with lock:
                evidence_id = made.pop()
            reply = b.request(
                "POST", f"/portfolio/evidence/{evidence_id}/submit", {"csrf_token": b.csrf}
            )
            follow(b, reply)
            return reply

        return call

    submit_rps = throughput(submitter, concurrency=args.concurrency, total=len(made))

    return {
        "evidence create (POST)": page_result(
            "/portfolio/evidence/new/reflective-account",
            create_seconds[2:], create_reply, create_rps, floor_create[2:], trivial, 8,
        ),
        "evidence submit (POST)": page_result(
            "/portfolio/evidence/<id>/submit",
            submit_seconds[2:], submit_reply, submit_rps, floor_submit[2:], trivial, 7,
        ),
    }, trivial  # fmt: skip


def logged_queries(query_log: Path, path: str) -> int | None:
    """The count the server logs once it has closed the response (which may lag the client)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in query_log.read_text().splitlines():
            entry = json.loads(line)
            if entry["path"] == path:
                return entry["queries"]
        time.sleep(0.1)
    return None


def floor_export(url: str, kind: str, ctx: Context, window: dict) -> dict:
    result = subprocess.run(
        [sys.executable, str(BENCH / "floor_export.py"), kind, url, str(ctx.region_id),
         json.dumps(window, default=str)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def product_export(server: Server, lead: Browser, path: str, csv_rows: bool) -> dict:
    """One download: its time, rows (CSV), size, and the busiest worker's peak RSS."""
    workers = server.workers
    baseline = {pid: rss_mb(pid) for pid in workers}
    peaks_reset = all(reset_peak(pid) for pid in workers)
    with tempfile.NamedTemporaryFile() as sink:
        reply = lead.request("GET", path, sink=sink)
        sink.flush()
        size = sink.tell()
        rows = None
        if csv_rows:
            sink.seek(0)
            rows = sum(1 for _ in sink) - 1
    peak = {pid: rss_mb(pid, "VmHWM") for pid in workers}
    busiest = max(workers, key=lambda pid: peak[pid] - baseline[pid])
    return {
        "status": reply.status,
        "seconds": reply.seconds,
        "bytes": size,
        "rows": rows,
        "peak_rss_mb": peak[busiest] if peaks_reset else None,
        "added_rss_mb": peak[busiest] - baseline[busiest] if peaks_reset else None,
    }


def run_exports(args, server: Server, url: str, ctx: Context, query_log: Path) -> dict:
    """The whole organisation's exports: rows per second and the worker's peak memory.

    Product and floor alternate for `--export-rounds` rounds and the best time of each
    counts (others' load on a shared machine only ever slows a run down); memory is the
    highest peak seen."""
    lead = Browser(HOST, server.port)
    lead.login(REGION_LEAD_EMAIL, DEMO_PASSWORD)
    window = {
        "since": ctx.since,
        "framework_id": ctx.framework_id,
        **dict(zip(("d1", "d2", "d3", "d4"), ctx.domain_ids, strict=True)),
    }
    exports = {
        "progress CSV": ("/lead/exports/progress.csv", ("progress",)),
        "competencies CSV": ("/lead/exports/competencies.csv", ("competencies",)),
        # Its floor: both sheets' cells written by XlsxWriter in constant memory.
        "progress XLSX (both sheets)": ("/lead/exports/progress.xlsx", ("xlsx",)),
    }
    results = {}
    for name, (path, kinds) in exports.items():
        products, floors = [], []
        for _ in range(args.export_rounds):
            floors.append([floor_export(url, kind, ctx, window) for kind in kinds])
            query_log.write_text("")
            products.append(product_export(server, lead, path, csv_rows=kinds != ("xlsx",)))
        queries = logged_queries(query_log, path)
        floor_rows = sum(part["rows"] for part in floors[0])
        floor_seconds = min(sum(part["seconds"] for part in run) for run in floors)
        floor_peak = max(part["peak_rss_mb"] for run in floors for part in run)
        best = min(products, key=lambda p: p["seconds"])
        rows = best["rows"] if best["rows"] is not None else floor_rows
        peaks = [p["peak_rss_mb"] for p in products if p["peak_rss_mb"] is not None]
        added = [p["added_rss_mb"] for p in products if p["added_rss_mb"] is not None]
        rate = rows / best["seconds"]
        floor_rate = floor_rows / floor_seconds
        results[name] = {
            "path": path,
            "status": best["status"],
            "bytes": best["bytes"],
            "rows": rows,
            "seconds": round(best["seconds"], 2),
            "all_seconds": [round(p["seconds"], 2) for p in products],
            "rows_per_second": round(rate),
            "queries": queries,
            "peak_rss_mb": round(max(peaks), 1) if peaks else None,
            "added_rss_mb": round(max(added), 1) if added else None,
            "floor_rows": floor_rows,
            "floor_rows_per_second": round(floor_rate),
            "floor_peak_rss_mb": round(floor_peak, 1),
            "share_of_floor_rate": round(rate / floor_rate, 2),
        }
        print(
            f"{name}: {rows:,} rows in {best['seconds']:.1f} s ({rate:,.0f} rows/s, "
            f"{results[name]['share_of_floor_rate']:.0%} of the floor's {floor_rate:,.0f}), "
            f"peak RSS {results[name]['peak_rss_mb']} MB"
        )
    return results


def print_table(results: dict) -> None:
    meta = results["meta"]
    print()
    print(
        f"{meta['database']} · {meta['trainees']:,} trainees x {meta['evidence_per_trainee']} "
        f"items · gunicorn {meta['workers']} workers · {meta['cpus']} CPUs · load average "
        f"{meta['load_average'][0]} at the start, {meta['load_average'][1]} at the end"
    )
    header = f"{'page':<30} {'p50 ms':>9} {'p95 ms':>9} {'req/s':>7} {'queries':>7} "
    header += f"{'floor p95':>10} {'ratio p95':>9} {'paired':>7}"
    print(header)
    print("-" * len(header))
    for name, r in results["pages"].items():
        if r.get("status") == "absent":
            print(f"{name:<30} {'absent':>9}")
            continue
        flag = "" if r["ratio_p95"] <= TARGET_RATIO else "  over 3x"
        print(
            f"{name:<30} {r['p50_ms']:>9.1f} {r['p95_ms']:>9.1f} {r['requests_per_second']:>7.1f} "
            f"{r['queries']!s:>7} {r['floor_p95_ms']:>10.1f} {r['ratio_p95']:>9.2f} "
            f"{r['ratio_paired_p50']:>7.2f}{flag}"
        )
    if results.get("exports"):
        print()
        header = f"{'export':<30} {'rows':>9} {'rows/s':>9} {'floor rows/s':>12} {'share':>6} "
        header += f"{'peak MB':>8} {'added MB':>8} {'floor MB':>8} {'queries':>7}"
        print(header)
        print("-" * len(header))
        for name, r in results["exports"].items():
            print(
                f"{name:<30} {r['rows']:>9,} {r['rows_per_second']:>9,} "
                f"{r['floor_rows_per_second']:>12,} {r['share_of_floor_rate']:>6.2f} "
                f"{r['peak_rss_mb']!s:>8} {r['added_rss_mb']!s:>8} {r['floor_peak_rss_mb']:>8} "
                f"{r['queries']!s:>7}"
            )


def compare(paths: list[str]) -> None:
    """Queries per request, side by side: they must not grow with the number of trainees."""
    runs = [json.loads(Path(p).read_text()) for p in paths]
    labels = [f"{r['meta']['database']} n={r['meta']['trainees']}" for r in runs]
    print(f"{'page':<30} " + " ".join(f"{label:>22}" for label in labels))
    for name in runs[0]["pages"]:
        cells = []
        for run in runs:
            page = run["pages"].get(name) or next(
                (v for k, v in run["pages"].items() if k.split(" (")[0] == name.split(" (")[0]), {}
            )
            cells.append(
                f"{page.get('queries')!s:>5} q {page.get('p95_ms', 0):>7.1f} ms "
                f"x{page.get('ratio_p95', 0):>4.1f}"
            )
        print(f"{name:<30} " + " ".join(f"{c:>22}" for c in cells))


def sqlite_url(args) -> str:
    """The SQLite dataset for these arguments, generated once and reused."""
    data = Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    name = f"n{args.trainees}-m{args.evidence_per_trainee}-s{args.seed}.sqlite3"
    return f"sqlite:///{data / name}"


def benchmark_database(args, url: str) -> dict:
    """One database: generate if needed, time every page and export, write the results."""
    load_at_start = os.getloadavg()[0]
    generate_seconds = ensure_dataset(args, url)
    prepare(url)
    token = api_token(url)
    raw = Raw(url)
    today = datetime.now(UTC).date()
    ctx = context(raw, today, args.trainees)
    with tempfile.TemporaryDirectory() as tmp:
        query_log = Path(tmp) / "queries.jsonl"
        pages, trivial = {}, None
        if not args.only_exports:
            server = Server(url, args.workers, query_log)
            try:
                pages, trivial = run_pages(args, server, raw, ctx, token)
            finally:
                server.stop()
        exports = {}
        if not args.skip_exports:
            # Fresh workers, so the peak memory is the export's, not an earlier page's.
            server = Server(url, args.workers, query_log)
            try:
                exports = run_exports(args, server, url, ctx, query_log)
            finally:
                server.stop()
    dialect = raw.dialect
    versions = {"sqlite": sqlite3.sqlite_version}
    if dialect == "postgresql":
        versions["postgresql"] = raw.one("SHOW server_version")[0]
    raw.close()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    results = {
        "meta": {
            "database": dialect,
            "versions": versions,
            "trainees": args.trainees,
            "evidence_per_trainee": args.evidence_per_trainee,
            "seed": args.seed,
            "workers": args.workers,
            "concurrency": args.concurrency,
            "cpus": os.cpu_count(),
            "commit": commit,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "generate_seconds": round(generate_seconds, 1) if generate_seconds else None,
            "trivial_endpoint": trivial,
            "target_ratio": TARGET_RATIO,
            # Others' work on the machine: ratios are robust to it, absolute times are not.
            "load_average": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
        },
        "pages": pages,
        "exports": exports,
    }
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{today.isoformat()}-{dialect}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    results["written_to"] = str(path)
    return results


def print_ratios(runs: list[dict]) -> None:
    """Both databases of one run side by side: each page's ratio, each export's share."""
    names = [run["meta"]["database"] for run in runs]
    print()
    print(f"{'ratio to floor (p95 / paired)':<30} " + " ".join(f"{n:>16}" for n in names))
    for page in runs[0]["pages"]:
        cells = []
        for run in runs:
            r = run["pages"].get(page, {})
            cells.append(
                f"{r['ratio_p95']:>7.2f} / {r['ratio_paired_p50']:.2f}" if "ratio_p95" in r else "-"
            )
        print(f"{page:<30} " + " ".join(f"{c:>16}" for c in cells))
    for export in runs[0].get("exports") or {}:
        cells = [
            f"{run['exports'][export]['share_of_floor_rate']:.0%} of floor"
            if export in (run.get("exports") or {})
            else "-"
            for run in runs
        ]
        print(f"{export:<30} " + " ".join(f"{c:>16}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--evidence-per-trainee", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to measure too, after SQLite (empty, or generated before)",
    )
    parser.add_argument(
        "--skip-sqlite", action="store_true", help="with --database-url: measure only that"
    )
    parser.add_argument("--data-dir", default=str(ROOT / "instance" / "bench"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--requests", type=int, default=100, help="timed requests per page, at most"
    )
    parser.add_argument("--budget", type=float, default=15, help="seconds per page, about")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument(
        "--export-rounds", type=int, default=3, help="rounds of each export; the best counts"
    )
    parser.add_argument(
        "--only-exports", action="store_true", help="measure the exports alone, not the pages"
    )
    parser.add_argument("--output", default=str(BENCH / "results"))
    parser.add_argument("--compare", nargs="+", metavar="RESULTS_JSON")
    args = parser.parse_args()

    if args.compare:
        compare(args.compare)
        return
    if args.only_exports and args.skip_exports:
        parser.error("--only-exports and --skip-exports exclude each other")
    if args.skip_sqlite and not args.database_url:
        parser.error("--skip-sqlite needs --database-url")

    urls = [] if args.skip_sqlite else [sqlite_url(args)]
    if args.database_url:
        urls.append(args.database_url)
    runs = []
    for url in urls:
        runs.append(benchmark_database(args, url))
        print_table(runs[-1])
        print(f"\nWritten to {runs[-1]['written_to']}")
    if len(runs) > 1:
        print_ratios(runs)


if __name__ == "__main__":
    main()
