"""Telling people: in-app notifications, the daily digest, and e-mail delivery."""
