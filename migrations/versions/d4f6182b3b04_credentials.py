"""credentials: Open Badges 3.0 credentials issued on completion, status list

Revision ID: d4f6182b3b04
Revises: c3e5071a2a03
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f6182b3b04'
down_revision = 'c3e5071a2a03'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
