"""CASE identifiers: stable UUIDs for framework documents, domains and competencies

Revision ID: b2d4f6081902
Revises: a1c3e5f70801
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2d4f6081902'
down_revision = 'a1c3e5f70801'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
