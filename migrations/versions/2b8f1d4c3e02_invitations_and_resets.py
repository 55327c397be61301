"""one-time links: invitations and password resets (placeholder, filled by its work)

Revision ID: 2b8f1d4c3e02
Revises: 1a7e0c3b2d01
Create Date: 2026-12-06 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2b8f1d4c3e02'
down_revision = '1a7e0c3b2d01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
