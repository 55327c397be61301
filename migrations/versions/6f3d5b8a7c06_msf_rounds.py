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
    op.create_table('msf_rules',
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('evidence_type_code', sa.String(length=50), nullable=False),
    sa.Column('min_responses', sa.Integer(), nullable=False),
    sa.Column('advised_responses', sa.Integer(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('min_gap_days', sa.Integer(), nullable=False),
    sa.Column('report_threshold', sa.Integer(), nullable=False),
    sa.Column('groups', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_msf_rules_framework_id_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('framework_id', name=op.f('pk_msf_rules'))
    )
    op.create_table('msf_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('counts_at_close', sa.JSON(), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'valid', 'invalid', 'released')", name=op.f('ck_msf_rounds_status')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_msf_rounds_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_msf_rounds_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_msf_rounds_evidence_id_evidence'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_msf_rounds_released_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msf_rounds'))
    )
    with op.batch_alter_table('msf_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_msf_rounds_enrolment', ['enrolment_id', 'opened_at'], unique=False)

    op.create_table('msf_raters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('nominated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['one_time_links.id'], name=op.f('fk_msf_raters_link_id_one_time_links'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['msf_rounds.id'], name=op.f('fk_msf_raters_round_id_msf_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msf_raters')),
    sa.UniqueConstraint('round_id', 'email', name=op.f('uq_msf_raters_round_id_email'))
    )
    op.create_table('msf_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('rater_group', sa.String(length=50), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['msf_rounds.id'], name=op.f('fk_msf_responses_round_id_msf_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msf_responses'))
    )
    with op.batch_alter_table('msf_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msf_responses_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('msf_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msf_responses_round_id'))

    op.drop_table('msf_responses')
    op.drop_table('msf_raters')
    with op.batch_alter_table('msf_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_msf_rounds_enrolment')

    op.drop_table('msf_rounds')
    op.drop_table('msf_rules')
