"""Stored files: sizes, each trainee's quota, and single documents on a record."""
