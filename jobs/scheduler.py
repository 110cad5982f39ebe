"""The only place a scheduler is built (APScheduler 3, UTC).

Every job: `coalesce=True` (runs missed while the process was down collapse into one),
`max_instances=1`, and a `misfire_grace_time` so a late run still happens once. The scan,
reminders and expire also run once at start-up, which is the catch-up after downtime: they
work from the database's state ("not yet evaluated today", "not yet reminded today"), so one
run does what the missed runs would have done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

# job name: (seconds between runs, run at start-up)
SCHEDULE = {
    "dispatch": (5, False),
    "reminders": (300, True),
    "scan": (900, True),
    "expire": (3600, True),
}


def build_scheduler(run: Callable[[str], object], *, blocking: bool) -> BaseScheduler:
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        timezone=dt.UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    now = dt.datetime.now(dt.UTC)
    for name, (seconds, at_start) in SCHEDULE.items():
        scheduler.add_job(
            run,
            IntervalTrigger(seconds=seconds, timezone=dt.UTC),
            args=[name],
            id=name,
            name=name,
            replace_existing=True,
            **({"next_run_time": now} if at_start else {}),
        )
    return scheduler
