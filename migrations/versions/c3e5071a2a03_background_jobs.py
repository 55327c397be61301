"""background jobs: long exports run on a queue, their files kept for a day

Revision ID: c3e5071a2a03
Revises: b2d4f6081902
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5071a2a03'
down_revision = 'b2d4f6081902'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
