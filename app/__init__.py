"""PCPT Portfolio: the application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request
from jinja2 import BytecodeCache, ChainableUndefined, ChoiceLoader, PackageLoader
from jinja2.bccache import Bucket
from werkzeug.routing import IntegerConverter

from app import base_url, request_input
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.models.base import MAX_ID
from config import CONFIGS, INSTANCE_DIR, Config


def create_app(config: type[Config] | str | None = None, **overrides: object) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    # Before any route exists: ids in URLs never exceed what the database can hold.
    app.url_map.converters["int"] = RecordIdConverter
    app.config.from_object(_config_class(config))
    app.config.update(overrides)
    _ensure_secret_key(app)
    _check_two_factor_roles(app)
    _check_storage(app)
    _check_credential_keys(app)
    base_url.init_app(app)  # first of the hooks: a request for another host stops there
    request_input.init_app(app)  # then an address with control characters, deep JSON

    register_jinja(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in every route: a record id, so at most the largest id the database
    stores (a 32-bit integer); anything larger is a 404, not a database error."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=None, signed=False) -> None:
        super().__init__(url_map, fixed_digits, min, max if max is not None else MAX_ID, signed)


def _config_class(config: type[Config] | str | None) -> type[Config]:
    if config is None:
        config = os.environ.get("FLASK_CONFIG", "development")
    if isinstance(config, str):
        try:
            return CONFIGS[config]
        except KeyError:
            raise SystemExit(
                f"FLASK_CONFIG must be one of {sorted(CONFIGS)}, not {config!r}"
            ) from None
    return config


def _strong_key(key: str) -> bool:
    """32+ characters with some variety: refuses placeholders such as 'x' * 32."""
    return len(key) >= 32 and len(set(key)) >= 10


def _ensure_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.config.get("ENV_NAME") == "production":
        if not _strong_key(key):
            raise SystemExit(
                "SECRET_KEY must be set to at least 32 random characters in production"
            )
        # An old key still signs valid cookies during a rotation, so it must be strong too.
        if not all(_strong_key(old) for old in app.config.get("SECRET_KEY_FALLBACKS") or []):
            raise SystemExit("every SECRET_KEY_FALLBACKS key must be 32+ random characters")
        return
    if key:
        return
    # Development without SECRET_KEY: one random key per instance folder, kept on disk
    # so sessions survive restarts but no two laptops share a key.
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _check_two_factor_roles(app: Flask) -> None:
    """A misspelt role in MFA_REQUIRED_ROLES would quietly let that role skip two-factor."""
    from app.models.users import ROLES

    unknown = sorted(set(app.config.get("MFA_REQUIRED_ROLES") or ()) - set(ROLES))
    if unknown:
        raise SystemExit(
            f"MFA_REQUIRED_ROLES names unknown roles {unknown}; choose from {', '.join(ROLES)}"
        )


def _check_storage(app: Flask) -> None:
    """A malformed STORAGE_URL stops the start with the reason (no silent local fallback)."""
    from app.services.storage import store

    store.init_app(app)


def _check_credential_keys(app: Flask) -> None:
    """The Open Badges signing key: refused missing in production, made in development."""
    from app.services.credentials import keys

    keys.init_app(app)


class _ProcessBytecodeCache(BytecodeCache):
    """Compiled templates shared by every app in the process (keys include a source checksum).

    The NHS macros are dozens of templates; compiling them once per process rather than
    once per app keeps start-up, and the test suite, fast.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE_CACHE = _ProcessBytecodeCache()


def register_jinja(app: Flask) -> None:
    app.jinja_options = {
        **app.jinja_options,
        "undefined": ChainableUndefined,
        "autoescape": True,
        "bytecode_cache": _BYTECODE_CACHE,
    }
    # Set on app.jinja_loader (not jinja_options) so blueprint template folders still work.
    app.jinja_loader = ChoiceLoader(
        [app.jinja_loader, PackageLoader("nhsuk_frontend_jinja", "templates")]
    )
    from app.templating import register_template_helpers

    register_template_helpers(app)


def register_extensions(app: Flask) -> None:
    from app.database import configure_engine
    from app.services.registration import signer_standing
    from app.services.reporting import summary_upkeep

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    summary_upkeep.install()  # progress summaries change with the records they sum up
    signer_standing.install()  # and supervisors' standings with their registrations
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "basic"

    from app.auth.sessions import load_user, load_user_from_bearer_token

    login_manager.user_loader(load_user)
    login_manager.request_loader(load_user_from_bearer_token)

    from app.auth import single_sign_on

    single_sign_on.init_app(app)  # the OpenID Connect provider, when one is configured


def register_blueprints(app: Flask) -> None:
    from app.account import bp as account_bp
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.api.blueprint import register_api
    from app.assess import bp as assess_bp
    from app.auth import bp as auth_bp
    from app.credentials import bp as credentials_bp
    from app.feedback import bp as feedback_bp
    from app.lead import bp as lead_bp
    from app.main import bp as main_bp
    from app.notifications import bp as notifications_bp
    from app.registration import bp as registration_bp
    from app.supervisor import bp as supervisor_bp
    from app.trainee import bp as trainee_bp

    for bp in (
        main_bp,
        auth_bp,
        account_bp,
        trainee_bp,
        supervisor_bp,
        lead_bp,
        admin_bp,
        notifications_bp,
        registration_bp,
        assess_bp,
        feedback_bp,
        credentials_bp,
    ):
        app.register_blueprint(bp)
    # Bearer tokens, not cookies, authenticate the API, so CSRF tokens do not apply.
    csrf.exempt(api_bp)
    register_api(app)


def register_request_hooks(app: Flask) -> None:
    from app.auth.sessions import enforce_session_limits
    from app.auth.sign_in import enforce_second_factor
    from app.database import reset_begin_mode, set_read_only
    from app.permissions import enforce_route_roles

    @app.before_request
    def _read_only_for_safe_methods():
        request.environ["pcpt.begin_token"] = set_read_only(
            request.method in ("GET", "HEAD", "OPTIONS")
        )

    app.before_request(enforce_session_limits)
    app.before_request(enforce_second_factor)
    app.before_request(enforce_route_roles)

    @app.teardown_request
    def _reset_begin_mode(_exc):
        token = request.environ.pop("pcpt.begin_token", None)
        if token is not None:
            reset_begin_mode(token)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config.get("HSTS"):
            response.headers.setdefault("Strict-Transport-Security", app.config["HSTS"])
        return response


def register_errorhandlers(app: Flask) -> None:
    from app import errors
    from app.logs import configure_logging

    configure_logging(app)
    errors.register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
