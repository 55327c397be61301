"""multi-source feedback rounds, raters and responses (placeholder, filled by its work)

Revision ID: 6f3d5b8a7c06
Revises: 5e2c4a7f6b05
Create Date: 2026-12-06 18:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6f3d5b8a7c06'
down_revision = '5e2c4a7f6b05'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
