"""progress summaries: one row per enrolment kept in the same transaction

Revision ID: f6183b4d5d06
Revises: e5072a3c4c05
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6183b4d5d06'
down_revision = 'e5072a3c4c05'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
