"""signer standings: the days each supervisor's latest registration stands for a sign-off

Revision ID: e8a4c6f2d1b9
Revises: d7f3b2c9e5a8
Create Date: 2026-12-07 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8a4c6f2d1b9'
down_revision = 'd7f3b2c9e5a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signer_standings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('stands_from', sa.Date(), nullable=True),
        sa.Column('stands_until', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_signer_standings_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_signer_standings')),
    )
    op.create_index(op.f('ix_signer_standings_stands_from'), 'signer_standings', ['stands_from'])
    op.create_index(op.f('ix_signer_standings_stands_until'), 'signer_standings', ['stands_until'])
    # Every supervisor's row, by the app's own rule (the newest migration of this table).
    from app.database import session_on
    from app.services.registration import signer_standing

    with session_on(op.get_bind()):
        signer_standing.rebuild()


def downgrade():
    op.drop_table('signer_standings')
