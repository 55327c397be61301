"""single sign-on: provider links and per-organisation password sign-in (placeholder, filled by its work)

Revision ID: 4d0b3f6e5a04
Revises: 3c9a2e5d4f03
Create Date: 2026-12-06 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d0b3f6e5a04'
down_revision = '3c9a2e5d4f03'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
