"""assessment requests: one-time tickets for assessors without accounts (placeholder, filled by its work)

Revision ID: 5e2c4a7f6b05
Revises: 4d0b3f6e5a04
Create Date: 2026-12-06 18:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e2c4a7f6b05'
down_revision = '4d0b3f6e5a04'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
