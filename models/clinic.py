"""Clinics (the tenants) and the invites through which people join them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.enums import Role
from models.errors import Forbidden, Invalid
from models.timezones import is_valid_timezone
from models.types import enum_type

DEFAULT_BOOKING_LEAD_DAYS = 7
# Crockford base32 without I, L, O, U: nothing to misread when a patient types the code.
INVITE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
INVITE_CODE_LENGTH = 12  # 60 bits


class Clinic(Base):
    __tablename__ = "clinics"
    __table_args__ = (
        CheckConstraint("booking_lead_days BETWEEN 0 AND 90", name="booking_lead_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    booking_url: Mapped[str | None] = mapped_column(String(500))
    booking_phone: Mapped[str | None] = mapped_column(String(40))
    booking_lead_days: Mapped[int] = mapped_column(default=DEFAULT_BOOKING_LEAD_DAYS)
    # Overrides of the detection defaults (jobs.detection settings); empty = all defaults.
    detection_settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Invite(Base):
    """A single-use, expiring code that lets one person register into a clinic.

    Only a hash of the code is stored: the code is shown once, to the clinician who made it.
    """

    __tablename__ = "invites"
    __table_args__ = (Index("ix_invites_clinic_id_created_at", "clinic_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), default=Role.PATIENT)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hint: Mapped[str] = mapped_column(String(4))
    email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))

    @property
    def status(self) -> str:
        if self.used_at is not None:
            return "used"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"


def normalize_invite_code(code: str) -> str:
    """Upper-case, drop separators and map look-alikes, as people type codes."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def hash_invite_code(code: str) -> str:
    return hashlib.sha256(normalize_invite_code(code).encode()).hexdigest()


def format_invite_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def create_invite(
    session: Session,
    clinic: Clinic,
    created_by: Any,
    *,
    role: Role = Role.PATIENT,
    email: str | None = None,
    note: str | None = None,
    expires_in_days: int = 14,
) -> tuple[Invite, str]:
    """Issue an invite and return it with its code, which exists nowhere else afterwards.

    Clinicians invite patients; only admins invite staff.
    """
    if role != Role.PATIENT and created_by.role != Role.ADMIN:
        raise Forbidden("only a clinic admin may invite staff", {"role": ["admin only"]})
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))
    now = utcnow()
    invite = Invite(
        clinic_id=clinic.id,
        role=role,
        code_hash=hash_invite_code(raw),
        code_hint=raw[-4:],
        email=email.strip().lower() if email else None,
        note=note,
        created_by_id=created_by.id,
        created_at=now,
        expires_at=now + dt.timedelta(days=expires_in_days),
    )
    session.add(invite)
    session.flush()
    return invite, format_invite_code(raw)


def find_usable_invite(session: Session, code: str, email: str) -> Invite:
    """The invite a registration may use, or Invalid naming why not."""
    invite = session.scalar(select(Invite).where(Invite.code_hash == hash_invite_code(code)))
    if invite is None:
        raise Invalid("invite code is not valid", {"invite_code": ["unknown invite code"]})
    status = invite.status
    if status == "used":
        raise Invalid("invite code was already used", {"invite_code": ["already used"]})
    if status == "expired":
        raise Invalid("invite code has expired", {"invite_code": ["expired"]})
    if invite.email is not None and invite.email != email:
        raise Invalid(
            "this invite is for another email address",
            {"email": ["does not match the invited address"]},
        )
    return invite


def list_invites(session: Session, clinic_id: int):
    """Select statement of a clinic's invites, newest first (paginated by the caller)."""
    return (
        select(Invite)
        .where(Invite.clinic_id == clinic_id)
        .order_by(Invite.created_at.desc(), Invite.id.desc())
    )


def create_clinic(
    session: Session,
    name: str,
    *,
    timezone: str,
    booking_url: str | None = None,
    booking_phone: str | None = None,
    booking_lead_days: int = DEFAULT_BOOKING_LEAD_DAYS,
) -> Clinic:
    if not is_valid_timezone(timezone):
        raise Invalid("unknown time zone", {"timezone": ["not an IANA time zone"]})
    if not name.strip():
        raise Invalid("a clinic needs a name", {"name": ["must not be empty"]})
    if not 0 <= booking_lead_days <= 90:
        raise Invalid("booking lead time out of range", {"booking_lead_days": ["0 to 90 days"]})
    clinic = Clinic(
        name=name.strip(),
        timezone=timezone,
        booking_url=booking_url,
        booking_phone=booking_phone,
        booking_lead_days=booking_lead_days,
        detection_settings={},
    )
    session.add(clinic)
    session.flush()
    return clinic
