"""What audit events carry instead of a record's values: ids and a digest of them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping


def record_digest(values: Mapping[str, object]) -> str:
    """sha256 of the canonical JSON of `values` (dates, decimals as their strings)."""
    canonical = json.dumps(dict(values), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
