"""Booster suggestions: what the detection raised for one infusion cycle, and what became of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.enums import SuggestionKind, SuggestionStatus
from models.errors import Conflict, NotFound
from models.sync import next_seq
from models.types import enum_type


class BoosterSuggestion(Base):
    __tablename__ = "booster_suggestions"
    __table_args__ = (
        # One suggestion per patient, cycle and kind, whatever its status: a rerun of the scan
        # or a second scheduler cannot raise it twice, and a dismissed one stays dismissed.
        UniqueConstraint(
            "patient_id", "cycle_start", "kind", name="uq_booster_suggestions_patient_cycle_kind"
        ),
        Index("ix_booster_suggestions_status_created_at", "status", "created_at"),
        Index("ix_booster_suggestions_patient_id_sync_seq", "patient_id", "sync_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    cycle_start: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[SuggestionKind] = mapped_column(enum_type(SuggestionKind, "kind"))
    status: Mapped[SuggestionStatus] = mapped_column(
        enum_type(SuggestionStatus, "status"), default=SuggestionStatus.OPEN
    )
    # Local date the detection raised it for, and (for forecasts) the expected wearing-off date.
    raised_on: Mapped[dt.date] = mapped_column(Date)
    expected_on: Mapped[dt.date | None] = mapped_column(Date)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    appointment_on: Mapped[dt.date | None] = mapped_column(Date)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    resolved_reason: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    sync_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- domain functions -------------------------------------------------------------------------

ACTIVE = (SuggestionStatus.OPEN, SuggestionStatus.ACKNOWLEDGED)
# action → (statuses it may start from, status it leads to)
PATIENT_TRANSITIONS: dict[str, tuple[tuple[SuggestionStatus, ...], SuggestionStatus]] = {
    "acknowledge": ((SuggestionStatus.OPEN,), SuggestionStatus.ACKNOWLEDGED),
    "book": (ACTIVE, SuggestionStatus.BOOKED),
    "dismiss": (ACTIVE, SuggestionStatus.DISMISSED),
}


def suggestions_query(patient_id: int, status: SuggestionStatus | None = None) -> Select:
    query = select(BoosterSuggestion).where(BoosterSuggestion.patient_id == patient_id)
    if status is not None:
        query = query.where(BoosterSuggestion.status == status)
    return query.order_by(BoosterSuggestion.created_at.desc(), BoosterSuggestion.id.desc())


def get_suggestion(session: Session, patient_id: int, suggestion_id: int) -> BoosterSuggestion:
    suggestion = session.get(BoosterSuggestion, suggestion_id)
    if suggestion is None or suggestion.patient_id != patient_id:
        raise NotFound("no such suggestion")
    return suggestion


def transition(
    session: Session,
    patient_id: int,
    suggestion_id: int,
    action: str,
    *,
    by_account_id: int,
    note: str | None = None,
    appointment_on: dt.date | None = None,
) -> BoosterSuggestion:
    """Move a suggestion along open → acknowledged → booked | dismissed.

    Repeating the transition that already happened is a no-op (a retried request); any other
    move out of the current status is a Conflict.
    """
    sources, target = PATIENT_TRANSITIONS[action]
    seq = next_seq(session, patient_id)
    suggestion = get_suggestion(session, patient_id, suggestion_id)
    if suggestion.status == target:
        return suggestion
    if suggestion.status not in sources:
        raise Conflict(
            f"a suggestion that is {suggestion.status.value} cannot be {target.value}",
            {"status": [suggestion.status.value]},
        )
    now = utcnow()
    suggestion.status = target
    if target in (SuggestionStatus.BOOKED, SuggestionStatus.DISMISSED):
        suggestion.resolved_at = now
        suggestion.resolved_by_id = by_account_id
        suggestion.resolved_reason = f"patient_{action}"
        suggestion.resolution_note = note
        suggestion.appointment_on = appointment_on
    suggestion.version += 1
    suggestion.sync_seq = seq
    suggestion.updated_at = now
    session.flush()
    return suggestion


def raise_suggestion(
    session: Session,
    patient_id: int,
    *,
    cycle_start: dt.date,
    kind: SuggestionKind,
    raised_on: dt.date,
    evidence: dict[str, Any],
    expected_on: dt.date | None = None,
) -> BoosterSuggestion:
    """Create an open suggestion (used by the daily scan, and by tests until it exists)."""
    suggestion = BoosterSuggestion(
        patient_id=patient_id,
        cycle_start=cycle_start,
        kind=kind,
        status=SuggestionStatus.OPEN,
        raised_on=raised_on,
        expected_on=expected_on,
        evidence=evidence,
        sync_seq=next_seq(session, patient_id),
    )
    session.add(suggestion)
    session.flush()
    return suggestion


class PatientAssessment(Base):
    """The latest daily assessment of a patient by the scan (what the clinician list shows)."""

    __tablename__ = "patient_assessments"
    __table_args__ = (Index("ix_patient_assessments_status", "status"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    cycle_start: Mapped[dt.date | None] = mapped_column(Date)
    expected_wearing_off: Mapped[dt.date | None] = mapped_column(Date)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The detection engine's state as of state_day (a few days back), so tomorrow's scan can
    # continue from it instead of replaying the whole history; valid while nothing dated on or
    # before state_day changes after state_computed_at.
    engine_state: Mapped[bytes | None] = mapped_column(LargeBinary)
    state_day: Mapped[dt.date | None] = mapped_column(Date)
    state_computed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


def expire_earlier_cycles(session: Session, patient_id: int, new_cycle_start: dt.date) -> int:
    """A new infusion starts a new cycle: close what is still open from the cycles before."""
    rows = session.scalars(
        select(BoosterSuggestion).where(
            BoosterSuggestion.patient_id == patient_id,
            BoosterSuggestion.status.in_(ACTIVE),
            BoosterSuggestion.cycle_start < new_cycle_start,
        )
    ).all()
    return _expire(session, patient_id, rows, "new_infusion")


def expire_stale(session: Session, older_than: dt.datetime, limit: int = 500) -> int:
    """Expire suggestions nobody acted on since `older_than`; returns how many."""
    rows = session.scalars(
        select(BoosterSuggestion)
        .where(BoosterSuggestion.status.in_(ACTIVE), BoosterSuggestion.created_at < older_than)
        .order_by(BoosterSuggestion.id)
        .limit(limit)
    ).all()
    count = 0
    for patient_id in sorted({r.patient_id for r in rows}):
        count += _expire(
            session, patient_id, [r for r in rows if r.patient_id == patient_id], "not_acted_on"
        )
    return count


def _expire(session: Session, patient_id: int, rows, reason: str) -> int:
    if not rows:
        return 0
    now = utcnow()
    for row in rows:
        row.status = SuggestionStatus.EXPIRED
        row.resolved_at = now
        row.resolved_reason = reason
        row.version += 1
        row.sync_seq = next_seq(session, patient_id)
        row.updated_at = now
    session.flush()
    return len(rows)


def save_assessments(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or replace the latest assessment of each patient: one statement compiled once
    and executed for the whole batch (executemany)."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(PatientAssessment)
    session.connection().execute(
        statement.on_conflict_do_update(
            index_elements=["patient_id"],
            set_={
                c: statement.excluded[c]
                for c in (
                    "local_date",
                    "status",
                    "cycle_start",
                    "expected_wearing_off",
                    "evidence",
                    "computed_at",
                    "engine_state",
                    "state_day",
                    "state_computed_at",
                )
                if c in rows[0]
            },
        ),
        rows,
    )
