"""Supervision: enrolments, reviews, sign-offs, final completion and supervision sessions."""
