"""two-factor sign-in: TOTP secrets and recovery codes (placeholder, filled by its work)

Revision ID: 3c9a2e5d4f03
Revises: 2b8f1d4c3e02
Create Date: 2026-12-06 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9a2e5d4f03'
down_revision = '2b8f1d4c3e02'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
