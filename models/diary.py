"""Daily diary entries and infusions: the patient's own record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.enums import InfusionKind, RecordedBy
from models.types import enum_type

METRICS = ("pain", "fatigue", "mood", "sleep_quality")
NOTES_MAX_LENGTH = 2000


def _score_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 0 AND 10", name=f"{column}_range")


class DiaryEntry(Base):
    """One row per patient and local date. A delete leaves a tombstone (no health values)
    so that other devices learn of it through sync; a later write revives the same row."""

    __tablename__ = "diary_entries"
    __table_args__ = (
        UniqueConstraint("patient_id", "entry_date", name="uq_diary_entries_patient_id_entry_date"),
        Index("ix_diary_entries_patient_id_sync_seq", "patient_id", "sync_seq"),
        *(_score_check(m) for m in METRICS),
        CheckConstraint("sleep_hours BETWEEN 0 AND 24", name="sleep_hours_range"),
        CheckConstraint(f"length(notes) <= {NOTES_MAX_LENGTH}", name="notes_length"),
        CheckConstraint(
            "deleted_at IS NOT NULL OR (pain IS NOT NULL AND fatigue IS NOT NULL"
            " AND mood IS NOT NULL AND sleep_quality IS NOT NULL)",
            name="live_entry_complete",
        ),
        CheckConstraint(
            "deleted_at IS NULL OR (pain IS NULL AND fatigue IS NULL AND mood IS NULL"
            " AND sleep_quality IS NULL AND sleep_hours IS NULL AND notes IS NULL)",
            name="tombstone_empty",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    pain: Mapped[int | None] = mapped_column(SmallInteger)
    fatigue: Mapped[int | None] = mapped_column(SmallInteger)
    mood: Mapped[int | None] = mapped_column(SmallInteger)
    sleep_quality: Mapped[int | None] = mapped_column(SmallInteger)
    sleep_hours: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    notes: Mapped[str | None] = mapped_column(Text)
    side_effects: Mapped[list[str]] = mapped_column(JSONType, default=list)
    version: Mapped[int] = mapped_column(default=1)
    sync_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Infusion(Base):
    """An infusion given to a patient. A clinician's record is authoritative: the patient
    cannot change or delete it."""

    __tablename__ = "infusions"
    __table_args__ = (
        Index("ix_infusions_patient_id_administered_on", "patient_id", "administered_on"),
        Index("ix_infusions_patient_id_sync_seq", "patient_id", "sync_seq"),
        CheckConstraint("dose_mg IS NULL OR (dose_mg > 0 AND dose_mg <= 2000)", name="dose_range"),
        CheckConstraint(f"length(notes) <= {NOTES_MAX_LENGTH}", name="notes_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    administered_on: Mapped[dt.date] = mapped_column(Date)
    administered_at: Mapped[dt.time | None] = mapped_column(Time)
    kind: Mapped[InfusionKind] = mapped_column(enum_type(InfusionKind, "kind"))
    dose_mg: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[RecordedBy] = mapped_column(enum_type(RecordedBy, "recorded_by"))
    recorded_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    sync_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
