"""organisation paths: the tree's closure, so that a subtree is an indexed lookup

Revision ID: b3d8f1a9c2e7
Revises: a7c3e9d2f1b4
Create Date: 2026-12-07 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d8f1a9c2e7'
down_revision = 'a7c3e9d2f1b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organisation_paths',
        sa.Column('ancestor_id', sa.Integer(), nullable=False),
        sa.Column('descendant_id', sa.Integer(), nullable=False),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['ancestor_id'], ['organisations.id'],
            name=op.f('fk_organisation_paths_ancestor_id_organisations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['descendant_id'], ['organisations.id'],
            name=op.f('fk_organisation_paths_descendant_id_organisations'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'ancestor_id', 'descendant_id', name=op.f('pk_organisation_paths')
        ),
    )
    op.create_index(
        op.f('ix_organisation_paths_descendant_id'), 'organisation_paths', ['descendant_id']
    )
    # Each organisation's paths, walked from the parents once.
    op.execute(
        """
        INSERT INTO organisation_paths (ancestor_id, descendant_id, depth)
        WITH RECURSIVE walk (ancestor_id, descendant_id, depth) AS (
            SELECT id, id, 0 FROM organisations
            UNION ALL
            SELECT walk.ancestor_id, organisations.id, walk.depth + 1
            FROM walk JOIN organisations ON organisations.parent_id = walk.descendant_id
        )
        SELECT ancestor_id, descendant_id, depth FROM walk
        """
    )


def downgrade():
    op.drop_index(op.f('ix_organisation_paths_descendant_id'), table_name='organisation_paths')
    op.drop_table('organisation_paths')
