"""Competency frameworks: validating files, importing them, reading them back."""
