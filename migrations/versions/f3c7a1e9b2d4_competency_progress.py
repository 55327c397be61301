"""competency progress: each enrolment's competencies with their statuses, kept beside its
progress summary

Revision ID: f3c7a1e9b2d4
Revises: e8a4c6f2d1b9
Create Date: 2026-12-07 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c7a1e9b2d4'
down_revision = 'e8a4c6f2d1b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'competency_progress',
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('competency_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ['competency_id'], ['competencies.id'],
            name=op.f('fk_competency_progress_competency_id_competencies'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['enrolment_id'], ['enrolments.id'],
            name=op.f('fk_competency_progress_enrolment_id_enrolments'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'enrolment_id', 'competency_id', name=op.f('pk_competency_progress')
        ),
    )
    op.create_index(
        op.f('ix_competency_progress_competency_id'), 'competency_progress', ['competency_id']
    )
    # Every enrolment summed up again by the app's rules, its competencies' statuses with it:
    # this is the newest migration that changes the summaries (see a7c3e9d2f1b4).
    from app.database import session_on
    from app.services.reporting import progress_summary

    with session_on(op.get_bind()):
        progress_summary.rebuild()


def downgrade():
    op.drop_table('competency_progress')
