"""Idempotency keys: a retried POST returns the first response instead of acting twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clock import utcnow
from models.db import Base, JSONType, UTCDateTime
from models.errors import Invalid


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("account_id", "key", name="uq_idempotency_keys_account_id_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find(session: Session, account_id: int, key: str, print_: str) -> IdempotencyKey | None:
    """The stored outcome of an earlier request with this key, if any.

    The same key with a different request is a client bug: refuse it rather than guess.
    """
    row = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.account_id == account_id, IdempotencyKey.key == key
        )
    )
    if row is not None and row.fingerprint != print_:
        raise Invalid(
            "this Idempotency-Key was already used for a different request",
            {"Idempotency-Key": ["reused with a different body or endpoint"]},
        )
    return row


def remember(
    session: Session, account_id: int, key: str, print_: str, status_code: int, response: dict
) -> None:
    session.add(
        IdempotencyKey(
            account_id=account_id,
            key=key,
            fingerprint=print_,
            status_code=status_code,
            response=response,
        )
    )
    session.flush()


KEEP_DAYS = 7  # a client retrying later than this is not retrying any more


def forget_old(session: Session, older_than: dt.datetime) -> int:
    """Delete idempotency keys older than `older_than`; returns how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than))
    return result.rowcount or 0
