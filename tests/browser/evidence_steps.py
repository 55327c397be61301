"""Steps a trainee takes on the evidence pages, shared by the browser journeys.

Each step uses what a person sees: labels, legends and button names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

# The smallest file every PDF reader opens: one empty page.
MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n"
    b"0000000058 00000 n \n0000000115 00000 n \n"
    b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n188\n%%EOF\n"
)
ACTIVITY_DAY = date(2025, 5, 20)


def pdf_file(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(MINIMAL_PDF)
    return path


def choose_type(page, type_label: str, *, check: Callable[[], None] | None = None) -> None:
    """From the trainee's home: Add evidence, choose the type, continue to its form.
    `check` runs on the page that offers the types, before one is chosen."""
    page.get_by_role("link", name="Add evidence").first.click()
    expect(page.get_by_role("group", name="What type of evidence are you adding?")).to_be_visible()
    if check is not None:
        check()
    page.get_by_label(type_label, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")


def fill_date(page, group: str, day: date) -> None:
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def link_competency(page, code: str, note: str = "") -> None:
    page.get_by_label(re.compile(rf"(^|\s){re.escape(code)} ")).check()
    if note:
        page.get_by_label(f"How does this evidence show {code}? (optional)").fill(note)


def attach(page, path: Path) -> None:
    # NHS.UK's script puts a drop zone over the file input; the input itself takes the file.
    page.locator("input[type=file][name=attachment]").set_input_files(str(path))


def fill_reflective_account(page, title: str, *, now_what: str = "I check a week early.") -> None:
    page.get_by_label("Title", exact=True).fill(title)
    fill_date(page, "Date of the activity", ACTIVITY_DAY)
    page.get_by_label("What happened?").fill("The practice ran short of a repeat inhaler.")
    page.get_by_label("So what? What did you learn and why does it matter?").fill(
        "Ordering dates must line up with the pharmacy's."
    )
    page.get_by_label("Now what? What will you do differently or next?").fill(now_what)


MINI_CEX_RATINGS = (
    "Gathering information",
    "Communicating with the patient",
    "Clinical judgement and use of medicines knowledge",
    "Professionalism",
    "Organisation and efficiency",
    "Overall",
)


def fill_mini_cex(page, title: str) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    fill_date(page, "Date of the activity", ACTIVITY_DAY)
    page.get_by_label("What the consultation was about").fill("A new inhaler, explained")
    for area in MINI_CEX_RATINGS:
        page.get_by_role("group", name=area, exact=True).get_by_label(
            "4 - meets what is expected"
        ).check()
    page.get_by_label("What went especially well").fill("Clear, unhurried explanation")
    page.get_by_label("Suggestions for development").fill("Check understanding sooner")
    page.get_by_label("Agreed action").fill("Use teach-back in the next three consultations")
    page.get_by_label("Assessor's name").fill("Priya Shah")
    page.get_by_role("group", name="Assessor's role").get_by_label("Pharmacist").check()
    page.get_by_label("Assessor's professional registration number").fill("2000009")
    fill_date(page, "Date the assessor completed the form", ACTIVITY_DAY)
    page.get_by_role("group", name="The assessor's overall judgement").get_by_label(
        "At the level expected", exact=True
    ).check()
