"""learning needs, development objectives and pathway stages (PCPEP)

The learning needs analysis (one per enrolment, a self-rating per competency on the
framework's scale, then the supervisor's comment), the personal development plan's
objectives with their target dates, competencies and reviews (a review may name the
supervision session it was made at), and the pathway stages with the day each began.

Revision ID: 9a3c5e7d1b24
Revises: b4d2a6e8f031
Create Date: 2026-12-06 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a3c5e7d1b24'
down_revision = 'b4d2a6e8f031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learning_needs_analyses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('supervisor_comment', sa.Text(), nullable=True),
    sa.Column('commented_by_id', sa.Integer(), nullable=True),
    sa.Column('commented_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commented_by_id'], ['users.id'], name=op.f('fk_learning_needs_analyses_commented_by_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_learning_needs_analyses_enrolment_id_enrolments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_needs_analyses')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_learning_needs_analyses_enrolment_id'))
    )
    op.create_table('learning_need_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('analysis_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('scale_value_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['analysis_id'], ['learning_needs_analyses.id'], name=op.f('fk_learning_need_ratings_analysis_id_learning_needs_analyses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_learning_need_ratings_competency_id_competencies')),
    sa.ForeignKeyConstraint(['scale_value_id'], ['scale_values.id'], name=op.f('fk_learning_need_ratings_scale_value_id_scale_values')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_need_ratings')),
    sa.UniqueConstraint('analysis_id', 'competency_id', name=op.f('uq_learning_need_ratings_analysis_id_competency_id'))
    )
    op.create_table('development_objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'achieved')", name=op.f('ck_development_objectives_status')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_development_objectives_enrolment_id_enrolments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_objectives'))
    )
    with op.batch_alter_table('development_objectives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_development_objectives_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('objective_competencies',
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_objective_competencies_competency_id_competencies')),
    sa.ForeignKeyConstraint(['objective_id'], ['development_objectives.id'], name=op.f('fk_objective_competencies_objective_id_development_objectives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('objective_id', 'competency_id', name=op.f('pk_objective_competencies'))
    )
    op.create_table('objective_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('continuing', 'achieved')", name=op.f('ck_objective_reviews_outcome')),
    sa.ForeignKeyConstraint(['objective_id'], ['development_objectives.id'], name=op.f('fk_objective_reviews_objective_id_development_objectives')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_objective_reviews_reviewer_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_sessions.id'], name=op.f('fk_objective_reviews_session_id_supervision_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective_reviews'))
    )
    with op.batch_alter_table('objective_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objective_reviews_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objective_reviews_session_id'), ['session_id'], unique=False)

    op.create_table('pathway_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('entry', 'intermediate', 'advanced')", name=op.f('ck_pathway_stages_stage')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_pathway_stages_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_pathway_stages_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_stages')),
    sa.UniqueConstraint('enrolment_id', 'stage', name=op.f('uq_pathway_stages_enrolment_id_stage'))
    )
    with op.batch_alter_table('pathway_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_stages_enrolment_id'), ['enrolment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pathway_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_stages_enrolment_id'))

    op.drop_table('pathway_stages')
    with op.batch_alter_table('objective_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objective_reviews_session_id'))
        batch_op.drop_index(batch_op.f('ix_objective_reviews_objective_id'))

    op.drop_table('objective_reviews')
    op.drop_table('objective_competencies')
    with op.batch_alter_table('development_objectives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_development_objectives_enrolment_id'))

    op.drop_table('development_objectives')
    op.drop_table('learning_need_ratings')
    op.drop_table('learning_needs_analyses')
