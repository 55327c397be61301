"""erasure of signed records: the one UPDATE the append-only tables accept

Reviews, sign-offs, revocations and completions stay append-only, with one exception:
erasing a trainee's personal data (app/services/privacy/erasure.py) may overwrite that
trainee's personal fields with the placeholder '[erased]', and nothing else. The
database checks it: every other column must be unchanged, each personal field must
become exactly the placeholder (a statement: the trainee's name in it replaced by the
placeholder), so no other change can pass. DELETE and TRUNCATE stay refused.

A column added to one of these tables later must be added to UNCHANGED below, or an
erasure UPDATE could change it.

Revision ID: c3e8f51a2d47
Revises: a7c41e2b9d10
Create Date: 2026-11-26 05:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3e8f51a2d47'
down_revision = 'a7c41e2b9d10'
branch_labels = None
depends_on = None


ERASED = "'[erased]'"

# Columns an erasure must leave exactly as they were.
UNCHANGED = {
    "reviews": (
        "id", "evidence_id", "evidence_version_id", "version_number", "content_sha256",
        "reviewer_id", "decision", "created_at",
    ),
    "sign_offs": (
        "id", "enrolment_id", "competency_id", "sequence", "competency_code", "outcome_code",
        "outcome_label", "proficient", "unmet_rule", "signer_id", "signer_name",
        "signer_gphc_number", "evidence_versions", "signed_at", "record_sha256",
    ),
    "sign_off_revocations": (
        "id", "sign_off_id", "revoked_by_id", "revoked_by_name", "revoked_at", "record_sha256",
    ),
    # prerequisites may change: the erasure replaces the registration number and dates
    # inside it (the name must become the placeholder in the same UPDATE).
    "completions": (
        "id", "enrolment_id", "signer_id", "signer_name", "signer_gphc_number",
        "framework_label", "completed_at", "record_sha256",
    ),
}
JSON_COLUMNS = {"unmet_rule", "evidence_versions", "prerequisites"}

STATEMENT = f"NEW.statement = replace(OLD.statement, OLD.trainee_name, {ERASED})"
# The personal fields, and what an erasure may set each to.
ERASED_FIELDS = {
    "reviews": (f"NEW.comment = {ERASED}",),
    "sign_offs": (
        f"NEW.trainee_name = {ERASED}",
        STATEMENT,
        f"NEW.comment = {ERASED}",
        "((OLD.override_justification IS NULL AND NEW.override_justification IS NULL)"
        f" OR NEW.override_justification = {ERASED})",
    ),
    "sign_off_revocations": (f"NEW.reason = {ERASED}",),
    "completions": (f"NEW.trainee_name = {ERASED}", STATEMENT),
}
TABLES = tuple(UNCHANGED)


def _same(column: str, postgres: bool) -> str:
    if not postgres:
        return f"NEW.{column} IS OLD.{column}"
    if column in JSON_COLUMNS:  # PostgreSQL's json type has no equality operator
        return f"NEW.{column}::text IS NOT DISTINCT FROM OLD.{column}::text"
    return f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"


def _erasure_only(table: str, postgres: bool) -> str:
    checks = [_same(c, postgres) for c in UNCHANGED[table]] + list(ERASED_FIELDS[table])
    return " AND ".join(f"({check})" for check in checks)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(
                f"""
                CREATE OR REPLACE FUNCTION {table}_erasure_only() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF {_erasure_only(table, True)} THEN
                        RETURN NEW;
                    END IF;
                    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
                END
                $$
                """
            )
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_erasure_only BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_erasure_only()"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"WHEN NOT ({_erasure_only(table, False)}) "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
            )


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_erasure_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_erasure_only()")
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
            )
