"""Readiness: can this server do its work? The database, the storage and (when one is
configured) Redis each answer within a couple of seconds, or the server is not ready.

`/healthz` only says the process is alive; a load balancer sends traffic to a server only
while `/readyz` says ready. Each failure is named in words that carry no address,
credential or stack trace.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.services.storage import StorageError, current_storage

TIMEOUT_SECONDS = 2


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or what is wrong

    @property
    def ready(self) -> bool:
        return all(result == "ok" for result in self.checks.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, result in self.checks.items() if result != "ok"]


def _database() -> str:
    """SELECT 1 on a connection of its own, given TIMEOUT_SECONDS to answer.

    Asked in a thread, so a database host that does not answer at all (where connecting
    could wait for the operating system's TCP timeout) still gives an answer in time.
    """
    engine = db.engine
    answered: list[bool] = []

    def probe() -> None:
        try:
            with engine.connect() as connection, connection.begin():
                if engine.dialect.name == "postgresql":
                    timeout = f"SET LOCAL statement_timeout = {TIMEOUT_SECONDS * 1000}"
                    connection.execute(text(timeout))
                connection.execute(text("SELECT 1"))
            answered.append(True)
        except SQLAlchemyError:
            answered.append(False)

    worker = threading.Thread(target=probe, name="readyz-database", daemon=True)
    worker.start()
    worker.join(TIMEOUT_SECONDS + 0.5)
    return "ok" if answered == [True] else "the database did not answer"


def _storage() -> str:
    try:
        current_storage().check()
    except StorageError as error:
        return str(error)
    return "ok"


def redis_urls() -> list[str]:
    """The Redis servers this service uses: jobs' REDIS_URL, the rate limits' store."""
    urls = [current_app.config.get("REDIS_URL") or ""]
    limits = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if limits.startswith(("redis://", "rediss://")):
        urls.append(limits)
    return list(dict.fromkeys(url for url in urls if url))


def _redis(urls: list[str]) -> str:
    import redis

    for url in urls:
        try:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
            )
            try:
                client.ping()
            finally:
                client.close()
        except redis.AuthenticationError:
            return "Redis refused this service's password"
        except (redis.RedisError, OSError, ValueError):
            return "Redis did not answer"
    return "ok"


def check_readiness() -> Readiness:
    readiness = Readiness()
    readiness.checks["database"] = _database()
    readiness.checks["storage"] = _storage()
    urls = redis_urls()
    if urls:
        readiness.checks["redis"] = _redis(urls)
    return readiness
