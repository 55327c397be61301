"""framework publishing: uploads held for preview, who published a version and when

Revision ID: a1c3e5f70801
Revises: 7a4e6c9b8d07
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f70801'
down_revision = '7a4e6c9b8d07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('framework_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('framework_code', sa.String(length=100), nullable=False),
    sa.Column('framework_version', sa.String(length=50), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('framework_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(yaml_text) <= 1048576', name=op.f('ck_framework_uploads_size')),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_framework_uploads_framework_id_frameworks')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_framework_uploads_published_by_id_users')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_framework_uploads_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_uploads'))
    )
    with op.batch_alter_table('framework_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_framework_uploads_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('framework_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_framework_uploads_sha256'))

    op.drop_table('framework_uploads')
