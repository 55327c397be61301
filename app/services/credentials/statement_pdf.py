"""The completion statement as a PDF, with a QR code linking to its Open Badges credential.

The words are the plain-text statement's (`supervision.completion.statement_text`), built
only from the completion record, so both forms always say the same. When a credential was
issued, a QR code (ReportLab's own widget, vector, no image library) and a clickable link
give the credential's address, where anyone can check it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.models.credentials import IssuedCredential
from app.models.signoffs import Completion
from app.services.credentials.issuing import credential_url
from app.services.reporting import pdf_layout
from app.services.supervision.completion import statement_text

QR_SIZE = 38 * mm


def qr_drawing(url: str, size: float = QR_SIZE) -> Drawing:
    """A vector QR code of `url` (error correction M), `size` points square."""
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    width, height = x1 - x0, y1 - y0
    drawing = Drawing(size, size, transform=[size / width, 0, 0, size / height, 0, 0])
    drawing.add(widget)
    return drawing


def _link(url: str, style) -> Paragraph:
    """The address as text that is also a link (a URI annotation in the PDF)."""
    target = escape(url, {'"': "&quot;"})
    return Paragraph(f'<a href="{target}" color="#005eb8">{escape(url)}</a>', style)


def _credential_block(url: str, styles: dict) -> Table:
    words = [
        pdf_layout.paragraph("Open Badges 3.0 credential", styles["h2"]),
        pdf_layout.paragraph(
            "This training is also recorded as a signed digital credential, which the "
            "technician keeps and can share. Scan the code or open the address below to "
            "see it checked by the issuing service.",
            styles["body"],
        ),
        _link(url, styles["small"]),
    ]
    block = Table([[qr_drawing(url), words]], colWidths=[QR_SIZE + 6 * mm, None])
    block.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    return block


def statement_pdf(completion: Completion, credential: IssuedCredential | None) -> bytes:
    styles = pdf_layout.styles()
    lines = statement_text(completion).splitlines()
    story: list = [pdf_layout.paragraph(lines[0], styles["title"]), Spacer(1, 4 * mm)]
    for line in lines[1:]:
        if not line.strip():
            story.append(Spacer(1, 2 * mm))
        elif not line.startswith(" ") and ":" not in line:
            story.append(pdf_layout.paragraph(line, styles["h3"]))
        else:
            story.append(pdf_layout.paragraph(line.strip(), styles["body"]))
    if credential is not None:
        story += [
            Spacer(1, 6 * mm),
            _credential_block(credential_url(credential.public_id), styles),
        ]
    data, _pages = pdf_layout.build(story, title="Statement of completed training")
    return data


def statement_pdf_filename(completion: Completion) -> str:
    return f"completion-statement-{completion.enrolment_id}.pdf"
