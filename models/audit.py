"""The audit trail: who read or changed which patient's data, when, from where, and how."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.enums import AuditAction
from models.types import enum_type


class AuditEvent(Base):
    """No health values are ever stored here: only identifiers, the action and the endpoint."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_clinic_id_at", "clinic_id", "at"),
        Index("ix_audit_events_patient_id_at", "patient_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="SET NULL"))
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction, "action"))
    resource: Mapped[str] = mapped_column(String(60))
    endpoint: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str | None] = mapped_column(String(10))
    status_code: Mapped[int | None]
    address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


def record(session: Session, **fields: Any) -> AuditEvent:
    event = AuditEvent(**fields)
    session.add(event)
    return event
