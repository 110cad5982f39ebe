"""Daily diary entries and infusions: the patient's own record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

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
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from models import clock
from models.accounts import Patient
from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.enums import InfusionKind, RecordedBy
from models.errors import Forbidden, Invalid, NotFound, PreconditionFailed
from models.suggestions import expire_earlier_cycles
from models.sync import next_seq
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
        # The scan asks "changed since its checkpoint?" per patient.
        Index("ix_diary_entries_patient_id_updated_at", "patient_id", "updated_at"),
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
        Index("ix_infusions_patient_id_updated_at", "patient_id", "updated_at"),
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


# --- domain functions -------------------------------------------------------------------------

MAX_DAYS_AHEAD = 1  # a patient may log tomorrow (travel, time zones), never later
MAX_DAYS_BEFORE_ACCOUNT = 365  # history from before the account, up to a year, may be entered


def local_today(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """The patient's calendar date right now, in their own time zone."""
    return (now or clock.utcnow()).astimezone(ZoneInfo(timezone)).date()


def check_entry_date(patient: Patient, day: dt.date) -> None:
    today = local_today(patient.timezone)
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(
            "date is in the future",
            {"date": [f"must be on or before {today + dt.timedelta(days=MAX_DAYS_AHEAD)}"]},
        )
    created_local = patient.account.created_at.astimezone(ZoneInfo(patient.timezone)).date()
    earliest = created_local - dt.timedelta(days=MAX_DAYS_BEFORE_ACCOUNT)
    if day < earliest:
        raise Invalid("date is too far in the past", {"date": [f"must be on or after {earliest}"]})


def _entry_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {m: data[m] for m in METRICS}
    hours = data.get("sleep_hours")
    values["sleep_hours"] = None if hours is None else Decimal(str(hours)).quantize(Decimal("0.1"))
    values["notes"] = data.get("notes") or None
    values["side_effects"] = sorted(set(data.get("side_effects") or []))
    return values


def _find_entry(session: Session, patient_id: int, day: dt.date) -> DiaryEntry | None:
    return session.scalar(
        select(DiaryEntry).where(DiaryEntry.patient_id == patient_id, DiaryEntry.entry_date == day)
    )


def put_entry(
    session: Session,
    patient: Patient,
    day: dt.date,
    data: dict[str, Any],
    *,
    if_match: int | None = None,
    if_match_any: bool = False,
) -> tuple[DiaryEntry, bool]:
    """Create or replace the entry of one local date; return it and whether it is new.

    The same body twice changes nothing (same version). `if_match` is the version the client
    last saw; a different current version is a PreconditionFailed.
    """
    check_entry_date(patient, day)
    seq = next_seq(session, patient.id)  # locks the patient: concurrent PUTs queue here
    entry = _find_entry(session, patient.id, day)
    live = entry is not None and entry.deleted_at is None
    if (if_match is not None or if_match_any) and not live:
        raise PreconditionFailed("there is no entry for this date to match If-Match")
    if if_match is not None and entry is not None and entry.version != if_match:
        raise PreconditionFailed("the entry has changed since it was read")
    values = _entry_values(data)
    now = clock.utcnow()
    if entry is None:
        entry = DiaryEntry(
            patient_id=patient.id,
            entry_date=day,
            version=1,
            sync_seq=seq,
            created_at=now,
            updated_at=now,
            **values,
        )
        session.add(entry)
        session.flush()
        return entry, True
    if live and all(getattr(entry, k) == v for k, v in values.items()):
        return entry, False  # an identical replay: nothing changes, not even the version
    for key, value in values.items():
        setattr(entry, key, value)
    entry.version += 1
    entry.sync_seq = seq
    entry.updated_at = now
    entry.deleted_at = None
    session.flush()
    return entry, not live


def get_entry(session: Session, patient: Patient, day: dt.date) -> DiaryEntry:
    entry = _find_entry(session, patient.id, day)
    if entry is None or entry.deleted_at is not None:
        raise NotFound(f"no entry for {day.isoformat()}")
    return entry


def delete_entry(
    session: Session, patient: Patient, day: dt.date, *, if_match: int | None = None
) -> None:
    """Delete the entry of a date, leaving a tombstone without health values; idempotent."""
    seq = next_seq(session, patient.id)
    entry = _find_entry(session, patient.id, day)
    if entry is None or entry.deleted_at is not None:
        if if_match is not None:
            raise PreconditionFailed("there is no entry for this date to match If-Match")
        return
    if if_match is not None and entry.version != if_match:
        raise PreconditionFailed("the entry has changed since it was read")
    for key in (*METRICS, "sleep_hours", "notes"):
        setattr(entry, key, None)
    entry.side_effects = []
    entry.version += 1
    entry.sync_seq = seq
    entry.updated_at = entry.deleted_at = clock.utcnow()
    session.flush()


def entries_query(patient: Patient, date_from: dt.date | None, date_to: dt.date | None) -> Select:
    """Live entries of a patient in a date range, newest first."""
    query = select(DiaryEntry).where(
        DiaryEntry.patient_id == patient.id, DiaryEntry.deleted_at.is_(None)
    )
    if date_from is not None:
        query = query.where(DiaryEntry.entry_date >= date_from)
    if date_to is not None:
        query = query.where(DiaryEntry.entry_date <= date_to)
    return query.order_by(DiaryEntry.entry_date.desc())


INFUSION_FIELDS = ("administered_on", "administered_at", "kind", "dose_mg", "notes")


def _check_infusion_date(patient: Patient, day: dt.date) -> None:
    today = local_today(patient.timezone)
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(
            "an infusion cannot be recorded ahead of time",
            {"administered_on": [f"must be on or before {today}"]},
        )
    if day < today - dt.timedelta(days=3650):
        raise Invalid("date is too far in the past", {"administered_on": ["within ten years"]})


def create_infusion(
    session: Session,
    patient: Patient,
    data: dict[str, Any],
    *,
    recorded_by: RecordedBy,
    recorded_by_account_id: int | None,
) -> Infusion:
    _check_infusion_date(patient, data["administered_on"])
    seq = next_seq(session, patient.id)
    now = clock.utcnow()
    infusion = Infusion(
        patient_id=patient.id,
        recorded_by=recorded_by,
        recorded_by_account_id=recorded_by_account_id,
        sync_seq=seq,
        created_at=now,
        updated_at=now,
        **{k: data.get(k) for k in INFUSION_FIELDS},
    )
    session.add(infusion)
    session.flush()
    # A new infusion starts a new cycle: what is still open from earlier cycles is moot.
    expire_earlier_cycles(session, patient.id, infusion.administered_on)
    return infusion


def get_infusion(session: Session, patient: Patient, infusion_id: int) -> Infusion:
    infusion = session.get(Infusion, infusion_id)
    # Another patient's infusion is "not found", never "forbidden": its existence is private.
    if infusion is None or infusion.patient_id != patient.id or infusion.deleted_at is not None:
        raise NotFound("no such infusion")
    return infusion


def _editable_by_patient(infusion: Infusion) -> None:
    if infusion.recorded_by != RecordedBy.PATIENT:
        raise Forbidden(
            "this infusion was recorded by your clinic and can only be changed by the clinic"
        )


def update_infusion(
    session: Session,
    patient: Patient,
    infusion_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None = None,
) -> Infusion:
    infusion = get_infusion(session, patient, infusion_id)
    _editable_by_patient(infusion)
    if if_match is not None and infusion.version != if_match:
        raise PreconditionFailed("the infusion has changed since it was read")
    if "administered_on" in changes:
        _check_infusion_date(patient, changes["administered_on"])
    if all(getattr(infusion, k) == v for k, v in changes.items()):
        return infusion
    infusion.sync_seq = next_seq(session, patient.id)
    for key, value in changes.items():
        setattr(infusion, key, value)
    infusion.version += 1
    infusion.updated_at = clock.utcnow()
    session.flush()
    return infusion


def delete_infusion(session: Session, patient: Patient, infusion_id: int) -> None:
    infusion = session.get(Infusion, infusion_id)
    if infusion is None or infusion.patient_id != patient.id:
        raise NotFound("no such infusion")
    if infusion.deleted_at is not None:
        return  # already deleted: a retried DELETE succeeds
    _editable_by_patient(infusion)
    infusion.sync_seq = next_seq(session, patient.id)
    infusion.version += 1
    infusion.updated_at = infusion.deleted_at = clock.utcnow()
    infusion.notes = None
    infusion.dose_mg = None
    session.flush()


def infusions_query(patient: Patient) -> Select:
    return (
        select(Infusion)
        .where(Infusion.patient_id == patient.id, Infusion.deleted_at.is_(None))
        .order_by(Infusion.administered_on.desc(), Infusion.id.desc())
    )
