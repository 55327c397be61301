"""assessment requests: one-time tickets for assessors without accounts (placeholder, filled by its work)

Revision ID: 5e2c4a7f6b05
Revises: 4d0b3f6e5a04
Create Date: 2026-12-06 18:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e2c4a7f6b05'
down_revision = '4d0b3f6e5a04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assessor_name', sa.String(length=200), nullable=False),
    sa.Column('assessor_email', sa.String(length=254), nullable=False),
    sa.Column('assessor_role', sa.String(length=40), nullable=False),
    sa.Column('assessor_number', sa.String(length=20), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('code_attempts', sa.Integer(), nullable=False),
    sa.Column('codes_sent', sa.Integer(), nullable=False),
    sa.Column('identity_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_number', sa.Integer(), nullable=True),
    sa.Column('in_person', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_assessment_requests_evidence_id_evidence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['one_time_links.id'], name=op.f('fk_assessment_requests_link_id_one_time_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_assessment_requests_requested_by_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_requests')),
    sa.UniqueConstraint('link_id', name=op.f('uq_assessment_requests_link_id'))
    )
    with op.batch_alter_table('assessment_requests', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_requests_evidence', ['evidence_id', 'completed_at'], unique=False)
        batch_op.create_index('ix_assessment_requests_trainee_created', ['requested_by_id', 'created_at'], unique=False)
    # A framework's switch: observed evidence counts only when its assessor completed it.
    # Plain ADD COLUMNs (SQLite too): a batch copy would trip the foreign keys into them.
    op.add_column('frameworks', sa.Column('require_assessor_completion', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('competencies', sa.Column('require_assessor_completion', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('competencies', 'require_assessor_completion')
    op.drop_column('frameworks', 'require_assessor_completion')
    with op.batch_alter_table('assessment_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_requests_trainee_created')
        batch_op.drop_index('ix_assessment_requests_evidence')
    op.drop_table('assessment_requests')
