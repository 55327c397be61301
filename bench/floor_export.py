"""The export floor in its own lean process (no Flask, no SQLAlchemy), so its peak memory
is that of csv.writer (or, for the XLSX, XlsxWriter) over a raw cursor:
`floor_export.py KIND URL REGION_ID WINDOW_JSON`, KIND one of progress, competencies, xlsx.
Prints one JSON line: rows, seconds, peak_rss_mb."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date

from floor import export_floor


def main() -> None:
    kind, url, region, window_json = sys.argv[1:5]
    window = json.loads(window_json)
    window["since"] = date.fromisoformat(window["since"])
    with tempfile.NamedTemporaryFile(suffix=".xlsx" if kind == "xlsx" else ".csv") as out:
        print(json.dumps(export_floor(url, kind, int(region), window, out.name)))


if __name__ == "__main__":
    main()
