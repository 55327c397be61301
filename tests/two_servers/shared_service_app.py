"""The app each of the two-server test's gunicorn servers runs (tests only): `gunicorn
tests.two_servers.shared_service_app:app`, with what the servers share (database, object
store, Redis) and what each keeps to itself (its local folder, which must stay empty)
named by environment variables (see `ServedService` in servers.py)."""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles

from app import create_app
from app.services.accounts import passwords

# The test makes its people with argon2's cheapest parameters, as the suite does.
passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)

app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=os.environ["PCPT_SHARED_DATABASE_URL"],
    STORAGE_URL=os.environ["PCPT_SHARED_STORAGE_URL"],
    UPLOAD_DIR=os.environ["PCPT_OWN_UPLOAD_DIR"],
    MAIL_OUTBOX=os.environ["PCPT_OWN_MAIL_OUTBOX"],
    REDIS_URL=os.environ["PCPT_SHARED_REDIS_URL"],
    JOBS_QUEUE=os.environ["PCPT_SHARED_QUEUE"],
    RATELIMIT_STORAGE_URI=os.environ["PCPT_SHARED_REDIS_URL"],
    RATELIMIT_KEY_PREFIX=os.environ["PCPT_SHARED_QUEUE"],
    LOGIN_LIMIT_PER_ACCOUNT=os.environ["PCPT_LOGIN_LIMIT_PER_ACCOUNT"],
    WTF_CSRF_ENABLED=True,
)
