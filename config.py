"""Configuration classes, read from the environment.

`create_app()` picks one by `FLASK_CONFIG` (development, testing, production);
everything secret or deployment-specific comes from environment variables.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _dated_standards(raw: str) -> tuple[tuple[date, tuple[int, ...]], ...]:
    """'2025-01-01:1,5;2026-01-01:2,3' -> ((date(2025, 1, 1), (1, 5)), ...), by date.

    Each entry names the GPhC standards a reflective account must address for registration
    years ending on or after its date (until the next entry's date).
    """
    entries = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        day, _, numbers = part.partition(":")
        try:
            standards = tuple(sorted({int(n) for n in numbers.split(",") if n.strip()}))
            entries.append((date.fromisoformat(day.strip()), standards))
        except ValueError:
            raise ValueError(
                f"REVALIDATION_STANDARDS entry {part!r} must look like 2025-01-01:1,5"
            ) from None
        if not standards or not all(1 <= n <= 9 for n in standards):
            raise ValueError(f"REVALIDATION_STANDARDS entry {part!r} needs standards 1 to 9")
    return tuple(sorted(entries))


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated setting; set but empty means none (unset means `default`)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'pcpt.sqlite3'}"


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # Old keys still accepted for signed cookies while a rotation rolls out.
    SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    # Where stored files live: unset, the folder UPLOAD_DIR; s3://bucket/prefix, an
    # S3-compatible store (endpoint and credentials from the AWS_* variables); see
    # app/services/storage/store.py. A malformed value stops the start.
    STORAGE_URL = os.environ.get("STORAGE_URL", "").strip()
    MAX_UPLOAD_BYTES = _env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    # The whole request may carry one upload plus the form around it.
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES + 256 * 1024
    # Each trainee's file storage: attachments, certificate and exemption letters together.
    UPLOAD_QUOTA_BYTES = _env_int("UPLOAD_QUOTA_BYTES", 500 * 1024 * 1024)
    # Whole years a trainee's portfolio is kept after their training ended and they last
    # signed in (`flask retention apply`; checked there, so a bad value is named, not raised).
    RETENTION_YEARS = os.environ.get("RETENTION_YEARS", "").strip() or "6"
    FRAMEWORKS_DIR = str(BASE_DIR / "frameworks")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 12))
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    # The cookie is re-sent only when the session changes (the idle clock moves every 30
    # seconds at most); its expiry stays the absolute limit set at sign-in.
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds the token

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "PCPT Portfolio <no-reply@pcpt.invalid>")
    # Without MAIL_SERVER, messages are written here as .eml files.
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX") or str(INSTANCE_DIR / "outbox")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins allowed per window, per account and per client address.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "50 per 15 minutes")
    # One-time links by e-mail: an invitation lasts INVITE_DAYS, a password reset link
    # PASSWORD_RESET_MINUTES, an e-mail change confirmation EMAIL_CHANGE_HOURS.
    INVITE_DAYS = _env_int("INVITE_DAYS", 14)
    PASSWORD_RESET_MINUTES = _env_int("PASSWORD_RESET_MINUTES", 60)
    EMAIL_CHANGE_HOURS = _env_int("EMAIL_CHANGE_HOURS", 24)
    # Assessment requests to assessors without accounts: the link lasts ASSESSMENT_LINK_DAYS;
    # a trainee may send ASSESSMENT_REQUESTS_PER_DAY a day and keep
    # ASSESSMENT_OPEN_REQUESTS_MAX waiting at once; the e-mailed code lasts
    # ASSESSMENT_CODE_MINUTES and allows ASSESSMENT_CODE_ATTEMPTS tries, at most
    # ASSESSMENT_CODES_PER_REQUEST codes a request; code entry is limited per client address.
    ASSESSMENT_LINK_DAYS = _env_int("ASSESSMENT_LINK_DAYS", 30)
    ASSESSMENT_REQUESTS_PER_DAY = _env_int("ASSESSMENT_REQUESTS_PER_DAY", 10)
    ASSESSMENT_OPEN_REQUESTS_MAX = _env_int("ASSESSMENT_OPEN_REQUESTS_MAX", 20)
    ASSESSMENT_CODE_MINUTES = _env_int("ASSESSMENT_CODE_MINUTES", 15)
    ASSESSMENT_CODE_ATTEMPTS = _env_int("ASSESSMENT_CODE_ATTEMPTS", 5)
    ASSESSMENT_CODES_PER_REQUEST = _env_int("ASSESSMENT_CODES_PER_REQUEST", 5)
    ASSESSMENT_CODE_LIMIT = os.environ.get("ASSESSMENT_CODE_LIMIT", "20 per 15 minutes")
    # Reset links asked for per window, per e-mail address asked about and per client address.
    PASSWORD_RESET_LIMIT_PER_ACCOUNT = os.environ.get(
        "PASSWORD_RESET_LIMIT_PER_ACCOUNT", "5 per hour"
    )
    PASSWORD_RESET_LIMIT_PER_ADDRESS = os.environ.get(
        "PASSWORD_RESET_LIMIT_PER_ADDRESS", "20 per hour"
    )
    # Two-factor sign-in (authenticator app): the roles that must use it (comma-separated;
    # others may choose to), and codes tried per window, per account and per address.
    MFA_REQUIRED_ROLES = _env_list("MFA_REQUIRED_ROLES", ("admin", "lead", "supervisor"))
    MFA_LIMIT_PER_ACCOUNT = os.environ.get("MFA_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    MFA_LIMIT_PER_ADDRESS = os.environ.get("MFA_LIMIT_PER_ADDRESS", "50 per 15 minutes")
    # Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # The service's own address: every absolute link (e-mails, API Location) starts with
    # it, never with the request's Host (app/base_url.py).
    BASE_URL = os.environ.get("BASE_URL") or "http://127.0.0.1:5000"
    # Host names requests may carry (comma-separated); others get 400. Unset: any host,
    # except in production, where it is BASE_URL's host.
    TRUSTED_HOSTS = [
        h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()
    ] or None
    # Product rules that a lead or the regulator may change: configuration, not constants.
    MAX_COMPETENCY_LINKS = _env_int("MAX_COMPETENCY_LINKS", 5)
    PAGE_SIZE = _env_int("PAGE_SIZE", 25)
    # Training pathway: protected learning days an employer gives, and the lowest
    # whole-time equivalent before a warning shows (in hundredths: 50 is 0.5 WTE).
    PROTECTED_LEARNING_DAYS = _env_int("PROTECTED_LEARNING_DAYS", 28)
    MINIMUM_WTE_HUNDREDTHS = _env_int("MINIMUM_WTE_HUNDREDTHS", 50)
    # The standards the GPhC names for reflective accounts change by period; unset, any
    # standard counts and the revalidation panel says the setting is missing.
    REVALIDATION_STANDARDS = _dated_standards(os.environ.get("REVALIDATION_STANDARDS", ""))
    # Cohort dashboard flags: no activity for this many days is "stalled"; a submission
    # waiting longer than this is "review waiting"; "behind" is this many percentage
    # points under the straight line from start to expected end; "no supervision" is no
    # session held in this many days. Exports fetch trainees in batches of this size.
    REPORT_STALLED_DAYS = _env_int("REPORT_STALLED_DAYS", 42)
    REPORT_REVIEW_WAIT_DAYS = _env_int("REPORT_REVIEW_WAIT_DAYS", 14)
    REPORT_BEHIND_MARGIN_PERCENT = _env_int("REPORT_BEHIND_MARGIN_PERCENT", 10)
    REPORT_SUPERVISION_WINDOW_DAYS = _env_int("REPORT_SUPERVISION_WINDOW_DAYS", 31)
    EXPORT_BATCH_SIZE = _env_int("EXPORT_BATCH_SIZE", 1000)
    # Background jobs (app/services/jobs): with REDIS_URL set, an export of more rows than
    # EXPORT_INLINE_MAX_ROWS and the daily digest run on the RQ queue JOBS_QUEUE, served by
    # `flask jobs worker`; unset, exports stream in the request and the digest runs at
    # once. A finished export is kept EXPORT_KEEP_HOURS; a running attempt that has not
    # reported for EXPORT_JOB_LEASE_SECONDS is presumed dead and the job queued again, at
    # most EXPORT_JOB_MAX_ATTEMPTS attempts in all. Workers look for such jobs every
    # JOBS_SWEEP_SECONDS.
    REDIS_URL = os.environ.get("REDIS_URL", "").strip()
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "").strip() or "pcpt"
    EXPORT_INLINE_MAX_ROWS = _env_int("EXPORT_INLINE_MAX_ROWS", 20_000)
    EXPORT_KEEP_HOURS = _env_int("EXPORT_KEEP_HOURS", 24)
    EXPORT_JOB_LEASE_SECONDS = _env_int("EXPORT_JOB_LEASE_SECONDS", 120)
    EXPORT_JOB_MAX_ATTEMPTS = _env_int("EXPORT_JOB_MAX_ATTEMPTS", 3)
    JOBS_SWEEP_SECONDS = _env_int("JOBS_SWEEP_SECONDS", 60)
    # The daily digest reminds a supervisor of evidence still waiting for review this many
    # days after it was submitted, and again each time this many days pass without review.
    REVIEW_REMINDER_DAYS = _env_int("REVIEW_REMINDER_DAYS", 7)

    # Single sign-on (OpenID Connect): on when OIDC_DISCOVERY_URL names the provider's
    # /.well-known/openid-configuration; the client id and secret are the ones the
    # provider issued for this service. The label names the provider on the button.
    OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "").strip()
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_PROVIDER_LABEL = os.environ.get("OIDC_PROVIDER_LABEL", "").strip() or "NHSmail"
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "").strip() or "openid email profile"
    # Only a test's provider on loopback may speak plain http (tests/oidc/).
    OIDC_ALLOW_HTTP = False

    # JSON API: how long a new token lasts by default and at most, requests allowed per
    # token (or address, before authentication), and the largest request body accepted.
    API_TOKEN_DAYS = _env_int("API_TOKEN_DAYS", 90)
    API_TOKEN_MAX_DAYS = _env_int("API_TOKEN_MAX_DAYS", 365)
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")
    API_MAX_BODY_BYTES = _env_int("API_MAX_BODY_BYTES", 64 * 1024)
    # flask-smorest builds the OpenAPI document from the API's views and schemas.
    API_TITLE = "PCPT Portfolio API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"

    # Open Badges 3.0 credentials issued on completion (app/services/credentials/keys.py):
    # the Ed25519 signing key as a Multikey secret (z...; required in production, generated
    # per instance folder in development, per app in tests), the public keys (z6Mk...,
    # comma-separated) of rotated-out keys that stay published, and the issuing
    # organisation's name and web address (unset: BASE_URL) in the issuer profile.
    CREDENTIAL_SIGNING_KEY = os.environ.get("CREDENTIAL_SIGNING_KEY", "").strip()
    CREDENTIAL_PREVIOUS_KEYS = _env_list("CREDENTIAL_PREVIOUS_KEYS", ())
    CREDENTIAL_ISSUER_NAME = os.environ.get("CREDENTIAL_ISSUER_NAME", "").strip() or (
        "PCPT Portfolio"
    )
    CREDENTIAL_ISSUER_URL = os.environ.get("CREDENTIAL_ISSUER_URL", "").strip()


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-key-with-enough-entropy-0123456789abcdef"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False
    # The single sign-on tests' provider runs on loopback, over plain http (tests/oidc/).
    OIDC_ALLOW_HTTP = True
    # Hundreds of tests sign in as supervisors, leads and administrators to test something
    # else; two-factor sign-in is tested on its own (tests/two_factor/), which turns it
    # on there.
    MFA_REQUIRED_ROLES: tuple[str, ...] = ()
    # Only the background job tests use a queue (tests/jobs/, tests/two_servers/).
    REDIS_URL = ""


class ProductionConfig(Config):
    ENV_NAME = "production"
    BASE_URL = os.environ.get("BASE_URL", "")  # required: create_app refuses to start without
    # Browsers remember to use HTTPS only for a year.
    HSTS = "max-age=31536000; includeSubDomains"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
