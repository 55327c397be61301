"""The crosswalk's rules, each reported with the line at fault: in the file alone (a merge
of fewer than 2, an old id replaced twice or claimed two ways, a split into one part,
merges without follows, a version following itself) and against what is imported (a
version not imported, ids unknown to it, a cycle of versions)."""

from __future__ import annotations

from app.services.frameworks.validation import validate_framework_bytes
from tests.frameworks_lifecycle.conftest import FILES

V2 = (FILES / "v2.yaml").read_text(encoding="utf-8")


def _problems(text: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in validate_framework_bytes(text.encode()).problems]


def _line(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_example_second_version_reads_cleanly_with_its_crosswalk():
    spec = validate_framework_bytes(V2.encode()).spec
    assert spec.follows == "1"
    assert [(c.competency, c.kind, c.old_ids) for c in spec.crosswalk] == [
        ("A1", "replaces", ("A1",)),
        ("M1", "merges", ("A2", "A3")),
        ("S1", "splits_from", ("A4",)),
        ("S2", "splits_from", ("A4",)),
    ]


def test_a_merge_of_fewer_than_two_ids_is_refused():
    text = V2.replace("merges: [A2, A3]", "merges: [A2]")
    assert (
        _line(text, "merges: [A2]"),
        "'merges' of competency 'M1' must list at least 2 ids of the previous version, not 1: "
        "a competency that continues one old competency 'replaces' it",
    ) in _problems(text)


def test_an_old_id_replaced_twice_is_refused():
    text = V2.replace(
        "splits_from: A4\n        title: Offers", "replaces: A1\n        title: Offers"
    )
    first, second = _line(text, "replaces: A1"), _line(text, "title: Offers") - 1
    assert (
        second,
        f"'A1' of the previous version is replaced twice: by 'A1' (line {first}) and by 'S2'; "
        "an old competency is replaced at most once (use 'splits_from' when it became several)",
    ) in _problems(text)


def test_an_old_id_merged_and_split_is_refused():
    text = V2.replace("merges: [A2, A3]", "merges: [A2, A4]")
    merged = _line(text, "merges: [A2, A4]")
    assert (
        _line(text, "title: Finds out") - 1,
        f"'A4' of the previous version is claimed twice: 'merges' of 'M1' (line {merged}) and "
        "'splits_from' of 'S1'",
    ) in _problems(text)


def test_a_version_following_itself_is_a_cycle():
    text = V2.replace('follows: "1"', 'follows: "2"')
    assert (
        _line(text, 'follows: "2"'),
        "'follows' names this file's own version '2': a version cannot follow itself "
        "(that would make a cycle)",
    ) in _problems(text)


def test_merges_and_splits_need_follows():
    text = V2.replace('follows: "1"\n', "")
    assert (
        _line(text, "merges: [A2, A3]"),
        "'merges' needs the top-level 'follows' naming the version this one follows",
    ) in _problems(text)


def test_a_split_into_one_part_is_refused():
    text = V2.replace("        splits_from: A4\n        title: Offers", "        title: Offers")
    assert (
        _line(text, "splits_from: A4"),
        "'A4' is split into only one competency ('S1'): a competency that continues one old "
        "competency 'replaces' it",
    ) in _problems(text)


def test_a_competency_declares_one_relation_only():
    text = V2.replace(
        "        merges: [A2, A3]\n", "        merges: [A2, A3]\n        replaces: A5\n"
    )
    assert (
        _line(text, "merges: [A2, A3]"),
        "competency 'M1' may declare only one of 'replaces', 'merges' and 'splits_from', not "
        "both 'replaces' and 'merges'",
    ) in _problems(text)


def test_a_crosswalk_to_a_version_not_imported_is_refused_with_its_line(runner):
    result = runner.invoke(args=["frameworks", "import", str(FILES / "v2.yaml")])

    assert result.exit_code == 1
    assert (
        f"{FILES / 'v2.yaml'}:5: 'follows: \"1\"' is a crosswalk to a version not imported: "
        "import crosswalk-test version 1 first, then this file" in result.output
    )
    assert result.output.strip().endswith("nothing imported: fix the problems above first")


def test_ids_unknown_to_the_version_followed_are_reported_by_line(runner, v1, tmp_path):
    bad = tmp_path / "v2.yaml"
    bad.write_text(V2.replace("merges: [A2, A3]", "merges: [A2, A9]"), encoding="utf-8")

    result = runner.invoke(args=["frameworks", "validate", str(bad)])

    assert result.exit_code == 1
    line = _line(bad.read_text(), "merges: [A2, A9]")
    assert result.output.splitlines() == [
        f"{bad}:{line}: competency 'M1' merges 'A9', which is not a competency of "
        "crosswalk-test version 1"
    ]


def test_a_cycle_of_versions_is_refused(runner, v2, tmp_path):
    # Version 1 again under a new number, following 2, and 2 named as following it: 3 -> 2 -> 1
    # is fine, but a version "1" that follows 2 would close the loop.
    looping = tmp_path / "v1-again.yaml"
    looping.write_text(
        V2.replace('version: "2"', 'version: "1"').replace('follows: "1"', 'follows: "2"'),
        encoding="utf-8",
    )
    result = runner.invoke(args=["frameworks", "validate", str(looping)])

    assert result.exit_code == 1
    assert "'follows' makes a cycle of versions (1 -> 2 -> 1)" in result.output
