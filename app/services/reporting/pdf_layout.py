"""The building blocks of the PDF documents (ReportLab): the embedded fonts, the paragraph
styles, escaped paragraphs, tables, and building a document into bytes.

Text is set in the Bitstream Vera fonts that ship inside ReportLab, embedded as
Unicode TrueType, so names in any Latin script print as written and the text can be
copied or extracted. Everything a user typed is escaped before ReportLab's paragraph
markup sees it.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

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


def styles() -> dict[str, ParagraphStyle]:
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


def paragraph(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: escaped for ReportLab's markup, line breaks kept."""
    lines = ("" if text is None else str(text)).split("\n")
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def table(rows: list[list], widths: list[float], styles, *, header: bool = True) -> Table:
    cells = [
        [c if isinstance(c, Paragraph) else paragraph(c, styles["cell"]) for c in row]
        for row in rows
    ]
    result = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f4f5")))
    result.setStyle(TableStyle(commands))
    return result


def pairs(rows: list[tuple[str, object]], width: float, styles) -> Table:
    return table(
        [[paragraph(k, styles["cell"]), paragraph(v, styles["cell"])] for k, v in rows],
        [width * 0.35, width * 0.65],
        styles,
        header=False,
    )


def build(story: list, *, title: str, pagesize=A4) -> tuple[bytes, int]:
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
