"""Indexes on (patient_id, updated_at): the scan checks its checkpoints per patient.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 07:09:07.312917

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.create_index('ix_diary_entries_patient_id_updated_at', ['patient_id', 'updated_at'], unique=False)

    with op.batch_alter_table('infusions', schema=None) as batch_op:
        batch_op.create_index('ix_infusions_patient_id_updated_at', ['patient_id', 'updated_at'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('infusions', schema=None) as batch_op:
        batch_op.drop_index('ix_infusions_patient_id_updated_at')

    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_diary_entries_patient_id_updated_at')

    
