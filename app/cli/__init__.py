"""Command-line interface: `flask --app wsgi <group> <command>`.

Every command exits 0 on success and 1 with a one-line reason otherwise (`fails_cleanly`).
"""

from __future__ import annotations

from flask import Flask

from app.cli.backups import backup_command, restore_command
from app.cli.common import fails_cleanly
from app.cli.demo import demo_cli
from app.cli.framework_moves import frameworks_migrate
from app.cli.frameworks import frameworks_cli
from app.cli.jobs import jobs_cli
from app.cli.notifications import notifications_cli
from app.cli.people import enrol_command, orgs_cli, tokens_cli, users_cli
from app.cli.people_import import users_import
from app.cli.records import audit_cli, reports_cli, supervisor_cli
from app.cli.retention import retention_cli
from app.cli.storage import storage_cli

__all__ = ["fails_cleanly", "register"]


def register(app: Flask) -> None:
    users_cli.add_command(users_import)
    frameworks_cli.add_command(frameworks_migrate)
    for command in (
        frameworks_cli,
        orgs_cli,
        users_cli,
        enrol_command,
        tokens_cli,
        audit_cli,
        reports_cli,
        backup_command,
        restore_command,
        demo_cli,
        supervisor_cli,
        notifications_cli,
        jobs_cli,
        retention_cli,
        storage_cli,
    ):
        app.cli.add_command(command)
