"""Reports for leads: progress, flags, dashboards and the CSV, XLSX and PDF exports."""
