"""Run one job under its lock, and log what it did and how long it took."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from typing import Any

from sqlalchemy import Engine

from jobs.dispatch import run_dispatch
from jobs.expire import run_expire
from jobs.push import Provider
from jobs.reminders import run_reminders
from jobs.scan import run_scan
from jobs.settings import JobSettings
from models.clock import utcnow
from models.db import SessionFactory
from models.locks import job_lock

log = logging.getLogger("infusion_diary.jobs")
JOBS = ("scan", "reminders", "dispatch", "expire")
LEASES = {"scan": 3600, "reminders": 600, "dispatch": 300, "expire": 600}


def run_job(
    name: str,
    engine: Engine,
    cfg: JobSettings,
    providers: dict[str, Provider],
    *,
    now: dt.datetime | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any] | None:
    """Run `name` once if no other process is running it; None when the lock was taken."""
    if name not in JOBS:
        raise ValueError(f"unknown job {name!r}; one of {', '.join(JOBS)}")
    started = time.perf_counter()
    with job_lock(engine, f"job:{name}", dt.timedelta(seconds=LEASES[name])) as acquired:
        if not acquired:
            log.info("job %s skipped: another process is running it", name)
            return None
        instant = now or utcnow()
        if name == "scan":
            counts = run_scan(SessionFactory, instant, cfg, as_of=as_of)
        elif name == "reminders":
            counts = run_reminders(SessionFactory, instant, cfg)
        elif name == "expire":
            counts = run_expire(SessionFactory, instant, cfg)
        else:
            clock = (lambda: instant) if now is not None else utcnow
            counts = run_dispatch(SessionFactory, clock, cfg, providers)
    result = dataclasses.asdict(counts)
    elapsed = time.perf_counter() - started
    if name != "dispatch" or result.get("claimed"):
        log.info(
            "job %s finished in %.2f s: %s",
            name,
            elapsed,
            ", ".join(f"{k}={v}" for k, v in result.items()),
        )
    return result
