"""Run locks for scheduled jobs, so two scheduler processes do not run one job at once.

PostgreSQL: a session-level advisory lock on a connection held for the run. SQLite (one
machine, development): a lease row that expires, so a crashed holder does not block forever.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import socket
from collections.abc import Iterator

from sqlalchemy import Engine, String, or_, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from models.clock import utcnow
from models.db import Base, UTCDateTime


class JobLock(Base):
    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def job_lock(engine: Engine, name: str, lease: dt.timedelta) -> Iterator[bool]:
    """Yield True when this process holds the lock for `name`, False when another does."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(name)}).scalar()
            conn.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                    conn.commit()
        return
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(object())}"
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            sqlite_insert(JobLock)
            .values(name=name, holder=None, locked_until=now)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        got = (
            conn.execute(
                update(JobLock)
                .where(
                    JobLock.name == name, or_(JobLock.holder.is_(None), JobLock.locked_until < now)
                )
                .values(holder=holder, locked_until=now + lease)
            ).rowcount
            == 1
        )
    try:
        yield got
    finally:
        if got:
            with engine.begin() as conn:
                conn.execute(
                    update(JobLock)
                    .where(JobLock.name == name, JobLock.holder == holder)
                    .values(holder=None, locked_until=utcnow())
                )
