"""The progress report service: rows, flags, filters, sorting, scope and query counts."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.services.clock import uk_today
from app.services.portfolio import sufficiency
from app.services.reporting import competency_report, progress_base, progress_report
from app.services.reporting.flags import Flag
from app.services.reporting.scope import ReportFilters
from app.services.supervision import signoffs


def _names(rows) -> list[str]:
    return [r.name for r in rows]


def _row(report, name: str):
    return next(r for r in report.rows if r.name == name)


def test_a_row_carries_progress_review_registration_level3_and_supervision(seeded, lead, today):
    ada = _row(progress_report.build_report(lead, today=today), "Ada Harbour")

    assert ada.gphc_number == "5012345"
    assert ada.organisation == "Harbour Street Surgery"
    assert ada.cohort == "Spring intake"
    assert ada.clinical_supervisor == "Sam Okafor"
    assert [(d.code, d.signed_off, d.total) for d in ada.domains] == [
        ("D1", 1, 5),
        ("D2", 0, 5),
        ("D3", 0, 5),
        ("D4", 0, 5),
    ]
    assert (ada.signed_off, ada.total, ada.percent) == (1, 20, 5)
    assert ada.expected_percent == 50
    assert ada.awaiting_review == 1
    assert ada.last_activity_on == today
    assert (ada.registration_flag, ada.registration_verified) == ("current", True)
    assert ada.registration_expires_on == today + timedelta(days=300)
    assert (ada.level3_status, ada.level3_verified) == ("achieved", True)
    assert (ada.supervision_sessions, ada.last_supervision_on) == (1, today)
    assert ada.protected_learning_days_allowed == 28
    assert ada.flags == (Flag.BEHIND,)


def test_a_lead_sees_every_active_trainee_in_their_subtree_by_name(seeded, lead, today):
    report = progress_report.build_report(lead, today=today)
    assert _names(report.rows) == ["=Cal Cliff", "Ada Harbour", "Ben Harbour"]


def test_a_pcn_lead_sees_none_of_another_pcns_trainees(seeded, harbour_lead, cliff_lead, today):
    assert _names(progress_report.build_report(harbour_lead, today=today).rows) == [
        "Ada Harbour",
        "Ben Harbour",
    ]
    assert _names(progress_report.build_report(cliff_lead, today=today).rows) == ["=Cal Cliff"]


def test_a_supervisor_sees_only_the_trainees_they_supervise(seeded, other_supervisor, today):
    assert _names(progress_report.build_report(other_supervisor, today=today).rows) == [
        "=Cal Cliff"
    ]


def test_an_admin_without_the_lead_role_sees_nobody(seeded, make_user, hub, today):
    admin = make_user(roles=("admin",), org=hub)
    report = progress_report.build_report(admin, today=today)
    assert report.rows == []
    assert list(progress_report.iter_progress(admin, today=today)) == []


def test_withdrawn_enrolments_are_left_out(seeded, lead, today):
    _, enrolment = seeded["ben"]
    enrolment.status = "withdrawn"
    db.session.commit()
    assert "Ben Harbour" not in _names(progress_report.build_report(lead, today=today).rows)


def test_signed_off_counts_ignore_revoked_and_not_yet_competent_sign_offs(
    seeded, lead, supervisor, framework, today
):
    _, enrolment = seeded["ada"]
    second = framework.domains[0].competencies[1]
    standing = signoffs.sign_offs_for(enrolment.id)[0]
    signoffs.revoke(standing, actor=supervisor, reason="Signed in error", authenticated_at=utcnow())
    signoffs.sign_off(
        enrolment,
        second,
        signer=supervisor,
        outcome_code="not-yet",
        comment="Not yet",
        override_justification="Assessed in practice",
        authenticated_at=utcnow(),
    )
    db.session.commit()
    ada = _row(progress_report.build_report(lead, today=today), "Ada Harbour")
    assert ada.signed_off == 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (lambda s: ReportFilters(organisation_id=s["harbour"].id), ["Ada Harbour", "Ben Harbour"]),
        (lambda s: ReportFilters(supervisor_id=s["other"].id), ["=Cal Cliff"]),
        (
            lambda s: ReportFilters(cohort_id=s["cohort"].id),
            ["=Cal Cliff", "Ada Harbour", "Ben Harbour"],
        ),
        (lambda s: ReportFilters(flag="registration"), ["Ben Harbour"]),
        (lambda s: ReportFilters(flag="stalled"), ["Ben Harbour"]),
    ],
    ids=["organisation subtree", "supervisor", "cohort", "flag registration", "flag stalled"],
)
def test_filters_narrow_the_report(
    seeded, lead, harbour, other_supervisor, cohort, today, filters, expected
):
    chosen = filters({"harbour": harbour, "other": other_supervisor, "cohort": cohort})
    assert _names(progress_report.build_report(lead, chosen, today=today).rows) == expected


def test_a_filter_outside_the_viewers_scope_matches_nothing(seeded, harbour_lead, cliff, today):
    chosen = ReportFilters(organisation_id=cliff.id)
    assert progress_report.build_report(harbour_lead, chosen, today=today).rows == []


def test_flag_counts_are_taken_before_the_flag_filter(seeded, lead, today):
    report = progress_report.build_report(lead, ReportFilters(flag="stalled"), today=today)
    assert report.flag_counts[Flag.BEHIND] == 3
    assert report.flag_counts[Flag.REGISTRATION] == 1


def test_review_waiting_shows_once_a_submission_has_waited_the_configured_days(
    seeded, lead, app, today
):
    submitted_on = uk_today()  # the seeded submissions were made today

    def waiting(days: int) -> bool:
        on = submitted_on + timedelta(days=days)
        report = progress_report.build_report(lead, today=on)
        return Flag.REVIEW_WAITING in _row(report, "Ada Harbour").flags

    # Counted in whole days: the 14th day after the submission is the first it shows.
    assert not waiting(13)
    assert waiting(14)
    app.config["REPORT_REVIEW_WAIT_DAYS"] = 20
    assert not waiting(15)
    assert not waiting(19)
    assert waiting(20)


def test_stalled_counts_from_the_last_activity_and_follows_the_configured_threshold(
    seeded, lead, app, today
):
    def stalled(name: str, on) -> bool:
        report = progress_report.build_report(lead, today=on)
        return Flag.STALLED in _row(report, name).flags

    assert not stalled("Ada Harbour", today + timedelta(days=41))
    assert stalled("Ada Harbour", today + timedelta(days=42))
    app.config["REPORT_STALLED_DAYS"] = 400
    assert not stalled("Ben Harbour", today)


@pytest.mark.summary_may_differ("it changes the behind margin: stored summaries need a rebuild")
def test_behind_is_judged_against_the_straight_line_with_a_margin(seeded, lead, app, today):
    _, enrolment = seeded["ben"]
    assert (
        Flag.BEHIND
        not in _row(
            progress_report.build_report(lead, today=enrolment.started_on + timedelta(days=30)),
            "Ben Harbour",
        ).flags
    )
    assert Flag.BEHIND in _row(progress_report.build_report(lead, today=today), "Ben Harbour").flags
    app.config["REPORT_BEHIND_MARGIN_PERCENT"] = 60
    assert (
        Flag.BEHIND
        not in _row(progress_report.build_report(lead, today=today), "Ben Harbour").flags
    )


def test_no_supervision_flags_a_month_without_a_session_once_enrolled_a_month(seeded, lead, today):
    report = progress_report.build_report(lead, today=today)
    assert Flag.NO_SUPERVISION not in _row(report, "Ada Harbour").flags
    assert Flag.NO_SUPERVISION in _row(report, "Ben Harbour").flags
    later = progress_report.build_report(lead, today=today + timedelta(days=31))
    assert Flag.NO_SUPERVISION in _row(later, "Ada Harbour").flags


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("name", False, ["=Cal Cliff", "Ada Harbour", "Ben Harbour"]),
        ("progress", True, ["Ada Harbour", "=Cal Cliff", "Ben Harbour"]),
        ("flags", True, ["Ben Harbour", "=Cal Cliff", "Ada Harbour"]),
        ("registration_expiry", False, ["Ben Harbour", "Ada Harbour", "=Cal Cliff"]),
        ("registration_expiry", True, ["Ada Harbour", "Ben Harbour", "=Cal Cliff"]),
        ("no-such-column", False, ["=Cal Cliff", "Ada Harbour", "Ben Harbour"]),
    ],
)
def test_sorting_puts_missing_values_last_either_way(
    seeded, lead, today, sort, descending, expected
):
    page = progress_report.progress_report(lead, sort=sort, descending=descending, today=today)
    assert _names(page.rows) == expected


def test_pages_split_the_sorted_rows_and_clamp_out_of_range_pages(seeded, lead, today):
    first = progress_report.progress_report(lead, page=1, per_page=2, today=today)
    beyond = progress_report.progress_report(lead, page=9, per_page=2, today=today)
    assert (first.total, first.pages, _names(first.rows)) == (3, 2, ["=Cal Cliff", "Ada Harbour"])
    assert (beyond.page, _names(beyond.rows)) == (2, ["Ben Harbour"])


def test_batched_rows_match_the_whole_report(
    seeded, lead, today, bulk_trainees, harbour_practice, supervisor
):
    bulk_trainees(7, orgs=[harbour_practice], supervisor=supervisor)
    whole = progress_report.build_report(lead, today=today).rows
    batched = list(progress_report.iter_progress(lead, today=today, batch_size=3))
    assert batched == whole


def test_long_rows_follow_the_sufficiency_rules_as_a_lead_sees_them(seeded, lead, today):
    _, enrolment = seeded["ada"]
    signed = signoffs.signed_off_competency_ids(enrolment.id)
    expected = {
        p.code: p.status for p in sufficiency.progress_for(enrolment, signed, count_drafts=False)
    }
    rows = [
        r
        for r in competency_report.iter_competency_rows(lead, today=today)
        if r.enrolment_id == enrolment.id
    ]
    assert {r.competency_code: r.status for r in rows} == expected
    signed_row = next(r for r in rows if r.status == "signed_off")
    assert (signed_row.signed_by, signed_row.signed_by_gphc, signed_row.signed_on) == (
        "Sam Okafor",
        "2034567",
        today,
    )


def _report_queries(count_queries, viewer, today) -> int:
    db.session.expire_all()
    with count_queries() as counted:
        progress_report.build_report(viewer, today=today)
    return counted.count


def test_the_report_costs_the_same_queries_for_10_and_300_trainees(
    app,
    lead,
    supervisor,
    harbour_practice,
    cliff_practice,
    cohort,
    bulk_trainees,
    count_queries,
    today,
):
    bulk_trainees(10, orgs=[harbour_practice, cliff_practice], supervisor=supervisor, cohort=cohort)
    at_10 = _report_queries(count_queries, lead, today)
    bulk_trainees(
        290, orgs=[harbour_practice, cliff_practice], supervisor=supervisor, cohort=cohort
    )
    at_300 = _report_queries(count_queries, lead, today)
    assert len(progress_report.build_report(lead, today=today).rows) == 300
    print(f"report queries: {at_10} for 10 trainees, {at_300} for 300")
    # 13: the enrolments' pauses are one more query per batch (issue 17.5), never per trainee.
    assert at_10 == at_300 <= 13


def test_the_base_row_fields_name_the_base_querys_columns_in_order(seeded, lead):
    # Assembly builds `BaseRow`s from the query's rows by position: the two must agree.
    query = progress_base.base_query(lead, ReportFilters())
    names = [field.name for field in dataclasses.fields(progress_base.BaseRow)]
    assert list(query.selected_columns.keys()) == names
