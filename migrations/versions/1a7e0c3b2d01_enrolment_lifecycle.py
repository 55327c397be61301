"""enrolment lifecycle: pauses, withdrawals and supervisor transfers (placeholder, filled by its work)

Revision ID: 1a7e0c3b2d01
Revises: e4b9d2c6a815
Create Date: 2026-12-06 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a7e0c3b2d01'
down_revision = 'e4b9d2c6a815'
branch_labels = None
depends_on = None


ONE_ACTIVE = "status = 'active'"
ONE_CURRENT = "status IN ('active', 'paused')"


def upgrade():
    op.create_table('enrolment_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('paused_from', sa.Date(), nullable=False),
    sa.Column('expected_return_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('paused_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('expected_return_on IS NULL OR expected_return_on > paused_from', name=op.f('ck_enrolment_pauses_expected_return_after_start')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= paused_from', name=op.f('ck_enrolment_pauses_ended_after_start')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_enrolment_pauses_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['paused_by_id'], ['users.id'], name=op.f('fk_enrolment_pauses_paused_by_id_users')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_enrolment_pauses_ended_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_pauses'))
    )
    with op.batch_alter_table('enrolment_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_pauses_enrolment_id'), ['enrolment_id'], unique=False)

    # Plain ADD COLUMN (the foreign key inline), which SQLite and PostgreSQL both accept,
    # so SQLite need not rebuild the table other tables' foreign keys point at.
    op.add_column('enrolments', sa.Column('withdrawn_on', sa.Date(), nullable=True))
    op.add_column('enrolments', sa.Column('withdrawal_reason', sa.Text(), nullable=True))
    op.execute(
        "ALTER TABLE enrolments ADD COLUMN withdrawn_by_id INTEGER "
        "CONSTRAINT fk_enrolments_withdrawn_by_id_users REFERENCES users (id)"
    )
    # One current (active or paused) enrolment per trainee, not just one active one.
    op.drop_index('uq_enrolments_one_active', table_name='enrolments', sqlite_where=sa.text(ONE_ACTIVE), postgresql_where=sa.text(ONE_ACTIVE))
    op.create_index('uq_enrolments_one_current', 'enrolments', ['trainee_id'], unique=True, sqlite_where=sa.text(ONE_CURRENT), postgresql_where=sa.text(ONE_CURRENT))


def downgrade():
    op.drop_index('uq_enrolments_one_current', table_name='enrolments', sqlite_where=sa.text(ONE_CURRENT), postgresql_where=sa.text(ONE_CURRENT))
    op.create_index('uq_enrolments_one_active', 'enrolments', ['trainee_id'], unique=True, sqlite_where=sa.text(ONE_ACTIVE), postgresql_where=sa.text(ONE_ACTIVE))
    # Plain DROP COLUMN (SQLite 3.35+): no table rebuild under other tables' foreign keys.
    for column in ('withdrawn_by_id', 'withdrawal_reason', 'withdrawn_on'):
        op.drop_column('enrolments', column)

    with op.batch_alter_table('enrolment_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_pauses_enrolment_id'))

    op.drop_table('enrolment_pauses')
