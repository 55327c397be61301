"""progress summaries: one row per enrolment, kept with the records it sums up

Revision ID: a7c3e9d2f1b4
Revises: e5072a3c4c05
Create Date: 2026-12-07 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d2f1b4'
down_revision = 'e5072a3c4c05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'progress_summaries',
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('competencies', sa.Integer(), nullable=False),
        sa.Column('signed_off', sa.Integer(), nullable=False),
        sa.Column('ready', sa.Integer(), nullable=False),
        sa.Column('in_progress', sa.Integer(), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('awaiting_review', sa.Integer(), nullable=False),
        sa.Column('oldest_waiting_since', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_activity_on', sa.Date(), nullable=False),
        sa.Column('last_supervision_on', sa.Date(), nullable=True),
        sa.Column('registration_expires_on', sa.Date(), nullable=True),
        sa.Column('behind_from', sa.Date(), nullable=True),
        sa.Column('registration_flag_from', sa.Date(), nullable=True),
        sa.Column('level3_to_verify', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['enrolment_id'], ['enrolments.id'],
            name=op.f('fk_progress_summaries_enrolment_id_enrolments'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_progress_summaries')),
    )
    for column in (
        'percent', 'awaiting_review', 'oldest_waiting_since', 'last_activity_on',
        'registration_expires_on', 'behind_from', 'registration_flag_from',
    ):
        op.create_index(
            op.f(f'ix_progress_summaries_{column}'), 'progress_summaries', [column]
        )
    # The rows are written by the app's own rules, which match only the newest schema:
    # the newest migration that changes this table sums every enrolment up
    # (f3c7a1e9b2d4 now). The summaries are derived data: `reports rebuild-summary`
    # writes them again at any time.


def downgrade():
    op.drop_table('progress_summaries')
