"""Invisible control characters are refused in every text a person sends.

NUL, vertical tab, escape and the rest of the C0 and C1 controls (and DEL) are never
part of what someone means to write: they arrive by pasting from other programs or by
tampering, they break exports and the systems records are shared with, and PostgreSQL
cannot store NUL at all. Tab, line feed and carriage return are ordinary text.

This is the one rule; the pages apply it to every form field through
`app.form_base.PortfolioForm`, the API to every string of a body through
`app.api.schemas.Strict`, so nothing with a control character reaches a service.
"""

from __future__ import annotations

import re

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_problem(text: str, label: str = "This text") -> str | None:
    """What is wrong with `text`, in words for the person who typed it; None when nothing."""
    found = CONTROL_CHARACTER.search(text)
    if found is None:
        return None
    return (
        f"{label} contains a hidden control character (U+{ord(found.group()):04X}) that "
        "cannot be saved: delete it, or type the text again instead of pasting it"
    )
