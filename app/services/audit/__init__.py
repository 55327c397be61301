"""The tamper-evident trail: the audit chain, record digests and their checks, backups."""
