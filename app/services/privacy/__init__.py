"""The person's data: the portable record (subject access) and erasure."""
