"""Booster suggestions: what the detection raised for one infusion cycle, and what became of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.enums import SuggestionKind, SuggestionStatus
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
