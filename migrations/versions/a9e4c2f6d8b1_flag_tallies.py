"""flag tallies: each organisation's count of its current enrolments by flag, kept beside
the progress summaries

Revision ID: a9e4c2f6d8b1
Revises: f3c7a1e9b2d4
Create Date: 2026-12-07 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9e4c2f6d8b1'
down_revision = 'f3c7a1e9b2d4'
branch_labels = None
depends_on = None

FLAGS = (
    'stalled', 'review_waiting', 'behind', 'registration', 'no_supervision', 'level3_to_verify'
)


def upgrade():
    # Empty until counted: a report counts the summaries themselves until every
    # organisation in its scope has a tally of the day (`reports recount-tallies`).
    op.create_table(
        'flag_tallies',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('counted_on', sa.Date(), nullable=False),
        sa.Column('thresholds', sa.String(length=40), nullable=False),
        sa.Column('enrolments', sa.Integer(), nullable=False),
        *(sa.Column(flag, sa.Integer(), nullable=False) for flag in FLAGS),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_flag_tallies_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_flag_tallies')),
    )


def downgrade():
    op.drop_table('flag_tallies')
