"""Load test: Locust drives the journeys of bench/locustfile.py against gunicorn. See
bench/README.md.

.venv/bin/python bench/load.py --trainees 5000 \\
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_5000 \\
    --redis-url redis://127.0.0.1:6379/7

1. Generates the dataset when the database has none (as bench/run.py does).
2. Starts gunicorn (`--workers`, 4) serving `wsgi:app`, the sign-in limits kept in Redis
   when `--redis-url` is given (as a deployment of several workers keeps them).
3. A steady run: `--users` (50) for `--duration` seconds (300). Every failed request is
   counted; the run passes only with none.
4. Unless `--no-ramp`: a stepped ramp, `--step-seconds` (60) at each number of users in
   `--ramp`, each counted from its last user's start, until some kind of page or write
   with 30 requests or more in the step (signing in and the export left out:
   `NOT_IN_THE_KNEE`) has a p95 over
   `--p95-limit-ms` (500): that step is the knee, and the report gives requests per
   second per core at the step before it.
5. Writes bench/results/load-<date>-<database>.json (or `--output`) and prints a table.

Locust runs in its own process (it patches the standard library with gevent), on the
same machine: its own CPU use is part of what the machine does during the run.
"""

# A developer's tool: it runs flask, gunicorn and locust as subprocesses with fixed arguments.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from run import HOST, Server, ensure_dataset, redact, sqlite_url  # noqa: E402

from app.demo.generate import hubs_for  # noqa: E402

# What every kind of user must have done in a steady run, by the names the locustfile
# gives its requests (checked by the suite's smoke run).
JOURNEYS = (
    "sign in",
    "trainee home",
    "evidence list",
    "competency page",
    "evidence create",
    "evidence submit",
    "review queue",
    "review",
    "hub dashboard",
    "progress CSV",
)


def locust(
    base_url: str,
    users: int,
    seconds: int,
    trainees: int,
    hubs: int,
    folder: Path,
    *,
    after_spawning: bool = False,
) -> dict:
    """One headless Locust run; returns its statistics by request name. `after_spawning`:
    count only what follows the last user's start (Locust's `--reset-stats`)."""
    prefix = folder / f"u{users}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LOAD_TRAINEES": str(trainees),
        "LOAD_HUBS": str(hubs),
        # Sessions signed in by earlier runs against this server go on (see the locustfile).
        "LOAD_SESSIONS": str(folder / "sessions.json"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "30",
            "--host",
            base_url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
            *(["--reset-stats"] if after_spawning else []),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    stats_file = Path(f"{prefix}_stats.csv")
    if done.returncode != 0 or not stats_file.exists():
        sys.exit(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return read_stats(stats_file, users, seconds)


def _number(cell: str) -> float:
    """A statistic of Locust's CSV: blank or N/A (no request of the kind) as 0."""
    return 0.0 if cell in ("", "N/A") else float(cell)


def read_stats(path: Path, users: int, seconds: int) -> dict:
    requests: dict[str, dict] = {}
    total: dict = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            line = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "rps": round(_number(row["Requests/s"]), 2),
            }
            if row["Name"] == "Aggregated":
                total = line
            else:
                requests[row["Name"]] = line
    return {"users": users, "seconds": seconds, "total": total, "requests": requests}


# Left out of the knee: signing in (each virtual user signs in once, when it starts, so a
# step opens with all of them hashing passwords at once: deliberately slow work no steady
# service sees in a burst) and the export (a download of the region, judged by rows per
# second in bench/run.py; it takes longer than 500 ms even alone).
NOT_IN_THE_KNEE = ("sign-in page", "sign in", "progress CSV")


# A p95 of fewer requests than this is their slowest one or two: shown, but not judged.
MIN_SAMPLES = 30


def worst_p95(run: dict) -> tuple[str, float]:
    """The slowest kind of page or write by p95, among those with MIN_SAMPLES requests
    or more (see NOT_IN_THE_KNEE)."""
    counted = {
        name: line
        for name, line in run["requests"].items()
        if name not in NOT_IN_THE_KNEE and line["requests"] >= MIN_SAMPLES
    }
    if not counted:
        return "nothing", 0.0
    name, line = max(counted.items(), key=lambda item: item[1]["p95_ms"])
    return name, line["p95_ms"]


def print_run(title: str, run: dict) -> None:
    print(f"\n{title}: {run['users']} users for {run['seconds']} s")
    print(f"{'request':<24} {'count':>7} {'failed':>7} {'p50 ms':>8} {'p95 ms':>8} {'rps':>7}")
    for name, line in sorted(run["requests"].items()):
        print(
            f"{name:<24} {line['requests']:>7} {line['failures']:>7} {line['p50_ms']:>8.0f} "
            f"{line['p95_ms']:>8.0f} {line['rps']:>7.1f}"
        )
    total = run["total"]
    print(
        f"{'all':<24} {total['requests']:>7} {total['failures']:>7} {total['p50_ms']:>8.0f} "
        f"{total['p95_ms']:>8.0f} {total['rps']:>7.1f}"
    )


def ramp(args, base_url: str, hubs: int, folder: Path) -> dict:
    cores = os.cpu_count() or 1
    steps: list[dict] = []
    knee = None
    for users in args.ramp:
        run = locust(
            base_url, users, args.step_seconds, args.trainees, hubs, folder, after_spawning=True
        )
        name, p95 = worst_p95(run)
        run["slowest"] = {"request": name, "p95_ms": p95}
        steps.append(run)
        print_run("Ramp step", run)
        if p95 > args.p95_limit_ms:
            knee = {
                "users": users,
                "slowest": run["slowest"],
                "before": steps[-2]["users"] if len(steps) > 1 else None,
                "rps_per_core_before": (
                    round(steps[-2]["total"]["rps"] / cores, 1) if len(steps) > 1 else None
                ),
                "rps_per_core_at": round(run["total"]["rps"] / cores, 1),
            }
            break
    return {"cores": cores, "p95_limit_ms": args.p95_limit_ms, "steps": steps, "knee": knee}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=5000)
    parser.add_argument("--evidence-per-trainee", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL (else a generated SQLite file)")
    parser.add_argument("--data-dir", default=str(ROOT / "instance" / "bench"))
    parser.add_argument("--redis-url", help="keep the sign-in limits in this Redis database")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=300, help="seconds of the steady run")
    parser.add_argument(
        "--ramp",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10, 20, 30, 40, 50, 60, 80, 100, 150, 200],
        help="users at each step, comma-separated",
    )
    parser.add_argument("--step-seconds", type=int, default=60)
    parser.add_argument("--p95-limit-ms", type=float, default=500)
    parser.add_argument("--no-ramp", action="store_true")
    parser.add_argument("--output", default=str(BENCH / "results"))
    args = parser.parse_args()

    url = args.database_url or sqlite_url(args)
    generated = ensure_dataset(args, url)
    hubs = hubs_for(args.trainees)
    env = {"RATELIMIT_STORAGE_URI": args.redis_url} if args.redis_url else {}
    server = Server(url, args.workers, app_path="wsgi:app", env=env)
    base_url = f"http://{HOST}:{server.port}"
    print(f"gunicorn ({args.workers} workers) on {base_url}, database {redact(url)}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            steady = locust(base_url, args.users, args.duration, args.trainees, hubs, folder)
            print_run("Steady run", steady)
            ramped = None if args.no_ramp else ramp(args, base_url, hubs, folder)
    finally:
        server.stop()

    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": dialect,
        "trainees": args.trainees,
        "evidence_per_trainee": args.evidence_per_trainee,
        "generate_seconds": generated,
        "workers": args.workers,
        "redis": bool(args.redis_url),
        "load_average_at_end": os.getloadavg()[0],
        "steady": steady,
        "ramp": ramped,
    }
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"load-{datetime.now(UTC):%Y%m%d-%H%M}-{dialect}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nResults written to {path}")
    if ramped and ramped["knee"]:
        knee = ramped["knee"]
        print(
            f"Knee: at {knee['users']} users {knee['slowest']['request']}'s p95 is "
            f"{knee['slowest']['p95_ms']:.0f} ms; {knee['rps_per_core_before']} requests/s "
            f"per core at {knee['before']} users"
        )
    failed = steady["total"]["failures"]
    if failed:
        sys.exit(f"{failed} requests failed in the steady run")


if __name__ == "__main__":
    main()
