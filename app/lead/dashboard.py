"""The cohort dashboard and a trainee's read-only summary, for leads and supervisors."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for

from app.auth.current import me
from app.lead.blueprint import bp
from app.lead.common import filter_form, scope_label
from app.permissions import roles
from app.services.clock import uk_today
from app.services.development.stages import STAGE_LABELS
from app.services.jobs import export_jobs
from app.services.pathway.programme_status import FUNDING_LABELS, PATHWAY_STATUS_LABELS
from app.services.registration import signers
from app.services.registration.qualifications import qualification_name
from app.services.registration.records import FLAG_COLOURS
from app.services.registration.rules import QUALIFICATION_STATUS_LABELS
from app.services.reporting import cohort_dashboard, progress_report
from app.services.reporting import flags as report_flags
from app.services.reporting import scope as report_scope
from app.services.reporting.competency_report import STATUS_LABELS
from app.services.reporting.progress_paging import SORT_KEYS
from app.services.reporting.trainee_summary import trainee_summary

SORTABLE = (
    ("name", "Trainee"),
    ("supervisor", "Clinical supervisor"),
    ("progress", "Progress"),
    ("awaiting", "Awaiting review"),
    ("last_activity", "Last activity"),
    ("registration_expiry", "Registration"),
    ("flags", "Flags"),
)


# The most supervisors who cannot sign the dashboard lists (a region may have hundreds):
# past this, the lead narrows by organisation to see the others.
BLOCKED_SIGNERS_LISTED = 10


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@bp.route("/dashboard")
@roles("lead", "supervisor")
def dashboard():
    viewer = me()
    form = filter_form(viewer)
    filters = form.filters()
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORT_KEYS else "name"
    descending = request.args.get("order") == "desc"
    today = uk_today()
    page = progress_report.progress_report(
        viewer,
        filters,
        sort=sort,
        descending=descending,
        page=_page_number(),
        per_page=int(current_app.config.get("PAGE_SIZE", 25)),
        today=today,
    )
    filter_args = form.query_args()
    listing_args = {**filter_args, "sort": sort, "order": "desc" if descending else "asc"}

    def link(**changes: object) -> str:
        args = {k: v for k, v in {**listing_args, **changes}.items() if v not in (None, "")}
        return url_for("lead.dashboard", **args)

    return render_template(
        "lead/dashboard.jinja",
        title="Cohort dashboard",
        form=form,
        page=page,
        heat_map=cohort_dashboard.heat_map(page.rows, page.domain_columns),
        heat_bands=cohort_dashboard.HEAT_BANDS,
        charts=cohort_dashboard.cohort_charts(
            viewer,
            filters,
            cohort_dashboard.charted_cohorts(page.rows),
            today=today,
            thresholds=page.thresholds,
        ),
        max_charts=cohort_dashboard.MAX_CHARTS,
        flag_labels=page.thresholds.labels(),
        flags=list(report_flags.Flag),
        sortable=SORTABLE,
        sort=sort,
        descending=descending,
        link=link,
        filter_args=filter_args,
        scope_label=scope_label(viewer),
        level3_labels=QUALIFICATION_STATUS_LABELS,
        registration_colours=FLAG_COLOURS,
        stage_labels=STAGE_LABELS,
        blocked_signers=signers.blocked_signers_for(
            viewer, today, within=filters.organisation_id, limit=BLOCKED_SIGNERS_LISTED
        ),
        background_exports=export_jobs.background_kinds(viewer, filters),
    )


@bp.route("/trainees/<int:enrolment_id>")
@roles("lead", "supervisor")
def trainee(enrolment_id: int):
    enrolment = report_scope.enrolment_in_scope(me(), enrolment_id) or abort(404)
    summary = trainee_summary(enrolment, uk_today())
    qualification = summary.qualification
    return render_template(
        "lead/trainee.jinja",
        title=f"Progress summary: {enrolment.trainee.name}",
        enrolment=enrolment,
        summary=summary,
        status_labels=STATUS_LABELS,
        level3_labels=QUALIFICATION_STATUS_LABELS,
        level3_kind=qualification_name(qualification) if qualification else None,
        pathway_labels=PATHWAY_STATUS_LABELS,
        funding_labels=FUNDING_LABELS,
    )
