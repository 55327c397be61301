"""summary placing: the trainee's organisation, the cohort, status, supervisors and dates
kept on each progress summary, so that a report reads that table alone

Revision ID: d7f3b2c9e5a8
Revises: c5a2e8d4b7f1
Create Date: 2026-12-07 12:40:00.000000

"""
import warnings

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7f3b2c9e5a8'
down_revision = 'c5a2e8d4b7f1'
branch_labels = None
depends_on = None

INDEXED = ('organisation_id', 'cohort_id', 'clinical_supervisor_id', 'education_supervisor_id')


def upgrade():
    with warnings.catch_warnings():
        # SQLite's batch mode reflects the tables the summaries point at; the index on
        # users' lower(name) is one SQLAlchemy cannot reflect, and need not: users is not
        # the table rebuilt.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        _upgrade()


def _upgrade():
    with op.batch_alter_table('progress_summaries') as batch:
        for column in INDEXED:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch.add_column(sa.Column('status', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('expected_end_on', sa.Date(), nullable=True))
    # Every enrolment summed up by the app's rules, placing and all (this is the newest
    # migration that changes the table: see a7c3e9d2f1b4).
    from app.database import session_on
    from app.services.reporting import progress_summary

    with session_on(op.get_bind()):
        progress_summary.rebuild()
    with op.batch_alter_table('progress_summaries') as batch:
        for column in ('status', 'started_on', 'expected_end_on'):
            batch.alter_column(column, nullable=False)
        for column in INDEXED:
            batch.create_index(op.f(f'ix_progress_summaries_{column}'), [column])


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        _downgrade()


def _downgrade():
    with op.batch_alter_table('progress_summaries') as batch:
        for column in INDEXED:
            batch.drop_index(op.f(f'ix_progress_summaries_{column}'))
        for column in (*INDEXED, 'status', 'started_on', 'expected_end_on'):
            batch.drop_column(column)
