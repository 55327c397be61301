"""`flask frameworks migrate`: the dry run says per trainee what would happen and changes
nothing; the real run moves, says so, and a re-run moves nothing; bad options exit 1 with
one line; the shipped worked example (ncf-pcpt 3.1) imports after 3 and validates its
crosswalk."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.crosswalk import FrameworkMove
from app.models.enrolments import Enrolment
from tests.conftest import ROOT
from tests.frameworks_lifecycle.conftest import complete

MOVE = ["frameworks", "migrate", "--from", "crosswalk-test@1", "--to", "crosswalk-test@2"]


def test_dry_run_prints_what_would_carry_over_and_changes_nothing(
    runner, on_v1, v2, accepted, sign
):
    accepted(on_v1, "reflective-account", ["A2"], title="Pharmacy query")
    accepted(on_v1, "observation", ["A2"], title="Observed query")
    sign(on_v1, "A2")

    result = runner.invoke(args=[*MOVE, "--cohort", "Autumn intake", "--dry-run"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Sam Okafor <{on_v1.trainee.email}>: would move"
    assert "  needs a new sign-off: M1 (merges A2, A3)" in lines
    assert "  new: N1" in lines
    assert "  ended: A5" in lines
    assert "  evidence links added: 2" in lines
    assert lines[-1] == "crosswalk-test 1 -> 2: dry run, nothing changed; 1 trainee would move"
    assert db.session.scalar(select(FrameworkMove)) is None


def test_real_run_moves_then_a_rerun_moves_nothing(runner, on_v1, v2, accepted, sign):
    accepted(on_v1, "reflective-account", ["A1"], title="Inhaler")
    accepted(on_v1, "observation", ["A1"], title="Observed inhaler")
    original = sign(on_v1, "A1")

    first = runner.invoke(args=[*MOVE, "--trainee", on_v1.trainee.email])
    again = runner.invoke(args=[*MOVE, "--trainee", on_v1.trainee.email])

    assert first.exit_code == 0, first.output
    signed_on = original.signed_at.date().isoformat()
    assert f"  sign-off carried over: A1 (signed on {signed_on} by Priya Shah)" in first.output
    assert first.output.splitlines()[-1] == "crosswalk-test 1 -> 2: moved 1 trainee"
    assert again.exit_code == 0
    assert "not moved, already on version 2" in again.output
    assert again.output.splitlines()[-1].endswith(
        "nothing to move; every chosen trainee is already moved or refused"
    )
    assert db.session.get(Enrolment, on_v1.id).framework_id == v2.id


def test_a_cohort_move_leaves_the_audit_chain_verified(
    runner, on_v1, v2, accepted, sign, make_user
):
    accepted(on_v1, "reflective-account", ["A1"], title="Inhaler")
    accepted(on_v1, "observation", ["A1"], title="Observed inhaler")
    sign(on_v1, "A1")
    enrolment_id = on_v1.id

    moved = runner.invoke(args=[*MOVE, "--cohort", "Autumn intake"])
    verified = runner.invoke(args=["audit", "verify"])

    assert moved.exit_code == 0, moved.output
    assert verified.exit_code == 0, verified.output
    assert db.session.get(Enrolment, enrolment_id).framework_id == v2.id


def test_a_completed_trainee_is_refused_with_one_line(runner, on_v1, v2):
    complete(on_v1)

    result = runner.invoke(args=[*MOVE, "--trainee", on_v1.trainee.email])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {on_v1.trainee.email}: has a final sign-off: a completed training is not moved"
    ]


def test_unknown_cohort_and_unimported_version_exit_1_with_one_line(runner, on_v1, v2):
    no_cohort = runner.invoke(args=[*MOVE, "--cohort", "Nobody"])
    no_version = runner.invoke(
        args=["frameworks", "migrate", "--from", "crosswalk-test@1", "--to", "crosswalk-test@7"]
    )

    assert (no_cohort.exit_code, no_version.exit_code) == (1, 1)
    assert no_cohort.output.strip() == "Error: there is no cohort named 'Nobody'"
    assert no_version.output.strip() == "Error: crosswalk-test version 7 is not imported"


def test_the_worked_example_imports_after_version_3_and_shows_each_kind(runner):
    folder = ROOT / "frameworks"
    imported = runner.invoke(
        args=[
            "frameworks",
            "import",
            str(folder / "ncf-pcpt-3.1.yaml"),
            str(folder / "ncf-pcpt-3.yaml"),
        ]
    )
    assert imported.exit_code == 0, imported.output
    assert imported.output.splitlines()[-1].endswith("imported ncf-pcpt version 3.1")
    from app.models.crosswalk import CompetencyCrosswalk

    kinds = {row.kind for row in db.session.scalars(select(CompetencyCrosswalk))}
    assert kinds == {"replaces", "merges", "splits_from"}
