"""framework crosswalk: versions that follow others, competency claims, trainees moved

Revision ID: 7a4e6c9b8d07
Revises: 6f3d5b8a7c06
Create Date: 2026-12-06 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a4e6c9b8d07'
down_revision = '6f3d5b8a7c06'
branch_labels = None
depends_on = None

# Signed records: the database refuses to change or delete them, as for sign-offs.
APPEND_ONLY_TABLES = ("sign_off_carry_overs", "gap_analysis_signatures")


def upgrade():
    op.create_table('framework_successions',
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('follows_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['follows_id'], ['frameworks.id'], name=op.f('fk_framework_successions_follows_id_frameworks')),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_framework_successions_framework_id_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('framework_id', name=op.f('pk_framework_successions'))
    )
    with op.batch_alter_table('framework_successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_framework_successions_follows_id'), ['follows_id'], unique=False)

    op.create_table('competency_crosswalk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('old_competency_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('replaces', 'merges', 'splits_from')", name=op.f('ck_competency_crosswalk_kind')),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_competency_crosswalk_competency_id_competencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['old_competency_id'], ['competencies.id'], name=op.f('fk_competency_crosswalk_old_competency_id_competencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_crosswalk')),
    sa.UniqueConstraint('competency_id', 'old_competency_id', name=op.f('uq_competency_crosswalk_competency_id_old_competency_id'))
    )
    with op.batch_alter_table('competency_crosswalk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_crosswalk_competency_id'), ['competency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competency_crosswalk_old_competency_id'), ['old_competency_id'], unique=False)

    op.create_table('framework_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('from_framework_id', sa.Integer(), nullable=False),
    sa.Column('to_framework_id', sa.Integer(), nullable=False),
    sa.Column('moved_by_id', sa.Integer(), nullable=True),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('record_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_framework_moves_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['from_framework_id'], ['frameworks.id'], name=op.f('fk_framework_moves_from_framework_id_frameworks')),
    sa.ForeignKeyConstraint(['moved_by_id'], ['users.id'], name=op.f('fk_framework_moves_moved_by_id_users')),
    sa.ForeignKeyConstraint(['to_framework_id'], ['frameworks.id'], name=op.f('fk_framework_moves_to_framework_id_frameworks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_moves')),
    sa.UniqueConstraint('enrolment_id', 'to_framework_id', name=op.f('uq_framework_moves_enrolment_id_to_framework_id')),
    sa.UniqueConstraint('record_sha256', name=op.f('uq_framework_moves_record_sha256'))
    )
    with op.batch_alter_table('framework_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_framework_moves_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('sign_off_carry_overs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sign_off_id', sa.Integer(), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=False),
    sa.Column('move_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['move_id'], ['framework_moves.id'], name=op.f('fk_sign_off_carry_overs_move_id_framework_moves')),
    sa.ForeignKeyConstraint(['original_id'], ['sign_offs.id'], name=op.f('fk_sign_off_carry_overs_original_id_sign_offs')),
    sa.ForeignKeyConstraint(['sign_off_id'], ['sign_offs.id'], name=op.f('fk_sign_off_carry_overs_sign_off_id_sign_offs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_off_carry_overs')),
    sa.UniqueConstraint('sign_off_id', name=op.f('uq_sign_off_carry_overs_sign_off_id'))
    )
    with op.batch_alter_table('sign_off_carry_overs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_off_carry_overs_move_id'), ['move_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_off_carry_overs_original_id'), ['original_id'], unique=False)

    op.create_table('gap_analysis_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('move_id', sa.Integer(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signer_gphc_number', sa.String(length=7), nullable=False),
    sa.Column('signer_registration', sa.JSON(), nullable=True),
    sa.Column('trainee_name', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('move_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('record_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['move_id'], ['framework_moves.id'], name=op.f('fk_gap_analysis_signatures_move_id_framework_moves')),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_gap_analysis_signatures_signer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_analysis_signatures')),
    sa.UniqueConstraint('move_id', name=op.f('uq_gap_analysis_signatures_move_id')),
    sa.UniqueConstraint('record_sha256', name=op.f('uq_gap_analysis_signatures_record_sha256'))
    )
    _append_only(op.get_bind().dialect.name)


def _append_only(dialect: str) -> None:
    for table in APPEND_ONLY_TABLES:
        if dialect == "postgresql":
            # refuse_append_only_change() is created by 6b72e9992d82 (the audit trail).
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
            )
        else:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
                )


def downgrade():
    bind = op.get_bind()
    for table in APPEND_ONLY_TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.drop_table('gap_analysis_signatures')
    with op.batch_alter_table('sign_off_carry_overs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_off_carry_overs_original_id'))
        batch_op.drop_index(batch_op.f('ix_sign_off_carry_overs_move_id'))

    op.drop_table('sign_off_carry_overs')
    with op.batch_alter_table('framework_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_framework_moves_enrolment_id'))

    op.drop_table('framework_moves')
    with op.batch_alter_table('competency_crosswalk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_crosswalk_old_competency_id'))
        batch_op.drop_index(batch_op.f('ix_competency_crosswalk_competency_id'))

    op.drop_table('competency_crosswalk')
    with op.batch_alter_table('framework_successions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_framework_successions_follows_id'))

    op.drop_table('framework_successions')
