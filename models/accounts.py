"""Accounts, patient profiles, sign-in sessions with rotating refresh tokens, throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Time,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.clinic import Clinic, Invite, find_usable_invite
from models.clock import utcnow
from models.db import Base, UTCDateTime
from models.enums import Condition, Role
from models.errors import (
    Conflict,
    Invalid,
    PreconditionFailed,
    TooManyRequests,
    Unauthorized,
)
from models.timezones import is_valid_timezone
from models.types import enum_type

DEFAULT_REMINDER_TIME = dt.time(20, 0)

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def configure_password_hashing(time_cost: int, memory_cost_kib: int, parallelism: int) -> None:
    """Set the argon2id cost; new hashes use it, old ones are upgraded at their next login."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism
    )
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    global _dummy_hash
    if stored_hash is None:
        # Spend the same time as a real check, so response times do not reveal which emails exist.
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_hex(16))
        stored_hash = _dummy_hash
        password = password + "\x00"
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    return email.strip().lower()


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        # Emails are stored lower-cased, so the unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lower"),
        UniqueConstraint("id", "clinic_id", name="uq_accounts_id_clinic_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(
        ForeignKey("clinics.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    name: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    clinic: Mapped[Clinic] = relationship(lazy="joined")
    patient: Mapped[Patient | None] = relationship(
        back_populates="account", uselist=False, lazy="selectin"
    )

    @property
    def is_clinician(self) -> bool:
        return self.role in (Role.CLINICIAN, Role.ADMIN)

    @property
    def active(self) -> bool:
        return not self.disabled and self.deleted_at is None


class Patient(Base):
    """The patient profile of a patient account."""

    __tablename__ = "patients"
    __table_args__ = (
        # The profile's clinic is the account's clinic, enforced by the database.
        ForeignKeyConstraint(
            ["account_id", "clinic_id"],
            ["accounts.id", "accounts.clinic_id"],
            name="fk_patients_account_clinic",
            ondelete="CASCADE",
        ),
        CheckConstraint(
            "(quiet_hours_start IS NULL) = (quiet_hours_end IS NULL)", name="quiet_hours_pair"
        ),
        CheckConstraint("sync_seq >= 0", name="sync_seq_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(unique=True)
    clinic_id: Mapped[int] = mapped_column(index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    condition: Mapped[Condition | None] = mapped_column(enum_type(Condition, "condition"))
    reminder_time: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_REMINDER_TIME)
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    quiet_hours_start: Mapped[dt.time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[dt.time | None] = mapped_column(Time)
    suggestion_push_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Last change number handed out for this patient's records; the sync cursor counts on it.
    sync_seq: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(back_populates="patient", lazy="joined")


class AuthSession(Base):
    """One sign-in on one device: the family of its refresh tokens.

    Access tokens name their session, so revoking it (logout, refresh-token reuse, erasure)
    stops its access tokens at once, not when they expire.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_refreshed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[AuthSession] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed logins per key (an email or a client address) within a window."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures_per_email: int = 5
    max_failures_per_address: int = 50
    window_seconds: int = 900


@dataclass
class LoginOutcome:
    """What a login attempt did; failures are recorded and must be committed before raising."""

    account: Account | None = None
    session: AuthSession | None = None
    refresh_token: str | None = None
    error: Exception | None = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _ensure_email_free(session: Session, email: str) -> None:
    if session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise Conflict(
            "an account with this email already exists", {"email": ["already registered"]}
        )


def _new_account(
    session: Session, clinic_id: int, email: str, password: str, role: Role, name: str | None
) -> Account:
    account = Account(
        clinic_id=clinic_id,
        email=email,
        password_hash=hash_password(password),
        role=role,
        name=name,
    )
    session.add(account)
    session.flush()
    return account


def register_account(
    session: Session,
    *,
    email: str,
    password: str,
    invite_code: str,
    timezone: str | None,
    name: str | None = None,
) -> Account:
    """Create an account in the invite's clinic with the invite's role, and use up the invite."""
    email = normalize_email(email)
    invite = find_usable_invite(session, invite_code, email)
    _ensure_email_free(session, email)
    clinic = session.get(Clinic, invite.clinic_id)
    assert clinic is not None
    if invite.role == Role.PATIENT and not timezone:
        raise Invalid("a patient needs a time zone", {"timezone": ["required for patients"]})
    if timezone and not is_valid_timezone(timezone):
        raise Invalid("unknown time zone", {"timezone": ["not an IANA time zone"]})
    now = utcnow()
    # Claim the invite with a conditional update: of two registrations racing for one code,
    # exactly one wins.
    claimed = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Invalid("invite code was already used", {"invite_code": ["already used"]})
    account = _new_account(session, clinic.id, email, password, invite.role, name)
    session.execute(
        update(Invite)
        .where(Invite.id == invite.id)
        .values(used_by_id=account.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(invite)
    if invite.role == Role.PATIENT:
        session.add(Patient(account_id=account.id, clinic_id=clinic.id, timezone=timezone))
        session.flush()
    return account


def create_staff_account(
    session: Session, clinic: Clinic, *, email: str, password: str, role: Role, name: str | None
) -> Account:
    """Create a clinician or admin directly (command line), without an invite."""
    email = normalize_email(email)
    _ensure_email_free(session, email)
    account = _new_account(session, clinic.id, email, password, role, name)
    return account


def create_patient_account(
    session: Session,
    clinic: Clinic,
    *,
    email: str,
    password: str,
    timezone: str,
    name: str | None = None,
    condition: Condition | None = None,
) -> Account:
    """Create a patient directly (demo data and tests), without an invite."""
    email = normalize_email(email)
    if not is_valid_timezone(timezone):
        raise Invalid("unknown time zone", {"timezone": ["not an IANA time zone"]})
    _ensure_email_free(session, email)
    account = _new_account(session, clinic.id, email, password, Role.PATIENT, name)
    session.add(
        Patient(account_id=account.id, clinic_id=clinic.id, timezone=timezone, condition=condition)
    )
    session.flush()
    return account


def _throttle_keys(email: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("email", "email:" + email)]
    if address:
        keys.append(("address", "addr:" + address))
    return keys


def _record_failure(session: Session, key: str, limit: int, policy: ThrottlePolicy) -> None:
    now = utcnow()
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert row is not None
    window = dt.timedelta(seconds=policy.window_seconds)
    if row.window_started_at + window <= now:
        row.failures = 0
        row.window_started_at = now
        row.blocked_until = None
    row.failures += 1
    if row.failures >= limit:
        row.blocked_until = now + window
    session.flush()


def login(
    session: Session,
    *,
    email: str,
    password: str,
    address: str | None,
    policy: ThrottlePolicy,
    refresh_ttl: dt.timedelta,
) -> LoginOutcome:
    """Check credentials under throttling; on success start a session with a refresh token."""
    email = normalize_email(email)
    now = utcnow()
    keys = _throttle_keys(email, address)
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_([k for _, k in keys])))
    blocked = [r.blocked_until for r in rows if r.blocked_until and r.blocked_until > now]
    if blocked:
        wait = (max(blocked) - now).total_seconds()
        return LoginOutcome(
            error=TooManyRequests("too many failed logins; try again later", retry_after=wait)
        )

    account = session.scalar(select(Account).where(Account.email == email))
    ok = verify_password(account.password_hash if account else None, password)
    if not ok or account is None or not account.active:
        for kind, key in keys:
            limit = (
                policy.max_failures_per_email
                if kind == "email"
                else policy.max_failures_per_address
            )
            _record_failure(session, key, limit, policy)
        return LoginOutcome(error=Unauthorized("email or password is wrong"))

    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == "email:" + email))
    account.last_login_at = now
    auth_session, token = start_session(session, account, refresh_ttl)
    return LoginOutcome(account=account, session=auth_session, refresh_token=token)


def start_session(
    session: Session, account: Account, refresh_ttl: dt.timedelta
) -> tuple[AuthSession, str]:
    auth_session = AuthSession(id=str(uuid.uuid4()), account_id=account.id)
    session.add(auth_session)
    token = _add_refresh_token(session, auth_session, refresh_ttl)
    return auth_session, token


def _add_refresh_token(session: Session, auth_session: AuthSession, ttl: dt.timedelta) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=_token_hash(token),
            expires_at=utcnow() + ttl,
        )
    )
    session.flush()
    return token


def revoke_session(session: Session, auth_session_id: str, reason: str) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == auth_session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


def refresh(session: Session, token: str, refresh_ttl: dt.timedelta) -> LoginOutcome:
    """Rotate a refresh token. A token used twice revokes its whole session (family)."""
    now = utcnow()
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _token_hash(token)))
    if row is None:
        return LoginOutcome(error=Unauthorized("refresh token is not valid"))
    auth_session = row.session
    account = session.get(Account, auth_session.account_id)
    if auth_session.revoked_at is not None or account is None or not account.active:
        return LoginOutcome(error=Unauthorized("this sign-in has ended; log in again"))
    if row.expires_at <= now:
        return LoginOutcome(error=Unauthorized("refresh token has expired; log in again"))
    spent = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        # A spent token came back: it was stolen or replayed. End the whole family.
        revoke_session(session, auth_session.id, "refresh_token_reuse")
        return LoginOutcome(
            error=Unauthorized("refresh token was already used; this sign-in has been ended")
        )
    auth_session.last_refreshed_at = now
    new_token = _add_refresh_token(session, auth_session, refresh_ttl)
    return LoginOutcome(account=account, session=auth_session, refresh_token=new_token)


def logout(session: Session, token: str) -> None:
    """End the session a refresh token belongs to; unknown tokens are ignored (idempotent)."""
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _token_hash(token)))
    if row is not None:
        revoke_session(session, row.session_id, "logout")


def account_for_access(session: Session, account_id: int, session_id: str) -> Account | None:
    """The account an access token speaks for, if that account and sign-in are still live."""
    found = session.execute(
        select(Account, AuthSession.revoked_at)
        .join(AuthSession, AuthSession.account_id == Account.id)
        .where(Account.id == account_id, AuthSession.id == session_id)
    ).first()
    if found is None:
        return None
    account, revoked_at = found
    if revoked_at is not None or not account.active:
        return None
    return account


PROFILE_FIELDS = (
    "timezone",
    "condition",
    "reminder_time",
    "reminders_enabled",
    "quiet_hours_start",
    "quiet_hours_end",
    "suggestion_push_enabled",
)


def update_profile(
    session: Session,
    account: Account,
    changes: dict[str, Any],
    *,
    if_match_version: int | None = None,
) -> Patient:
    patient = account.patient
    assert patient is not None
    if if_match_version is not None and if_match_version != patient.version:
        raise PreconditionFailed("the profile has changed since it was read")
    changed = False
    if "name" in changes and changes["name"] != account.name:
        account.name = changes["name"]
        changed = True
    if "timezone" in changes and not is_valid_timezone(changes["timezone"]):
        raise Invalid("unknown time zone", {"timezone": ["not an IANA time zone"]})
    start = changes.get("quiet_hours_start", patient.quiet_hours_start)
    end = changes.get("quiet_hours_end", patient.quiet_hours_end)
    if (start is None) != (end is None):
        raise Invalid(
            "quiet hours need both a start and an end",
            {"quiet_hours_end" if end is None else "quiet_hours_start": ["set both or neither"]},
        )
    if start is not None and start == end:
        raise Invalid(
            "quiet hours cannot start and end at the same time",
            {"quiet_hours_end": ["must differ from quiet_hours_start"]},
        )
    for field in PROFILE_FIELDS:
        if field in changes and getattr(patient, field) != changes[field]:
            setattr(patient, field, changes[field])
            changed = True
    if changed:
        # The version is the profile's ETag: it moves only when something the client sees changed.
        patient.version += 1
        session.flush()
    return patient
