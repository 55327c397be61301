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
    # The identifiers a CASE 1.1 package gave the objects of a version imported from it.
    op.create_table('case_identifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('identifier', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_case_identifiers_framework_id_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_identifiers')),
    sa.UniqueConstraint('framework_id', 'key', name=op.f('uq_case_identifiers_framework_id_key')),
    sa.UniqueConstraint('identifier', name=op.f('uq_case_identifiers_identifier'))
    )


def downgrade():
    op.drop_table('case_identifiers')
