"""the signer's GPhC registration as it stood, kept with each signed record

Sign-offs, revocations, completions and training declarations keep a snapshot of the
registration the signer signed with (id, register, number, status, expiry, who verified
it and when), so later renewals or corrections do not change what was signed. Records
signed before this revision have none (NULL). Plain columns added in place: a batch
rebuild would drop the triggers that keep signed records append-only.

Revision ID: 5f1c2e9a7b30
Revises: 9a3c5e7d1b24
Create Date: 2026-12-06 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f1c2e9a7b30'
down_revision = '9a3c5e7d1b24'
branch_labels = None
depends_on = None

COLUMNS = (
    ('sign_offs', 'signer_registration'),
    ('sign_off_revocations', 'revoker_registration'),
    ('completions', 'signer_registration'),
    ('training_declarations', 'declarant_registration'),
)


def upgrade():
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sa.JSON(), nullable=True))


def downgrade():
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column)
