"""The load test's script, run small: 60 trainees, a few virtual users, well under a minute.

The national-scale runs are the benchmark's job (bench/README.md); this checks that the
script still drives every journey against a real gunicorn with no failed request, on the
database the suite runs on, and writes the results file its report is read from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backups.conftest import empty_database  # noqa: F401  (a database of the suite's kind)
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from load import JOURNEYS


@pytest.mark.slow
def test_a_small_load_run_takes_every_journey_without_a_failure(
    empty_database: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    if empty_database.startswith("sqlite:///"):
        Path(empty_database.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--trainees",
            "60",
            "--evidence-per-trainee",
            "5",
            "--users",
            "10",
            "--duration",
            "40",
            "--workers",
            "2",
            "--no-ramp",
            "--database-url",
            empty_database,
            "--output",
            str(tmp_path / "results"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [written] = (tmp_path / "results").glob("load-*.json")
    result = json.loads(written.read_text())
    steady = result["steady"]
    assert steady["users"] == 10
    assert steady["total"]["failures"] == 0
    taken = {name for name, line in steady["requests"].items() if line["requests"] > 0}
    assert set(JOURNEYS) <= taken, f"journeys not taken: {set(JOURNEYS) - taken}"
    assert steady["requests"]["sign in"]["requests"] == 10  # each user signed in once
    assert result["database"] == ("postgresql" if "postgresql" in empty_database else "sqlite")
    assert "Steady run: 10 users for 40 s" in done.stdout
