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
PLACING = {
    'organisation_id': 'users.organisation_id',
    'cohort_id': 'enrolments.cohort_id',
    'clinical_supervisor_id': 'enrolments.clinical_supervisor_id',
    'education_supervisor_id': 'enrolments.education_supervisor_id',
    'status': 'enrolments.status',
    'started_on': 'enrolments.started_on',
    'expected_end_on': 'enrolments.expected_end_on',
}


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
    # The placing copied from the enrolments and their trainees. The newest migration that
    # changes the summaries (f3c7a1e9b2d4 now) sums every enrolment up again by the app's
    # rules, which match only the newest schema (see a7c3e9d2f1b4).
    for column, source in PLACING.items():
        op.execute(
            f"UPDATE progress_summaries SET {column} = (SELECT {source} FROM enrolments "
            "JOIN users ON users.id = enrolments.trainee_id "
            "WHERE enrolments.id = progress_summaries.enrolment_id)"
        )
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
