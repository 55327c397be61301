"""offline notes: a client key on drafts so a note sent twice is stored once

Revision ID: e5072a3c4c05
Revises: d4f6182b3b04
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5072a3c4c05'
down_revision = 'd4f6182b3b04'
branch_labels = None
depends_on = None


def upgrade():
    # The key a trainee's browser gives a draft it saves as they type or sends from its
    # offline queue: the same key saved twice (a retry, a second tab) finds one draft.
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_evidence_enrolment_id_client_key'), ['enrolment_id', 'client_key']
        )


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_evidence_enrolment_id_client_key'), type_='unique')
        batch_op.drop_column('client_key')
