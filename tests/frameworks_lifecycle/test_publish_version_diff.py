"""The diff a lead reads before publishing a version: competencies added, ended, reworded
(through `replaces`, or by id when the file follows nothing), merged and split, and the
rule changes. Pure: two parsed files, no database (one test reads an imported version)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.frameworks import catalogue
from app.services.frameworks.framework_spec import SignOffRule
from app.services.frameworks.validation import validate_framework_bytes
from app.services.frameworks.version_diff import (
    diff_versions,
    rule_words,
    view_of_framework,
    view_of_spec,
)
from tests.conftest import import_framework_file

FILES = Path(__file__).resolve().parent / "files"
V1 = (FILES / "v1.yaml").read_text()
V2 = (FILES / "v2.yaml").read_text()


def spec_of(text: str):
    result = validate_framework_bytes(text.encode())
    assert not result.problems, result.problems
    return result.spec


def diff(old_text: str, new_text: str):
    new = spec_of(new_text)
    return diff_versions(view_of_spec(spec_of(old_text)), view_of_spec(new), new)


def codes(items) -> list[str]:
    return [c.code for c in items]


def test_a_version_that_follows_is_compared_through_its_crosswalk():
    changes = diff(V1, V2)

    assert changes.follows
    assert changes.baseline_version == "1"
    assert codes(changes.added) == ["N1"]
    assert codes(changes.ended) == ["A5"]
    [reworded] = changes.reworded
    assert (reworded.old.code, reworded.new.code) == ("A1", "A1")
    assert reworded.changed == ("title", "description")
    assert [(m.new.code, codes(m.old)) for m in changes.merged] == [("M1", ["A2", "A3"])]
    assert [(s.old.code, codes(s.new)) for s in changes.split] == [("A4", ["S1", "S2"])]
    assert changes.rule_changes == ()
    assert changes.has_changes


def test_replaces_under_a_new_id_is_reworded_even_with_the_same_words():
    renamed = V2.replace(
        (
            "      - id: A1\n        replaces: A1\n        title: Checks and teaches inhaler "
            "technique\n        description: Watches the patient first, then teaches."
        ),
        (
            "      - id: A1b\n        replaces: A1\n        title: Explains inhaler use\n        "
            "description: Checks and teaches inhaler technique."
        ),
    )
    changes = diff(V1, renamed)

    [reworded] = changes.reworded
    assert (reworded.old.code, reworded.new.code, reworded.changed) == ("A1", "A1b", ())


def test_a_competency_keeping_an_old_id_without_replaces_is_added_and_the_old_one_ended():
    no_claim = V2.replace("        replaces: A1\n", "")
    changes = diff(V1, no_claim)

    assert codes(changes.added) == ["A1", "N1"]
    assert codes(changes.ended) == ["A1", "A5"]
    assert changes.reworded == ()


def test_without_follows_competencies_are_paired_by_id():
    later = (
        V1.replace('version: "1"', 'version: "1.1"')
        .replace(
            "title: Supports care homes, description: Helps care homes order medicines.",
            "title: Supports care homes, description: Helps care homes order and store medicines.",
        )
        .replace(
            (
                "      - {id: A5, title: Gives lifestyle advice, "
                "description: Brief advice on weight and smoking.}\n"
            ),
            "      - {id: A6, title: Uses clinical systems, description: Safely.}\n",
        )
    )
    new = spec_of(later)
    changes = diff_versions(view_of_spec(spec_of(V1)), view_of_spec(new), new)

    assert not changes.follows
    assert [(r.new.code, r.changed) for r in changes.reworded] == [("A3", ("description",))]
    assert codes(changes.added) == ["A6"]
    assert codes(changes.ended) == ["A5"]
    assert changes.unchanged == ("A1", "A2", "A4")


def test_indicator_changes_make_a_competency_reworded():
    old = V1.replace(
        (
            "      - {id: A2, title: Works with community pharmacies, description: Settles queries "
            "quickly.}"
        ),
        (
            "      - id: A2\n        title: Works with community pharmacies\n        description: "
            "Settles queries quickly.\n        indicators: [Answers the same day]"
        ),
    )
    new = old.replace('version: "1"', 'version: "1.1"').replace(
        "[Answers the same day]", "[Answers the same day, Writes the answer down]"
    )
    changes = diff(old, new)

    assert [(r.new.code, r.changed) for r in changes.reworded] == [("A2", ("indicators",))]


def test_rule_changes_name_the_default_rule_an_override_the_types_and_the_scale():
    new = (
        V1.replace('version: "1"', 'version: "1.1"')
        .replace("  min_evidence: 2\n", "  min_evidence: 3\n")
        .replace(
            (
                "      - {id: A1, title: Explains inhaler use, description: Checks and teaches "
                "inhaler technique.}"
            ),
            (
                "      - {id: A1, title: Explains inhaler use, description: Checks and teaches "
                "inhaler technique., sign_off: {min_evidence: 4}}"
            ),
        )
        .replace(
            "  - {id: observation, label: Observation of practice, observed: true}",
            (
                "  - {id: observation, label: Direct observation of practice, observed: true}\n  - "
                "{id: case-review, label: Case review, observed: false}"
            ),
        )
        .replace(
            "  - {id: competent, label: Competent, proficient: true}",
            (
                "  - {id: competent, label: Competent, proficient: true}\n"
                "  - {id: excellent, label: Excellent, proficient: true}"
            ),
        )
    )
    changes = diff(V1, new)

    assert [(c.subject, c.before, c.after) for c in changes.rule_changes] == [
        (
            "Default sign-off rule",
            "2 accepted items of evidence, of at least 2 different types, at least one observed",
            "3 accepted items of evidence, of at least 2 different types, at least one observed",
        ),
        (
            "Sign-off rule of A1",
            "the default rule",
            "its own rule: 4 accepted items of evidence, of at least 2 different types, "
            "at least one observed",
        ),
        (
            "Evidence type 'observation'",
            "Observation of practice (observed)",
            "Direct observation of practice (observed)",
        ),
        ("Evidence type 'case-review'", None, "Case review (not observed)"),
        ("Scale value 'excellent'", None, "Excellent (counts as competent)"),
    ]
    # Only the default changed for the others: they are not listed one by one.
    assert codes(changes.ended) == []
    assert changes.reworded == ()


def test_an_identical_file_under_a_new_version_changes_nothing():
    changes = diff(V1, V1.replace('version: "1"', 'version: "1.1"'))

    assert not changes.has_changes
    assert changes.unchanged == ("A1", "A2", "A3", "A4", "A5")


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (SignOffRule(1, 1, False), "1 accepted item of evidence, of at least 1 type"),
        (
            SignOffRule(2, 2, True, True),
            "2 accepted items of evidence, of at least 2 different types, at least one "
            "observed, observations completed by the assessor",
        ),
    ],
)
def test_rule_words(rule, words):
    assert rule_words(rule) == words


def test_an_imported_version_reads_as_its_file_does(app):
    imported = catalogue.load_framework_tree(import_framework_file(FILES / "v1.yaml").id)

    assert view_of_framework(imported) == view_of_spec(spec_of(V1))
