"""users in name order: an index on lower(name), the order every list of people sorts by

Revision ID: c5a2e8d4b7f1
Revises: b3d8f1a9c2e7
Create Date: 2026-12-07 12:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5a2e8d4b7f1'
down_revision = 'b3d8f1a9c2e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_lower_name', 'users', [sa.text('lower(name)')])


def downgrade():
    op.drop_index('ix_users_lower_name', table_name='users')
