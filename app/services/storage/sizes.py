"""File sizes as people read them."""

from __future__ import annotations

UNITS = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))


def describe_size(size_bytes: int) -> str:
    """'10 MB', '1.5 GB', '500 KB' or '20 bytes', in the binary units file managers use."""
    for unit, scale in UNITS:
        if size_bytes >= scale:
            value = size_bytes / scale
            # Three significant figures, without an exponent for 100 and over.
            return f"{value:.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}"
    return f"{size_bytes} bytes"
