"""Per-patient change numbers: what the sync cursor counts, and the lock that orders writes.

Every write to a patient's synced records first takes the next number from the patient's row.
That UPDATE locks the row until commit, so one patient's writes commit in number order and a
reader that has seen number S has seen every change numbered S or less.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.accounts import Patient


def next_seq(session: Session, patient_id: int) -> int:
    """Take the patient's next change number (and the patient's write lock)."""
    return session.execute(
        update(Patient)
        .where(Patient.id == patient_id)
        .values(sync_seq=Patient.sync_seq + 1)
        .returning(Patient.sync_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def current_seq(session: Session, patient_id: int) -> int:
    return session.scalar(select(Patient.sync_seq).where(Patient.id == patient_id)) or 0
