"""The app the browser journeys' gunicorn serves (tests only): `gunicorn
tests.browser.served_app:app`, with the test's database, upload folder and outbox named by
environment variables (see `GunicornServer` in conftest.py) and CSRF protection on, as in
production.
"""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles

from app import create_app
from app.services.accounts import passwords

# The suite makes its people with argon2's cheapest parameters (tests/conftest.py); the
# server hashes the same way, so signing in does not rehash every password it checks.
passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)

app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=os.environ["PCPT_SERVED_DATABASE_URL"],
    UPLOAD_DIR=os.environ["PCPT_SERVED_UPLOAD_DIR"],
    MAIL_OUTBOX=os.environ["PCPT_SERVED_MAIL_OUTBOX"],
    # A queue only for the journeys that ask for one (test_export_progress_journeys.py).
    REDIS_URL=os.environ.get("PCPT_SERVED_REDIS_URL", ""),
    JOBS_QUEUE=os.environ.get("PCPT_SERVED_QUEUE", "pcpt"),
    EXPORT_INLINE_MAX_ROWS=int(os.environ.get("PCPT_SERVED_EXPORT_INLINE_MAX_ROWS", "20000")),
    WTF_CSRF_ENABLED=True,
    # The testing config leaves two-factor sign-in off for staff, so the journeys' supervisors,
    # leads and administrators sign in with a password; the two-factor journeys name the
    # roles that need it (tests/browser/test_two_factor_journeys.py).
    MFA_REQUIRED_ROLES=tuple(
        role for role in os.environ.get("PCPT_SERVED_MFA_REQUIRED_ROLES", "").split(",") if role
    ),
)
