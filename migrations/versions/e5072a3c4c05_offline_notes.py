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
    # Plain ADD COLUMN and a unique index, which SQLite and PostgreSQL both accept, so
    # SQLite need not rebuild the table other tables' foreign keys point at.
    op.add_column('evidence', sa.Column('client_key', sa.String(length=64), nullable=True))
    op.create_index(
        'uq_evidence_client_key', 'evidence', ['enrolment_id', 'client_key'], unique=True
    )


def downgrade():
    op.drop_index('uq_evidence_client_key', table_name='evidence')
    # Plain DROP COLUMN (SQLite 3.35+): no table rebuild under other tables' foreign keys.
    op.drop_column('evidence', 'client_key')
