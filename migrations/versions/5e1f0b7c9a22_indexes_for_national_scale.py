"""indexes for national scale

Measured with bench/run.py at 5,000 trainees x 100 evidence items (EXPLAIN checked on
SQLite and PostgreSQL):
- enrolments.education_supervisor_id: "enrolments I supervise" is clinical OR education
  supervisor; with only one side indexed the review queue scanned all evidence.
- evidence (enrolment_id, status, submitted_at, updated_at) replaces the index on
  enrolment_id alone: the progress report's per-enrolment aggregate reads the index only.
- reviews (evidence_id, created_at) replaces the index on evidence_id alone: each
  enrolment's latest review is read from the index only.

Revision ID: 5e1f0b7c9a22
Revises: c3e8f51a2d47
Create Date: 2026-11-26 05:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1f0b7c9a22'
down_revision = 'c3e8f51a2d47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_enrolments_education_supervisor_id', 'enrolments', ['education_supervisor_id']
    )
    op.create_index(
        'ix_evidence_enrolment_activity',
        'evidence',
        ['enrolment_id', 'status', 'submitted_at', 'updated_at'],
    )
    op.drop_index('ix_evidence_enrolment_id', table_name='evidence')
    op.create_index('ix_reviews_evidence_created', 'reviews', ['evidence_id', 'created_at'])
    op.drop_index('ix_reviews_evidence_id', table_name='reviews')


def downgrade():
    op.create_index('ix_reviews_evidence_id', 'reviews', ['evidence_id'])
    op.drop_index('ix_reviews_evidence_created', table_name='reviews')
    op.create_index('ix_evidence_enrolment_id', 'evidence', ['enrolment_id'])
    op.drop_index('ix_evidence_enrolment_activity', table_name='evidence')
    op.drop_index('ix_enrolments_education_supervisor_id', table_name='enrolments')
