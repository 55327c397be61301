"""accepted version stays counted: evidence.accepted_version_number

Editing accepted evidence makes a new draft version; the version the supervisor accepted
stays visible to them and to leads, and keeps counting towards sign-off, until a later
version is accepted. The item records which version that is. Existing items take the
latest version a review accepted, so evidence under revision today counts again.

Revision ID: b4d2a6e8f031
Revises: 5e1f0b7c9a22
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d2a6e8f031'
down_revision = '5e1f0b7c9a22'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('evidence', sa.Column('accepted_version_number', sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE evidence SET accepted_version_number = (
            SELECT MAX(reviews.version_number) FROM reviews
            WHERE reviews.evidence_id = evidence.id AND reviews.decision = 'accepted'
        )
        """
    )


def downgrade():
    # ALTER TABLE ... DROP COLUMN, on SQLite too (3.35 and later): a batch copy would drop
    # and rebuild the evidence table, and with foreign keys on that cascades to versions.
    op.drop_column('evidence', 'accepted_version_number')
