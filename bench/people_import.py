"""How long `users import` takes for a file of N people, on SQLite or PostgreSQL.

    .venv/bin/python bench/people_import.py                      # 1,000 rows, SQLite file
    .venv/bin/python bench/people_import.py --rows 2000
    .venv/bin/python bench/people_import.py --database-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/pcpt_bulkimport   # emptied first!

The database is emptied and migrated, the NCF imported, and an organisation tree with
20 supervisors made. The file has N trainees, each enrolled with a clinical and an
education supervisor in a cohort. Printed: the time of a dry run (read, check, plan),
of the import (the same plus writing, audit and invitations: committed and e-mailed to
the outbox), and of a re-run that skips every row; and the SQL statements of each.
A developer's tool: the figures go in docs/deployment.md, not into a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import organisations  # noqa: E402
from app.services.accounts import users as accounts  # noqa: E402
from app.services.accounts.bulk_import import COLUMNS  # noqa: E402
from app.services.frameworks import catalogue  # noqa: E402
from app.services.frameworks.validation import validate_framework_file  # noqa: E402
from app.services.registration.gphc import current_registration  # noqa: E402

SUPERVISORS = 20


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def _world() -> None:
    result = validate_framework_file(ROOT / "frameworks" / "ncf-pcpt-3.yaml")
    _, framework = catalogue.import_framework(result.spec, result.sha256)
    hub = organisations.create_organisation("Bench Hub", "training-hub")
    pcn = organisations.create_organisation("Bench PCN", "pcn", hub)
    for n in range(10):
        organisations.create_organisation(f"Bench Practice {n}", "practice", pcn)
    organisations.create_cohort("Bench cohort", hub, framework_id=framework.id)
    for n in range(SUPERVISORS):
        person = accounts.create_user(
            email=f"supervisor{n}@example.org",
            name=f"Supervisor {n}",
            roles=["supervisor"],
            password=None,
            organisation=pcn,
            gphc_number=f"2{n:06d}",
        )
        current_registration(person.id).verified_on = None
    db.session.commit()


def _file(rows: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n in range(rows):
        writer.writerow(
            [
                f"trainee{n}@example.org",
                f"Trainee Number {n}",
                "trainee",
                f"Bench Practice {n % 10}",
                "",
                "ncf-pcpt",
                "",
                f"supervisor{n % SUPERVISORS}@example.org",
                f"supervisor{(n + 1) % SUPERVISORS}@example.org",
                "Bench cohort",
                "2026-09-01",
            ]
        )
    return out.getvalue()


def _timed(runner, args: list[str]) -> tuple[float, float, int, str]:
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    started, cpu = time.perf_counter(), time.process_time()
    result = runner.invoke(args=args)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(db.engine, "before_cursor_execute", count)
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return elapsed, cpu, len(statements), result.output.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="people-import-"))
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    _reset(url)
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_SERVER="",
        MAIL_OUTBOX=str(work / "outbox"),
        UPLOAD_DIR=str(work / "uploads"),
    )
    path = work / "people.csv"
    path.write_text(_file(args.rows), encoding="utf-8")
    with app.app_context():
        upgrade()
        _world()
        runner = app.test_cli_runner()
        database = db.engine.dialect.name
        print(f"{args.rows} rows, {path.stat().st_size:,} bytes, on {database}")
        for label, command in (
            ("dry run", ["users", "import", str(path), "--dry-run"]),
            ("import", ["users", "import", str(path)]),
            ("re-run", ["users", "import", str(path)]),
        ):
            seconds, cpu, statements, last = _timed(runner, command)
            print(
                f"  {label:8} {seconds:6.2f} s ({cpu:6.2f} s CPU in this process)  "
                f"{statements:6} statements  ({last})"
            )
        mails = len(list((work / "outbox").glob("*.eml")))
        print(f"  e-mails in the outbox: {mails}")
        db.engine.dispose()
    if database == "postgresql":
        _reset(url)


if __name__ == "__main__":
    main()
