"""Push targets of patients and the notification outbox."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.enums import NotificationStatus, Platform
from models.errors import NotFound
from models.types import enum_type


class Device(Base):
    """An FCM registration token or a Web Push subscription of one patient."""

    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint(
            "(platform = 'fcm' AND token IS NOT NULL AND endpoint IS NULL)"
            " OR (platform = 'webpush' AND endpoint IS NOT NULL AND p256dh IS NOT NULL"
            " AND auth IS NOT NULL AND token IS NULL)",
            name="platform_fields",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[Platform] = mapped_column(enum_type(Platform, "platform"))
    # SHA-256 of the token or endpoint: unique, so re-registering updates instead of duplicating.
    push_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token: Mapped[str | None] = mapped_column(Text)
    endpoint: Mapped[str | None] = mapped_column(Text)
    p256dh: Mapped[str | None] = mapped_column(String(200))
    auth: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))


class Notification(Base):
    """An outbox row, written in the same transaction as the decision that caused it."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus, "status"), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# --- domain functions -------------------------------------------------------------------------


def push_key_hash(platform: Platform, key: str) -> str:
    return hashlib.sha256(f"{platform.value}:{key}".encode()).hexdigest()


def register_device(
    session: Session,
    patient_id: int,
    *,
    platform: Platform,
    token: str | None = None,
    endpoint: str | None = None,
    p256dh: str | None = None,
    auth: str | None = None,
    label: str | None = None,
) -> tuple[Device, bool]:
    """Register a push target, or refresh the one with the same token/endpoint.

    A token seen again moves to the patient registering it now (the phone changed hands or
    accounts) and is enabled again. Returns the device and whether it is new.
    """
    key = token if platform == Platform.FCM else endpoint
    assert key
    digest = push_key_hash(platform, key)
    now = utcnow()
    device = session.scalar(select(Device).where(Device.push_key_hash == digest))
    created = device is None
    if device is None:
        device = Device(platform=platform, push_key_hash=digest, created_at=now)
        session.add(device)
    device.patient_id = patient_id
    device.token, device.endpoint, device.p256dh, device.auth = token, endpoint, p256dh, auth
    device.label = label
    device.last_seen_at = now
    device.disabled_at = None
    device.disabled_reason = None
    session.flush()
    return device, created


def devices_query(patient_id: int) -> Select:
    return select(Device).where(Device.patient_id == patient_id).order_by(Device.id)


def delete_device(session: Session, patient_id: int, device_id: int) -> None:
    device = session.get(Device, device_id)
    if device is None or device.patient_id != patient_id:
        raise NotFound("no such device")
    session.delete(device)
    session.flush()


# What the lock screen shows: no health values, ever; the app opens the deep link.
MESSAGES = {
    "reminder": {
        "title": "Time to check in",
        "body": "How are you today? Your daily diary takes a minute.",
        "link": "/diary/today",
    },
    "wearing_off": {
        "title": "How are you feeling?",
        "body": "Your recent entries suggest your relief may be fading — tap to review.",
        "link": "/suggestions/{suggestion_id}",
    },
    "forecast": {
        "title": "Plan your next visit",
        "body": "It may be a good time to book your next booster — tap to review.",
        "link": "/suggestions/{suggestion_id}",
    },
}


def message(kind: str, **ids: Any) -> dict[str, str]:
    template = MESSAGES[kind]
    return {
        "kind": kind,
        "title": template["title"],
        "body": template["body"],
        "link": template["link"].format(**ids),
        **{k: str(v) for k, v in ids.items()},
    }


def active_devices(session: Session, patient_ids: list[int]) -> dict[int, list[Device]]:
    rows = session.scalars(
        select(Device).where(Device.patient_id.in_(patient_ids), Device.disabled_at.is_(None))
    ).all()
    out: dict[int, list[Device]] = {}
    for device in rows:
        out.setdefault(device.patient_id, []).append(device)
    return out


def enqueue(
    session: Session,
    patient_id: int,
    devices: list[Device],
    kind: str,
    key: str,
    payload: dict[str, Any],
    *,
    not_before: dt.datetime | None = None,
) -> int:
    """Write one outbox row per device, each with its own dedupe key; a row that exists
    already is left alone, so a rerun enqueues nothing twice. Returns rows written."""
    if not devices:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    result = session.execute(
        insert(Notification)
        .values(
            [
                {
                    "patient_id": patient_id,
                    "device_id": d.id,
                    "kind": kind,
                    "dedupe_key": f"{key}:d{d.id}",
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": not_before or now,
                    "created_at": now,
                }
                for d in devices
            ]
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return max(0, result.rowcount or 0)
