"""Unit tests for the framework file validator: pure, no Flask app and no database.

Each file in tests/framework_files/bad/ holds one kind of mistake; its sibling
``.expected`` file lists the exact problems, one per line, as ``LINE: message``
(``-: message`` when no line applies). See docs/framework-format.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import time
from pathlib import Path

import pytest
import yaml

from app.services.frameworks import yaml_nodes as framework_yaml
from app.services.frameworks.framework_spec import ObservationRule
from app.services.frameworks.validation import (
    MAX_FRAMEWORK_BYTES,
    MAX_PROBLEMS,
    Problem,
    SignOffRule,
    ValidationResult,
    format_problems,
    validate_framework_bytes,
    validate_framework_file,
)

ROOT = Path(__file__).resolve().parent.parent
NCF = ROOT / "frameworks" / "ncf-pcpt-3.yaml"
GPHC = ROOT / "frameworks" / "gphc-standards-2017.yaml"
FILES = Path(__file__).resolve().parent / "framework_files"
MINIMAL = FILES / "good" / "minimal.yaml"
BAD_FILES = sorted((FILES / "bad").glob("*.yaml"))


def render(problems: list[Problem]) -> list[str]:
    return [f"{'-' if p.line is None else p.line}: {p.message}" for p in problems]


# --- the catalogue of bad files ----------------------------------------------------


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_file_reports_exactly_the_expected_problems(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    result = validate_framework_file(path)
    assert render(result.problems) == expected
    assert result.spec is None


def test_every_bad_file_has_an_expected_output_and_vice_versa() -> None:
    yamls = {p.stem for p in BAD_FILES}
    expected = {p.stem for p in (FILES / "bad").glob("*.expected")}
    assert yamls == expected
    assert len(yamls) >= 20


def test_every_problem_in_the_catalogue_has_a_line_except_whole_file_ones() -> None:
    whole_file = {"empty", "only-comments", "missing-format", "unknown-key-did-you-mean"}
    for path in BAD_FILES:
        for problem in validate_framework_file(path).problems:
            assert problem.line is not None or path.stem in whole_file, (path.name, problem)


def test_all_problems_are_collected_in_one_run() -> None:
    result = validate_framework_file(FILES / "bad" / "several-problems.yaml")
    assert len(result.problems) >= 10
    # Problems from the header, the scale, the rule and the domains all appear.
    lines = {p.line for p in result.problems}
    assert {3, 4, 5, 6, 9, 12, 18, 20, 21} <= lines
    assert result.problems == sorted(result.problems, key=lambda p: p.line or 0)


# --- the shipped frameworks ----------------------------------------------------------


def test_ncf_validates_with_four_domains() -> None:
    result = validate_framework_file(NCF)
    assert result.problems == []
    spec = result.spec
    assert spec is not None
    assert (spec.id, spec.version, spec.status) == ("ncf-pcpt", "3", "provisional")
    assert spec.publisher == "APTUK and PCPA"
    assert [d.title for d in spec.domains] == [
        "Multidisciplinary Team Working",
        "Managing Medicines",
        "Optimising Medicines and Personalised Care",
        "Professional Accountability and Leadership",
    ]
    assert [len(d.competencies) for d in spec.domains] == [5, 5, 5, 5]
    assert len(spec.competencies) == 20
    assert [s.id for s in spec.standards] == [f"gphc-{n}" for n in range(1, 10)]
    for competency in spec.competencies:
        assert 3 <= len(competency.indicators) <= 5, competency.id
        assert competency.standards, competency.id
    # Observed means someone watched live practice: a case-based discussion is not.
    assert {t.id for t in spec.evidence_types if t.observed} == {
        "work-based-observation",
        "mini-cex",
        "dops",
        "consultation-observation",
    }
    assert len(spec.evidence_types) == 11
    assert any(v.proficient for v in spec.scale)
    assert spec.sign_off == SignOffRule(min_evidence=2, min_types=2, require_observed=True)


def test_ncf_marks_its_wording_as_a_draft() -> None:
    header = NCF.read_text(encoding="utf-8").split("format:", 1)[0]
    assert "draft" in header.lower()
    assert "editing this" in header


def test_a_differently_shaped_framework_validates() -> None:
    spec = validate_framework_file(GPHC).spec
    assert spec is not None
    assert (spec.id, spec.version, spec.status) == ("gphc-standards", "2017", "published")
    assert [len(d.competencies) for d in spec.domains] == [4, 5]
    assert spec.standards == ()
    assert [v.id for v in spec.scale] == ["not-met", "met"]
    assert {t.id for t in spec.evidence_types} == {
        "cpd-planned",
        "cpd-unplanned",
        "peer-discussion",
        "reflective-account",
    }


def test_minimal_file_validates() -> None:
    result = validate_framework_file(MINIMAL)
    assert result.problems == []
    assert result.spec is not None
    (domain,) = result.spec.domains
    (competency,) = domain.competencies
    assert (domain.id, domain.position, competency.id, competency.position) == ("A", 0, "A1", 0)
    assert competency.indicators == ()
    assert competency.standards == ()
    assert competency.replaces is None


def test_override_is_merged_into_the_effective_rule() -> None:
    spec = validate_framework_file(NCF).spec
    assert spec is not None
    by_id = {c.id: c for c in spec.competencies}
    # Only min_evidence overridden: the rest comes from the default.
    assert by_id["D1.2"].sign_off == SignOffRule(3, 2, True)
    assert by_id["D1.2"].sign_off_override is True
    # Only require_observed overridden.
    assert by_id["D4.5"].sign_off == SignOffRule(2, 2, False)
    # No override: the default itself, flagged as not overridden.
    assert by_id["D1.1"].sign_off == spec.sign_off
    assert by_id["D1.1"].sign_off_override is False


def test_an_observation_rule_is_read_with_its_types_minimum_days_and_rating() -> None:
    spec = validate_framework_file(FILES / "good" / "observation-rule.yaml").spec
    assert spec is not None
    (competency,) = spec.competencies
    assert competency.observations == ObservationRule(
        types=("consultation", "observation"),
        min_items=2,
        distinct_days=True,
        min_rating="competent",
    )


def test_the_ncf_consultation_competency_carries_the_pcpep_rule() -> None:
    spec = validate_framework_file(NCF).spec
    assert spec is not None
    by_id = {c.id: c for c in spec.competencies}
    assert by_id["D3.1"].observations == ObservationRule(
        ("consultation-observation",), 2, True, "competent"
    )
    assert [c.id for c in spec.competencies if c.observations] == ["D3.1"]


def test_competency_replaces_is_kept() -> None:
    raw = MINIMAL.read_bytes() + b"        replaces: OLD-1.1\n"
    spec = validate_framework_bytes(raw).spec
    assert spec is not None
    assert spec.competencies[0].replaces == "OLD-1.1"


def test_spec_is_immutable() -> None:
    spec = validate_framework_file(MINIMAL).spec
    assert spec is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.title = "changed"  # type: ignore[misc]


# --- hostile and broken input ------------------------------------------------------


def test_oversize_file_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_parse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an oversize file was parsed")

    monkeypatch.setattr(yaml, "parse", must_not_parse)
    monkeypatch.setattr(yaml, "compose", must_not_parse)
    raw = b"a: [" + b"x, " * (MAX_FRAMEWORK_BYTES // 3) + b"]\n"
    path = tmp_path / "huge.yaml"
    path.write_bytes(raw)
    for result in (validate_framework_file(path), validate_framework_bytes(raw)):
        assert render(result.problems) == [
            f"-: the file is too large: {len(raw)} bytes, the limit is "
            f"{MAX_FRAMEWORK_BYTES} bytes (1 MiB)"
        ]
        assert result.spec is None
        assert result.sha256 == hashlib.sha256(raw).hexdigest()


def test_a_file_exactly_at_the_limit_is_parsed() -> None:
    raw = MINIMAL.read_bytes()
    raw += b"#" * (MAX_FRAMEWORK_BYTES - len(raw))
    assert len(raw) == MAX_FRAMEWORK_BYTES
    assert validate_framework_bytes(raw).problems == []


def test_billion_laughs_returns_quickly_without_expanding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def must_not_compose(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a document with aliases was composed")

    monkeypatch.setattr(yaml, "compose", must_not_compose)
    levels = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    levels += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 40)]
    raw = ("\n".join(levels) + "\n").encode()
    started = time.perf_counter()
    result = validate_framework_bytes(raw)
    assert time.perf_counter() - started < 2
    assert result.spec is None
    assert result.problems[0] == Problem(
        1, "YAML anchor '&l0' is not allowed; write the content out in full"
    )


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    result = validate_framework_bytes(b"a: " + b"[" * 50_000)
    assert render(result.problems) == [
        f"1: nesting is deeper than {framework_yaml.MAX_DEPTH} levels"
    ]


def test_problem_list_is_capped() -> None:
    raw = MINIMAL.read_bytes() + b"".join(b"extra%d: 1\n" % n for n in range(300))
    problems = validate_framework_bytes(raw).problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == Problem(None, f"{300 - MAX_PROBLEMS} more problems not shown")


def test_nothing_raises_on_fuzzed_input() -> None:
    rng = random.Random(20170501)
    samples: list[bytes] = [rng.randbytes(rng.randrange(1, 300)) for _ in range(200)]
    ncf = NCF.read_bytes()
    samples += [ncf[:cut] for cut in range(0, len(ncf), 1499)]
    # Small files keep the many mutations fast; the NCF is covered by its truncations.
    sources = [GPHC.read_bytes(), MINIMAL.read_bytes(), MINIMAL.read_bytes()]
    tokens = [b"&a ", b"*a", b"!!set ", b"{", b"]", b"- ", b": ", b"\t", b"'", b"\xff", b"\x00"]
    for _ in range(200):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(data) + 1)
            data[at:at] = rng.choice(tokens)
        samples.append(bytes(data))
    for sample in samples:
        result = validate_framework_bytes(sample)
        assert isinstance(result, ValidationResult)
        assert (result.spec is None) == bool(result.problems)


# --- results and output -------------------------------------------------------------


def test_sha256_is_of_the_raw_bytes_and_stable() -> None:
    raw = MINIMAL.read_bytes()
    first, second = validate_framework_bytes(raw), validate_framework_file(MINIMAL)
    assert first.sha256 == second.sha256 == hashlib.sha256(raw).hexdigest()
    # A comment changes the digest (the content differs) but not the parsed spec.
    commented = validate_framework_bytes(raw + b"# a comment\n")
    assert commented.sha256 != first.sha256
    assert commented.spec == first.spec


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    missing = validate_framework_file(tmp_path / "nope.yaml")
    assert render(missing.problems) == ["-: cannot read file: No such file or directory"]
    assert missing.spec is None
    directory = validate_framework_file(tmp_path)
    assert len(directory.problems) == 1
    assert directory.problems[0].message.startswith("cannot read file: ")


def test_format_problems() -> None:
    problems = [Problem(None, "the file is empty"), Problem(7, "unknown key 'x' in the framework")]
    assert format_problems("frameworks/a.yaml", problems) == [
        "frameworks/a.yaml: the file is empty",
        "frameworks/a.yaml:7: unknown key 'x' in the framework",
    ]


def test_the_example_in_the_docs_validates() -> None:
    doc = (ROOT / "docs" / "framework-format.md").read_text(encoding="utf-8")
    example = doc.rsplit("```yaml\n", 1)[1].split("```", 1)[0]
    result = validate_framework_bytes(example.encode())
    assert result.problems == []
    assert result.spec is not None
    (d1_1, d1_2) = result.spec.competencies
    assert d1_1.sign_off == SignOffRule(3, 2, True)
    assert d1_1.replaces == "D1.4"
    assert d1_2.sign_off == SignOffRule(2, 2, False)
