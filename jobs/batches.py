"""Walking all patients a batch at a time (keyset order by id), one session per batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from models.accounts import Patient


def patient_batches(make_session, query: Select, size: int) -> Iterator[tuple[Session, list[Any]]]:
    """Yield (session, rows) for successive batches of `query`, whose first column is the
    patient id; the caller commits inside the batch when it has work to keep."""
    after_id = 0
    while True:
        with make_session() as session:
            rows = session.execute(
                query.where(Patient.id > after_id).order_by(Patient.id).limit(size)
            ).all()
            if not rows:
                return
            after_id = rows[-1][0]
            yield session, rows
