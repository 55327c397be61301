"""honest readiness: the GPhC's agreement to exceptional circumstances, and which
supervision sessions the clinical supervisor held

Exceptional circumstances lower the revalidation requirement only once the GPhC's
agreement (its date and reference) is recorded; rows recorded before have none. A session
counts towards the monthly rule only when the enrolment's clinical supervisor held it:
sessions already recorded are marked from the enrolment's clinical supervisor today.

Revision ID: e4b9d2c6a815
Revises: 7d2f4b8e1a63
Create Date: 2026-12-06 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b9d2c6a815'
down_revision = '7d2f4b8e1a63'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'exceptional_circumstances', sa.Column('gphc_agreed_on', sa.Date(), nullable=True)
    )
    op.add_column(
        'exceptional_circumstances',
        sa.Column('gphc_reference', sa.String(length=100), nullable=True),
    )
    op.add_column(
        'supervision_sessions',
        sa.Column(
            'by_clinical_supervisor', sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.execute(
        "UPDATE supervision_sessions SET by_clinical_supervisor = TRUE WHERE supervisor_id = "
        "(SELECT e.clinical_supervisor_id FROM enrolments e "
        "WHERE e.id = supervision_sessions.enrolment_id)"
    )


def downgrade():
    op.drop_column('supervision_sessions', 'by_clinical_supervisor')
    op.drop_column('exceptional_circumstances', 'gphc_reference')
    op.drop_column('exceptional_circumstances', 'gphc_agreed_on')
