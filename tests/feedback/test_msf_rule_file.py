"""The `msf` block of a framework file: read into the spec, and every mistake reported
with its line (pure: no app, no database)."""

from __future__ import annotations

from pathlib import Path

from app.services.frameworks.framework_spec import MsfRule, RaterGroup
from app.services.frameworks.validation import format_problems, validate_framework_bytes

MINIMAL = Path(__file__).resolve().parent.parent / "framework_files" / "good" / "minimal.yaml"
# minimal.yaml has 23 lines: the block below starts on line 24.
GOOD_BLOCK = """\
msf:
  evidence_type: reflection
  min_responses: 3
  advised_responses: 10
  window_days: 28
  min_gap_days: 90
  report_threshold: 3
  groups:
    - id: pharmacists
      label: Pharmacists
      roles: [pharmacist]
      min_responses: 1
    - id: others
      label: Everyone else
      roles: [nurse, gp]
      min_responses: 2
"""


def problems_of(block: str) -> list[str]:
    raw = MINIMAL.read_bytes() + block.encode()
    return format_problems("f.yaml", validate_framework_bytes(raw).problems)


def test_a_framework_without_the_block_has_no_rounds():
    assert validate_framework_bytes(MINIMAL.read_bytes()).spec.msf is None


def test_the_block_is_read_into_the_rule():
    result = validate_framework_bytes(MINIMAL.read_bytes() + GOOD_BLOCK.encode())
    assert result.problems == []
    assert result.spec.msf == MsfRule(
        evidence_type="reflection",
        min_responses=3,
        advised_responses=10,
        window_days=28,
        min_gap_days=90,
        report_threshold=3,
        groups=(
            RaterGroup("pharmacists", "Pharmacists", ("pharmacist",), 1),
            RaterGroup("others", "Everyone else", ("nurse", "gp"), 2),
        ),
    )


def test_advice_defaults_to_the_minimum_and_groups_are_optional():
    block = GOOD_BLOCK.split("  advised_responses")[0] + (
        "  window_days: 28\n  min_gap_days: 90\n  report_threshold: 2\n"
    )
    rule = validate_framework_bytes(MINIMAL.read_bytes() + block.encode()).spec.msf
    assert (rule.advised_responses, rule.groups) == (3, ())


def test_a_mix_that_needs_more_than_the_minimum_is_refused_on_the_groups_line():
    block = GOOD_BLOCK.replace("      min_responses: 2", "      min_responses: 3")
    assert problems_of(block) == [
        "f.yaml:31: the 'msf' groups need 4 responses between them, more than min_responses "
        "(3); raise min_responses to at least 4 or lower a group's min_responses"
    ]


def test_a_threshold_above_the_minimum_is_refused():
    block = GOOD_BLOCK.replace("report_threshold: 3", "report_threshold: 4")
    assert problems_of(block) == [
        "f.yaml:30: report_threshold (4) is more than min_responses (3): a valid round's "
        "report could never be shown"
    ]


def test_a_threshold_of_one_would_show_a_single_rater_and_is_refused():
    block = GOOD_BLOCK.replace("report_threshold: 3", "report_threshold: 1")
    assert problems_of(block) == [
        "f.yaml:30: report_threshold must be at least 2, so that no single rater's answers "
        "are ever shown on their own"
    ]


def test_unknown_keys_types_and_references_are_reported_by_line():
    block = (
        GOOD_BLOCK.replace("evidence_type: reflection", "evidence_type: observation")
        .replace("window_days: 28", "window_days: four weeks")
        .replace("roles: [nurse, gp]", "roles: [nurse, surgeon, pharmacist]")
        .replace("  groups:", "  reminder_days: 7\n  groups:")
    )
    assert problems_of(block) == [
        "f.yaml:25: the 'msf' rule's evidence type 'observation' is 'observed: true', but "
        "feedback from colleagues is not an observation of practice",
        "f.yaml:28: 'window_days' must be a whole number from 1 to 1000 written in digits, "
        "not text",
        "f.yaml:31: unknown key 'reminder_days' in the 'msf' rule; did you mean 'window_days'?",
        "f.yaml:39: unknown rater role 'surgeon'; the roles are pharmacist, "
        "pharmacy-technician, gp, nurse, other-clinician, non-clinical, patient-facing-admin",
        "f.yaml:39: rater role 'pharmacist' is already in a group (line 35); a role belongs "
        "to one group at most",
    ]


def test_a_missing_key_and_an_unknown_evidence_type_are_reported():
    block = GOOD_BLOCK.replace("  min_gap_days: 90\n", "").replace(
        "evidence_type: reflection", "evidence_type: feedback"
    )
    assert problems_of(block) == [
        "f.yaml:25: the 'msf' rule is missing required key 'min_gap_days'",
        "f.yaml:25: the 'msf' rule refers to unknown evidence type 'feedback'; a released "
        "feedback report is recorded as evidence of this type",
    ]


def test_a_gap_shorter_than_the_window_is_refused():
    block = GOOD_BLOCK.replace("min_gap_days: 90", "min_gap_days: 14")
    assert problems_of(block) == [
        "f.yaml:29: min_gap_days (14) is shorter than window_days (28): rounds would overlap"
    ]


def test_the_ncf_rule_follows_the_domain_notes():
    ncf = Path(__file__).resolve().parents[2] / "frameworks" / "ncf-pcpt-3.yaml"
    rule = validate_framework_bytes(ncf.read_bytes()).spec.msf
    assert (rule.min_responses, rule.advised_responses, rule.min_gap_days) == (3, 10, 90)
    assert [g.min_responses for g in rule.groups] == [1, 1]
    assert "pharmacist" in rule.groups[0].roles
    assert "pharmacist" not in rule.groups[1].roles


def test_a_required_key_missing_is_reported_and_nothing_else_is_read():
    block = GOOD_BLOCK.replace("  window_days: 28\n", "")
    assert problems_of(block) == ["f.yaml:25: the 'msf' rule is missing required key 'window_days'"]
