"""Scheduled jobs: latest assessments, run locks, notifications per device.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 05:54:51.087137

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('job_locks',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_locks'))
    )
    op.create_table('patient_assessments',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cycle_start', sa.Date(), nullable=True),
    sa.Column('expected_wearing_off', sa.Date(), nullable=True),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_patient_assessments_patient_id_patients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_patient_assessments'))
    )
    with op.batch_alter_table('patient_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_patient_assessments_status', ['status'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_device_id'), ['device_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_device_id_devices'), 'devices', ['device_id'], ['id'], ondelete='CASCADE')

    


def downgrade():
    
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_device_id_devices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_device_id'))
        batch_op.drop_column('device_id')

    with op.batch_alter_table('patient_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_assessments_status')

    op.drop_table('patient_assessments')
    op.drop_table('job_locks')
    
