"""the smaller registration and pathway rules: a renewal date, the two parts of the older
Level 3 route, an "other" qualification's justification, protected learning days planned

Plain nullable columns added in place; rows recorded before this revision have none.

Revision ID: 7d2f4b8e1a63
Revises: c3e8a1f47d52
Create Date: 2026-12-06 16:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2f4b8e1a63'
down_revision = 'c3e8a1f47d52'
branch_labels = None
depends_on = None

COLUMNS = (
    ('registrations', sa.Column('renewed_on', sa.Date(), nullable=True)),
    ('qualifications', sa.Column('first_part_achieved_on', sa.Date(), nullable=True)),
    ('qualifications', sa.Column('second_part_achieved_on', sa.Date(), nullable=True)),
    ('qualifications', sa.Column('justification', sa.Text(), nullable=True)),
    (
        'enrolments',
        sa.Column(
            'protected_learning_days_planned', sa.Numeric(precision=4, scale=1), nullable=True
        ),
    ),
)


def upgrade():
    for table, column in COLUMNS:
        op.add_column(table, column)


def downgrade():
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column.name)
