"""enrolment lifecycle: pauses, withdrawals and supervisor transfers (placeholder, filled by its work)

Revision ID: 1a7e0c3b2d01
Revises: e4b9d2c6a815
Create Date: 2026-12-06 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a7e0c3b2d01'
down_revision = 'e4b9d2c6a815'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
