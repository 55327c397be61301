"""framework publishing: uploads held for preview, who published a version and when

Revision ID: a1c3e5f70801
Revises: 7a4e6c9b8d07
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f70801'
down_revision = '7a4e6c9b8d07'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
