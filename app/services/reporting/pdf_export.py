"""PDF documents: a trainee's portfolio and a one-page cohort summary (ReportLab).

Text is set in the Bitstream Vera fonts that ship inside ReportLab, embedded as
Unicode TrueType, so names in any Latin script print as written and the text can be
copied or extracted. Everything a user typed is escaped before ReportLab's paragraph
markup sees it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.services.pathway.programme_status import FUNDING_LABELS, PATHWAY_STATUS_LABELS
from app.services.registration.qualifications import qualification_name
from app.services.registration.rules import QUALIFICATION_STATUS_LABELS
from app.services.reporting.competency_report import STATUS_LABELS
from app.services.reporting.flags import Flag, percent
from app.services.reporting.progress_report import Report
from app.services.reporting.trainee_summary import TraineeSummary
from app.services.rule_results import long_date

MEDIA_TYPE = "application/pdf"
FONT, BOLD = "PCPTVera", "PCPTVera-Bold"
NHS_BLUE = colors.HexColor("#005eb8")
GREY = colors.HexColor("#d8dde0")


def _register_fonts() -> None:
    """ReportLab keeps registered fonts in a process-wide registry: add them to it once."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=17, leading=21),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=8,
            spaceAfter=4,
            textColor=NHS_BLUE,
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=6
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: escaped for ReportLab's markup, line breaks kept."""
    lines = ("" if text is None else str(text)).split("\n")
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def _day(value: date | None) -> str:
    return long_date(value) if value else "Not recorded"


def _table(rows: list[list], widths: list[float], styles, *, header: bool = True) -> Table:
    cells = [
        [c if isinstance(c, Paragraph) else _p(c, styles["cell"]) for c in row] for row in rows
    ]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f4f5")))
    table.setStyle(TableStyle(commands))
    return table


def _pairs(rows: list[tuple[str, object]], width: float, styles) -> Table:
    return _table(
        [[_p(k, styles["cell"]), _p(v, styles["cell"])] for k, v in rows],
        [width * 0.35, width * 0.65],
        styles,
        header=False,
    )


def _build(story: list, *, title: str, pagesize=A4) -> tuple[bytes, int]:
    """The PDF's bytes and its number of pages."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="PCPT Portfolio",
    )
    document.build(story)
    return buffer.getvalue(), document.page


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
    styles = _styles()
    enrolment = summary.enrolment
    trainee = enrolment.trainee
    width = A4[0] - 30 * mm
    story: list = [
        _p(f"Training portfolio: {trainee.name}", styles["title"]),
        _p(f"{enrolment.framework.label}. Produced on {long_date(generated_on)}.", styles["small"]),
        Spacer(1, 4 * mm),
        _p("Summary", styles["h2"]),
        _pairs(_summary_rows(summary), width, styles),
        _p("Registration", styles["h2"]),
        _pairs(_registration_rows(summary), width, styles),
        _p("Level 3 qualification", styles["h2"]),
        _pairs(_level3_rows(summary), width, styles),
        _p("Competencies", styles["h2"]),
        *_competency_tables(summary, width, styles),
        _p("Sign-off history", styles["h2"]),
        *_sign_off_history(summary, width, styles),
    ]
    content, _pages = _build(story, title=f"Training portfolio: {trainee.name}")
    return content


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
        ("Enrolment status", enrolment.status.capitalize()),
        (
            "Competencies signed off",
            f"{summary.signed_off} of {summary.total} ({summary.percent}%)",
        ),
        ("Pathway status", PATHWAY_STATUS_LABELS.get(enrolment.pathway_status, "")),
        ("Funding", FUNDING_LABELS.get(enrolment.funding or "", "Not recorded")),
        (
            "Supervision sessions",
            f"{summary.supervision_sessions}, the last on {_day(summary.last_supervision_on)}",
        ),
        (
            "Final sign-off",
            f"Completed on {long_date(summary.completion.completed_at.date())} by "
            f"{summary.completion.signer_name}"
            if summary.completion
            else "Not yet",
        ),
    ]


def _competency_tables(summary: TraineeSummary, width: float, styles: dict) -> list:
    """Each domain's competencies with their status, evidence and standing sign-off."""
    story: list = []
    for domain in summary.domains:
        story.append(_p(f"{domain.code} {domain.title}", styles["h3"]))
        rows = [["Competency", "Status", "Evidence", "Sign-off"]]
        for c in domain.competencies:
            items = summary.evidence.get(c.competency_id, [])
            standing = summary.standing.get(c.competency_id)
            rows.append(
                [
                    f"{c.code} {c.title}",
                    STATUS_LABELS[c.status],
                    "\n".join(f"{e.title} ({e.type_label})" for e in items) or "None",
                    f"{standing.outcome_label}, by {standing.signer_name} (GPhC "
                    f"{standing.signer_gphc_number}) on {long_date(standing.signed_at.date())}"
                    if standing
                    else "Not signed off",
                ]
            )
        story.append(_table(rows, [width * 0.3, width * 0.14, width * 0.3, width * 0.26], styles))
    return story


def _sign_off_history(summary: TraineeSummary, width: float, styles: dict) -> list:
    """Every sign-off, revoked ones included with who revoked them and why."""
    if not summary.sign_offs:
        return [_p("No competencies have been signed off yet.", styles["body"])]
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
    return [_table(rows, widths, styles)]


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


def _cohort_summary(
    report: Report, *, scope_label: str, filters_label: str, max_cohorts: int, max_attention: int
) -> tuple[bytes, int]:
    styles = _styles()
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
        _p("Cohort progress summary", styles["title"]),
        _p(
            f"{scope_label}. {filters_label} Produced on {long_date(report.today)}.",
            styles["small"],
        ),
        Spacer(1, 3 * mm),
        _table(headline, [width / 5] * 5, styles),
        _p("Flags and domains", styles["h2"]),
        _flags_and_domains(report, width, styles),
        *_cohorts_section(rows, max_cohorts, width, styles),
        *_attention_section(rows, max_attention, width, styles),
    ]
    return _build(story, title="Cohort progress summary", pagesize=landscape(A4))


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
                _table(flags, [half * 0.75, half * 0.25], styles),
                _table(domains, [half * 0.6, half * 0.22, half * 0.18], styles),
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
        _p("Cohorts", styles["h2"]),
        _table(table, [width * 0.4] + [width * 0.12] * 5, styles),
    ]
    if len(cohorts) > max_cohorts:
        story.append(
            _p(
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
        story.append(_p("Trainees with the most flags", styles["h2"]))
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
            _table(table, [width * 0.22, width * 0.22, width * 0.18, width * 0.38], styles)
        )
    if len(attention) > max_attention:
        story.append(
            _p(
                f"{len(attention) - max_attention} more flagged trainees are listed on the "
                "dashboard and in the exports.",
                styles["small"],
            )
        )
    elif not attention:
        story.append(_p("No trainee is flagged.", styles["body"]))
    return story
