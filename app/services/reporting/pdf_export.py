"""PDF documents: a trainee's portfolio and a one-page cohort summary, laid out with the
building blocks of `pdf_layout`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from app.services.frameworks.labels import framework_label, framework_labels
from app.services.pathway.programme_status import FUNDING_LABELS, PATHWAY_STATUS_LABELS
from app.services.registration.qualifications import qualification_name
from app.services.registration.rules import QUALIFICATION_STATUS_LABELS
from app.services.reporting import pdf_layout as layout
from app.services.reporting.competency_report import STATUS_LABELS
from app.services.reporting.flags import Flag, percent
from app.services.reporting.progress_report import Report
from app.services.reporting.trainee_summary import TraineeSummary
from app.services.rule_results import long_date
from app.services.supervision.enrolment_lifecycle import lifecycle_summary

MEDIA_TYPE = "application/pdf"


def _day(value: date | None) -> str:
    return long_date(value) if value else "Not recorded"


# --- A trainee's portfolio ----------------------------------------------------------------


def _registration_rows(summary: TraineeSummary) -> list[tuple[str, object]]:
    status = summary.registration
    return [
        ("GPhC registration", status.label),
        ("Registration number", status.number or "None"),
        ("Expires", _day(status.expires_on)),
        ("Verified against the register", "Yes" if status.verified else "No"),
    ]


def _level3_rows(summary: TraineeSummary) -> list[tuple[str, object]]:
    q = summary.qualification
    if q is None:
        return [("Level 3 qualification", "Not recorded")]
    return [
        ("Level 3 qualification", qualification_name(q)),
        ("Status", QUALIFICATION_STATUS_LABELS.get(q.status, q.status)),
        ("Awarding body", q.awarding_body or "Not recorded"),
        ("Achieved", _day(q.achieved_on)),
        ("Verified", "Yes" if q.verified_by_id else "No"),
    ]


def trainee_portfolio_pdf(summary: TraineeSummary, *, generated_on: date) -> bytes:
    styles = layout.styles()
    enrolment = summary.enrolment
    trainee = enrolment.trainee
    width = A4[0] - 30 * mm
    story: list = [
        layout.paragraph(f"Training portfolio: {trainee.name}", styles["title"]),
        layout.paragraph(
            f"{framework_label(enrolment.framework)}. Produced on {long_date(generated_on)}.",
            styles["small"],
        ),
        Spacer(1, 4 * mm),
        layout.paragraph("Summary", styles["h2"]),
        layout.pairs(_summary_rows(summary), width, styles),
        layout.paragraph("Registration", styles["h2"]),
        layout.pairs(_registration_rows(summary), width, styles),
        layout.paragraph("Level 3 qualification", styles["h2"]),
        layout.pairs(_level3_rows(summary), width, styles),
        layout.paragraph("Competencies", styles["h2"]),
        *_competency_tables(summary, width, styles),
        layout.paragraph("Sign-off history", styles["h2"]),
        *_sign_off_history(summary, width, styles),
    ]
    content, _pages = layout.build(story, title=f"Training portfolio: {trainee.name}")
    return content


def _status_words(enrolment) -> str:
    """The status with its dates: paused days, withdrawal, completion."""
    state = lifecycle_summary(enrolment)
    words = state.status_label
    if state.status == "withdrawn" and state.withdrawn_on:
        words += f" on {long_date(state.withdrawn_on)}"
    elif state.status == "completed" and state.completed_at:
        words += f" on {long_date(state.completed_at.date())}"
    elif state.status == "paused" and state.current_pause:
        words += f" since {long_date(state.current_pause.paused_from)}"
    if state.days_paused:
        words += (
            f"; {state.days_paused} days paused, so expected to end on "
            f"{long_date(state.adjusted_end_on)}"
        )
    return words


def _summary_rows(summary: TraineeSummary) -> list[tuple[str, str]]:
    enrolment = summary.enrolment
    trainee = enrolment.trainee
    return [
        ("Trainee", trainee.name),
        ("Organisation", trainee.organisation.name if trainee.organisation else "None"),
        ("Cohort", enrolment.cohort.name if enrolment.cohort else "None"),
        (
            "Clinical supervisor",
            enrolment.clinical_supervisor.name if enrolment.clinical_supervisor else "None",
        ),
        (
            "Training period",
            f"{long_date(enrolment.started_on)} to {long_date(enrolment.expected_end_on)}",
        ),
        ("Enrolment status", _status_words(enrolment)),
        (
            "Competencies signed off",
            f"{summary.signed_off} of {summary.total} ({summary.percent}%)",
        ),
        ("Pathway status", PATHWAY_STATUS_LABELS.get(enrolment.pathway_status, "")),
        ("Pathway stage", summary.stage_words),
        ("Funding", FUNDING_LABELS.get(enrolment.funding or "", "Not recorded")),
        (
            "Supervision sessions with the clinical supervisor",
            f"{summary.supervision_sessions}, the last on {_day(summary.last_supervision_on)}",
        ),
        ("Other supervision sessions (not counted)", str(summary.other_sessions)),
        (
            "Final sign-off",
            f"Completed on {long_date(summary.completion.completed_at.date())} by "
            f"{summary.completion.signer_name}"
            if summary.completion
            else "Not yet",
        ),
    ]


def _kind(item) -> str:
    """The item's type, and who completed its assessor's part when the assessor did."""
    if item.assessor_completed:
        return f"{item.type_label}, completed by the assessor"
    return item.type_label


def _competency_tables(summary: TraineeSummary, width: float, styles: dict) -> list:
    """Each domain's competencies with their status, evidence and standing sign-off."""
    story: list = []
    for domain in summary.domains:
        story.append(layout.paragraph(f"{domain.code} {domain.title}", styles["h3"]))
        rows = [["Competency", "Status", "Evidence", "Sign-off"]]
        for c in domain.competencies:
            items = summary.evidence.get(c.competency_id, [])
            standing = summary.standing.get(c.competency_id)
            rows.append(
                [
                    f"{c.code} {c.title}",
                    STATUS_LABELS[c.status],
                    "\n".join(f"{e.title} ({_kind(e)})" for e in items) or "None",
                    f"{standing.outcome_label}, by {standing.signer_name} (GPhC "
                    f"{standing.signer_gphc_number}) on {long_date(standing.signed_at.date())}"
                    if standing
                    else "Not signed off",
                ]
            )
        story.append(
            layout.table(rows, [width * 0.3, width * 0.14, width * 0.3, width * 0.26], styles)
        )
    return story


def _sign_off_history(summary: TraineeSummary, width: float, styles: dict) -> list:
    """Every sign-off, revoked ones included with who revoked them and why."""
    if not summary.sign_offs:
        return [layout.paragraph("No competencies have been signed off yet.", styles["body"])]
    rows = [["Competency", "Outcome", "Signed by", "Signed on", "Revoked"]]
    for s in summary.sign_offs:
        revoked = s.revocation
        rows.append(
            [
                s.competency_code,
                s.outcome_label,
                f"{s.signer_name} (GPhC {s.signer_gphc_number})",
                long_date(s.signed_at.date()),
                f"{long_date(revoked.revoked_at.date())} by {revoked.revoked_by_name}: "
                f"{revoked.reason}"
                if revoked
                else "No",
            ]
        )
    widths = [width * 0.12, width * 0.2, width * 0.26, width * 0.16, width * 0.26]
    return [layout.table(rows, widths, styles)]


# --- One-page cohort summary -------------------------------------------------------------


def _mean(values: Iterable[int]) -> int:
    values = list(values)
    return round(sum(values) / len(values)) if values else 0


SHORT_FLAG_LABELS = {
    Flag.STALLED: "Stalled",
    Flag.REVIEW_WAITING: "Review waiting",
    Flag.BEHIND: "Behind",
    Flag.REGISTRATION: "Registration",
    Flag.NO_SUPERVISION: "No supervision",
    Flag.LEVEL3_TO_VERIFY: "Level 3 to verify",
}
# Rows of the cohort and attention tables to try, largest first, until the page fits.
SUMMARY_LIMITS = ((8, 8), (6, 5), (4, 3), (3, 0))


def cohort_summary_pdf(report: Report, *, scope_label: str, filters_label: str) -> bytes:
    """Headline numbers, flags, domains, cohorts and the most-flagged trainees on one
    landscape page: the longer lists are shortened until it fits."""
    for max_cohorts, max_attention in SUMMARY_LIMITS:
        content, pages = _cohort_summary(
            report,
            scope_label=scope_label,
            filters_label=filters_label,
            max_cohorts=max_cohorts,
            max_attention=max_attention,
        )
        if pages == 1:
            break
    return content


def _paused_line(rows: list, styles: dict) -> list:
    paused = sum(1 for r in rows if r.status == "paused")
    if not paused:
        return []
    who = "1 trainee is" if paused == 1 else f"{paused} trainees are"
    return [
        layout.paragraph(
            f"{who} paused. Paused days are left out of expected progress.", styles["small"]
        )
    ]


def _cohort_summary(
    report: Report, *, scope_label: str, filters_label: str, max_cohorts: int, max_attention: int
) -> tuple[bytes, int]:
    styles = layout.styles()
    rows = report.rows
    width = landscape(A4)[0] - 30 * mm
    headline = [
        ["Trainees", "Signed off (mean)", "Expected by now (mean)", "Awaiting review", "Flagged"],
        [
            str(len(rows)),
            f"{_mean(r.percent for r in rows)}%",
            f"{_mean(r.expected_percent for r in rows)}%",
            str(sum(r.awaiting_review for r in rows)),
            str(sum(1 for r in rows if r.flags)),
        ],
    ]
    story: list = [
        layout.paragraph("Cohort progress summary", styles["title"]),
        layout.paragraph(
            f"{scope_label}. {filters_label} Produced on {long_date(report.today)}.",
            styles["small"],
        ),
        *_frameworks_line(rows, styles),
        Spacer(1, 3 * mm),
        layout.table(headline, [width / 5] * 5, styles),
        *_paused_line(rows, styles),
        layout.paragraph("Flags and domains", styles["h2"]),
        _flags_and_domains(report, width, styles),
        *_cohorts_section(rows, max_cohorts, width, styles),
        *_attention_section(rows, max_attention, width, styles),
    ]
    return layout.build(story, title="Cohort progress summary", pagesize=landscape(A4))


def _frameworks_line(rows: list, styles: dict) -> list:
    """The framework versions the trainees are on, each named as `framework_label` names it."""
    labels = sorted(framework_labels(r.framework_id for r in rows).values())
    if not labels:
        return []
    noun = "Frameworks" if len(labels) > 1 else "Framework"
    return [layout.paragraph(f"{noun}: {'; '.join(labels)}.", styles["small"])]


def _flags_and_domains(report: Report, width: float, styles: dict) -> Table:
    """How many trainees carry each flag, beside each domain's sign-offs."""
    labels = report.thresholds.labels()
    flags = [["Flag", "Trainees"]] + [[labels[f], str(report.flag_counts.get(f, 0))] for f in Flag]
    domains = [["Domain", "Signed off", "Complete"]]
    for column in report.domain_columns:
        counts = [r.domain(column.code) for r in report.rows]
        signed = sum(c.signed_off for c in counts if c)
        total = sum(c.total for c in counts if c)
        domains.append(
            [f"{column.code} {column.title}", f"{signed} of {total}", f"{percent(signed, total)}%"]
        )
    half = (width - 6 * mm) / 2
    side_by_side = Table(
        [
            [
                layout.table(flags, [half * 0.75, half * 0.25], styles),
                layout.table(domains, [half * 0.6, half * 0.22, half * 0.18], styles),
            ]
        ],
        colWidths=[half + 3 * mm, half + 3 * mm],
    )
    side_by_side.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return side_by_side


def _cohorts_section(rows: list, max_cohorts: int, width: float, styles: dict) -> list:
    """The first `max_cohorts` cohorts by name, and how many more there are."""
    cohorts: dict[str, list] = {}
    for row in rows:
        cohorts.setdefault(row.cohort or "No cohort", []).append(row)
    table = [["Cohort", "Trainees", "Signed off (mean)", "Expected (mean)", "Behind", "Stalled"]]
    for name, members in sorted(cohorts.items())[:max_cohorts]:
        table.append(
            [
                name,
                str(len(members)),
                f"{_mean(r.percent for r in members)}%",
                f"{_mean(r.expected_percent for r in members)}%",
                str(sum(1 for r in members if Flag.BEHIND in r.flags)),
                str(sum(1 for r in members if Flag.STALLED in r.flags)),
            ]
        )
    story: list = [
        layout.paragraph("Cohorts", styles["h2"]),
        layout.table(table, [width * 0.4] + [width * 0.12] * 5, styles),
    ]
    if len(cohorts) > max_cohorts:
        story.append(
            layout.paragraph(
                f"And {len(cohorts) - max_cohorts} more cohorts: see the CSV or XLSX export.",
                styles["small"],
            )
        )
    return story


def _attention_section(rows: list, max_attention: int, width: float, styles: dict) -> list:
    """The `max_attention` trainees with the most flags, and how many more are flagged."""
    story: list = []
    attention = sorted((r for r in rows if r.flags), key=lambda r: (-len(r.flags), r.name))
    if attention and max_attention:
        story.append(layout.paragraph("Trainees with the most flags", styles["h2"]))
        table = [["Trainee", "Organisation", "Progress", "Flags"]]
        for r in attention[:max_attention]:
            table.append(
                [
                    r.name,
                    r.organisation or "",
                    f"{r.percent}% (expected {r.expected_percent}%)",
                    ", ".join(SHORT_FLAG_LABELS[f] for f in r.flags),
                ]
            )
        story.append(
            layout.table(table, [width * 0.22, width * 0.22, width * 0.18, width * 0.38], styles)
        )
    if len(attention) > max_attention:
        story.append(
            layout.paragraph(
                f"{len(attention) - max_attention} more flagged trainees are listed on the "
                "dashboard and in the exports.",
                styles["small"],
            )
        )
    elif not attention:
        story.append(layout.paragraph("No trainee is flagged.", styles["body"]))
    return story
