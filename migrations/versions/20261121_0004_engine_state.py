"""Detection engine checkpoints in patient_assessments, so the daily scan need not replay history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 06:50:07.781906

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    
    with op.batch_alter_table('patient_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('engine_state', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('state_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('state_computed_at', sa.DateTime(timezone=True), nullable=True))

    


def downgrade():
    
    with op.batch_alter_table('patient_assessments', schema=None) as batch_op:
        batch_op.drop_column('state_computed_at')
        batch_op.drop_column('state_day')
        batch_op.drop_column('engine_state')

    
