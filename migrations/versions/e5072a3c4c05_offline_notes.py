"""offline notes: a client key on drafts so a note sent twice is stored once

Revision ID: e5072a3c4c05
Revises: d4f6182b3b04
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5072a3c4c05'
down_revision = 'd4f6182b3b04'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
