"""credentials: Open Badges 3.0 credentials issued on completion, status list

Revision ID: d4f6182b3b04
Revises: c3e5071a2a03
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f6182b3b04'
down_revision = 'c3e5071a2a03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issued_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('status_sequence', sa.Integer(), nullable=False),
    sa.Column('status_list', sa.Integer(), nullable=False),
    sa.Column('status_list_index', sa.Integer(), nullable=False),
    sa.Column('verification_method', sa.String(length=300), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_name', sa.String(length=200), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_issued_credentials_completion_id_completions')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_issued_credentials_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_issued_credentials_trainee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_credentials')),
    sa.UniqueConstraint('completion_id', name=op.f('uq_issued_credentials_completion_id')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_issued_credentials_enrolment_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_issued_credentials_public_id')),
    sa.UniqueConstraint('status_list', 'status_list_index', name=op.f('uq_issued_credentials_status_list_status_list_index')),
    sa.UniqueConstraint('status_sequence', name=op.f('uq_issued_credentials_status_sequence'))
    )
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_credentials_trainee_id'), ['trainee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_credentials_trainee_id'))

    op.drop_table('issued_credentials')
