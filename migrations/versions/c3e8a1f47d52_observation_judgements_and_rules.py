"""observation judgements and competencies' observation rules (issue 15.3, 15.4)

Each evidence version keeps what sufficiency counts of its assessment: the assessor's
overall judgement against the expected level and the lowest level its rated areas reach.
Judgements already in the answers (`overall_judgement`) are copied across; rating levels
start empty, so versions saved before this revision count towards no observation rule
until they are revised. Competencies gain the observation rule of the framework format
(how many observations, of which types, on separate days, at what rating).

A case-based discussion is a conversation about past work, not an observation: evidence
types with the code `case-based-discussion` stop counting as observed (the validator now
refuses them as observed). The downgrade leaves them so.

Revision ID: c3e8a1f47d52
Revises: 5f1c2e9a7b30
Create Date: 2026-12-06 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8a1f47d52'
down_revision = '5f1c2e9a7b30'
branch_labels = None
depends_on = None

JUDGEMENTS = ('below', 'at', 'above')


def upgrade():
    op.add_column('evidence_versions', sa.Column('judgement', sa.String(length=10), nullable=True))
    op.add_column('evidence_versions', sa.Column('rating_level', sa.Integer(), nullable=True))
    op.add_column('competencies', sa.Column('observation_min_items', sa.Integer(), nullable=True))
    op.add_column('competencies', sa.Column('observation_distinct_days', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('competencies', sa.Column('observation_min_level', sa.Integer(), nullable=True))
    op.create_table('competency_observation_types',
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('evidence_type_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_competency_observation_types_competency_id_competencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_type_id'], ['evidence_types.id'], name=op.f('fk_competency_observation_types_evidence_type_id_evidence_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('competency_id', 'evidence_type_id', name=op.f('pk_competency_observation_types'))
    )
    types = sa.table('evidence_types', sa.column('code', sa.String), sa.column('observed', sa.Boolean))
    op.execute(types.update().where(types.c.code == 'case-based-discussion').values(observed=False))
    versions = sa.table(
        'evidence_versions',
        sa.column('id', sa.Integer),
        sa.column('fields', sa.JSON),
        sa.column('judgement', sa.String),
    )
    conn = op.get_bind()
    for version_id, fields in conn.execute(sa.select(versions.c.id, versions.c.fields)).all():
        judgement = (fields or {}).get('overall_judgement')
        if judgement in JUDGEMENTS:
            conn.execute(
                versions.update().where(versions.c.id == version_id).values(judgement=judgement)
            )


def downgrade():
    op.drop_table('competency_observation_types')
    op.drop_column('competencies', 'observation_min_level')
    op.drop_column('competencies', 'observation_distinct_days')
    op.drop_column('competencies', 'observation_min_items')
    op.drop_column('evidence_versions', 'rating_level')
    op.drop_column('evidence_versions', 'judgement')
