"""The organisations' flag tallies (`flag_tallies`): counted for the day by `reports
recount-tallies`, counted again in the transaction that moves one of an organisation's
summaries, added up by a lead's dashboard only while every organisation in its scope was
counted today with today's thresholds (the summaries are counted otherwise), and checked
by `reports verify-summary`.

The region comes from the dataset generator (30 trainees in a region of hubs, PCNs and
practices); the writes use the supervision fixtures' trainee and enrolment."""

# The fixtures imported below are parameters of the tests here.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset
from app.extensions import db
from app.models import User
from app.models.organisations import Organisation
from app.models.progress import FlagTally, ProgressSummary
from app.services.accounts import users
from app.services.accounts.organisations import subtree_ids
from app.services.clock import uk_today
from app.services.portfolio import evidence as evidence_service
from app.services.reporting import flag_tallies, progress_report
from app.services.reporting.flags import Flag, report_thresholds
from app.services.reporting.progress_paging import _counted
from app.services.reporting.scope import ReportFilters, scope_for
from app.services.reporting.summary_flags import flag_conditions
from tests.evidence.conftest import valid_answers
from tests.supervision.conftest import (  # noqa: F401 (fixtures)
    accepted,
    enrol,
    enrolment,
    org,
    small_framework,
    submitted,
    supervisor,
    trainee,
)


@pytest.fixture
def region_lead(framework) -> User:
    generate_dataset(30, 3, seed=11)
    db.session.commit()
    return db.session.scalar(select(User).where(User.email == REGION_LEAD_EMAIL))


def tallied(viewer: User, filters: ReportFilters | None = None):
    return flag_tallies.tallied(
        scope_for(viewer), filters or ReportFilters(), uk_today(), report_thresholds()
    )


def counted_live(viewer: User, filters: ReportFilters | None = None):
    """What counting the summaries themselves finds: the tallies' reference."""
    conditions = flag_conditions(report_thresholds(), uk_today())
    return _counted(viewer, filters or ReportFilters(), conditions)


def recount_all() -> None:
    flag_tallies.recount_all(uk_today(), report_thresholds())
    db.session.commit()


def tally(organisation_id: int) -> FlagTally:
    db.session.expire_all()
    return db.session.get(FlagTally, organisation_id)


def tamper(sql: str, **params) -> None:
    """Change the stored tallies with plain SQL, as nothing in the app would."""
    db.session.execute(text(sql), params)
    db.session.commit()


def busiest_organisation() -> int:
    return db.session.scalar(
        select(ProgressSummary.organisation_id)
        .group_by(ProgressSummary.organisation_id)
        .order_by(func.count().desc(), ProgressSummary.organisation_id)
        .limit(1)
    )


def test_the_daily_count_tallies_every_organisation_as_its_summaries_stand(region_lead, runner):
    result = runner.invoke(args=["reports", "recount-tallies"])

    organisations = db.session.scalar(select(func.count(Organisation.id)))
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"flag tallies counted for {uk_today():%d %B %Y} ({organisations} organisations)\n"
    )
    rows = db.session.scalars(select(FlagTally)).all()
    assert len(rows) == organisations
    assert {row.counted_on for row in rows} == {uk_today()}
    found = tallied(region_lead)
    assert found == counted_live(region_lead)
    everyone, flags = found
    assert everyone == 30
    assert sum(flags.values()) > 0  # the dataset raises flags, so the sums are tested


def test_the_dashboard_adds_up_todays_tallies_and_otherwise_counts_the_summaries(region_lead, app):
    recount_all()
    live = progress_report.progress_report(region_lead).flag_counts
    busiest = busiest_organisation()
    tamper(
        "UPDATE flag_tallies SET stalled = stalled + 5, enrolments = enrolments + 5 "
        "WHERE organisation_id = :id",
        id=busiest,
    )

    # Today's tallies are what the page adds up (the five added by hand show).
    page = progress_report.progress_report(region_lead)
    assert page.flag_counts[Flag.STALLED] == live[Flag.STALLED] + 5
    assert page.total == 35

    # One organisation counted yesterday: the summaries are counted instead.
    tamper(
        "UPDATE flag_tallies SET counted_on = :day WHERE organisation_id = :id",
        day=uk_today() - timedelta(days=1),
        id=busiest,
    )
    assert tallied(region_lead) is None
    page = progress_report.progress_report(region_lead)
    assert (page.flag_counts, page.total) == (live, 30)

    # Counted today, but with other thresholds than today's: the same.
    recount_all()
    assert tallied(region_lead) == counted_live(region_lead)
    app.config["REPORT_STALLED_DAYS"] = 7
    assert tallied(region_lead) is None
    page = progress_report.progress_report(region_lead)
    assert page.flag_counts == counted_live(region_lead)[1]


def test_an_organisation_filter_adds_up_its_subtree_and_narrower_filters_count_summaries(
    region_lead,
):
    recount_all()
    region = region_lead.organisation_id
    for organisation_id in sorted(subtree_ids(region)):
        filters = ReportFilters(organisation_id=organisation_id)
        assert tallied(region_lead, filters) == counted_live(region_lead, filters)
    # A cohort or a supervisor cuts across organisations: never from the tallies.
    cohort_id = db.session.scalar(select(func.min(ProgressSummary.cohort_id)))
    supervisor_id = db.session.scalar(select(func.min(ProgressSummary.clinical_supervisor_id)))
    assert tallied(region_lead, ReportFilters(cohort_id=cohort_id)) is None
    assert tallied(region_lead, ReportFilters(supervisor_id=supervisor_id)) is None
    # Nor a supervisor's own trainees.
    supervisor = db.session.get(User, supervisor_id)
    assert tallied(supervisor) is None


def draft(enrolment, trainee, code: str = "B1"):
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title=f"Reflection on {code}"),
        [(code, f"How this shows {code}")],
        actor=trainee,
    )
    db.session.commit()
    return item


def spoil(organisation_id: int) -> None:
    """A tally of today made wrong by hand: counting it again puts it right."""
    tamper(
        "UPDATE flag_tallies SET enrolments = 99 WHERE organisation_id = :id", id=organisation_id
    )


def test_a_write_counts_its_organisations_tally_again_in_its_transaction(
    enrolment, trainee, accepted
):
    draft(enrolment, trainee)  # active today, whenever the training started
    recount_all()
    home = trainee.organisation_id
    assert tally(home).enrolments == 1
    spoil(home)

    # Submitted (a step: nothing counted again), then accepted (counted again).
    accepted(enrolment, "reflective-account", ["B1"])

    assert (tally(home).enrolments, tally(home).counted_on) == (1, uk_today())
    assert flag_tallies.first_difference(uk_today(), report_thresholds()) is None


def test_a_draft_or_a_submission_counts_the_tally_again_only_for_a_stalled_trainee(
    enrolment, trainee, app
):
    item = draft(enrolment, trainee)  # active today, whenever the training started
    recount_all()
    home = trainee.organisation_id
    assert tally(home).stalled == 0
    spoil(home)
    # Not stalled: submitting a draft and writing one move no flag, and count nothing again.
    evidence_service.submit(item, actor=trainee)
    db.session.commit()
    draft(enrolment, trainee, "B2")
    assert tally(home).enrolments == 99

    # With a threshold of no days, everyone is stalled: the same steps count it again.
    app.config["REPORT_STALLED_DAYS"] = 0
    recount_all()
    assert tally(home).stalled == 1
    spoil(home)
    item = draft(enrolment, trainee, "B2")
    assert (tally(home).enrolments, tally(home).stalled) == (1, 1)
    spoil(home)
    evidence_service.submit(item, actor=trainee)
    db.session.commit()
    assert tally(home).enrolments == 1
    assert flag_tallies.first_difference(uk_today(), report_thresholds()) is None


def test_a_trainee_moving_organisation_counts_both_tallies_again(
    enrolment, trainee, supervisor, make_org
):
    elsewhere = make_org("Elsewhere Surgery", "practice")
    db.session.commit()
    recount_all()
    home = trainee.organisation_id
    assert (tally(home).enrolments, tally(elsewhere.id).enrolments) == (1, 0)

    users.update_profile(trainee, name=trainee.name, organisation=elsewhere, actor=supervisor)
    db.session.commit()

    assert (tally(home).enrolments, tally(elsewhere.id).enrolments) == (0, 1)
    assert flag_tallies.first_difference(uk_today(), report_thresholds()) is None


def test_verify_summary_names_a_tally_of_today_that_differs(region_lead, runner):
    recount_all()
    busiest = busiest_organisation()
    kept = tally(busiest).behind
    tamper("UPDATE flag_tallies SET behind = behind + 3 WHERE organisation_id = :id", id=busiest)

    result = runner.invoke(args=["reports", "verify-summary"])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: flag tally differs: organisation {busiest}: behind is {kept + 3} in the flag "
        f"tally but {kept} from the summaries\n"
    )
    # A tally of another day is not used, so not checked either.
    tamper(
        "UPDATE flag_tallies SET counted_on = :day WHERE organisation_id = :id",
        day=uk_today() - timedelta(days=1),
        id=busiest,
    )
    assert runner.invoke(args=["reports", "verify-summary"]).exit_code == 0
