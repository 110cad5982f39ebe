"""Daily reminders: at each patient's local reminder time, if today is not logged, one
reminder — never inside quiet hours (it waits for their end), never twice for one local date,
never to a patient who turned reminders off."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from jobs.batches import patient_batches
from jobs.settings import JobSettings
from models import notifications
from models.accounts import Patient
from models.diary import DiaryEntry

log = logging.getLogger("infusion_diary.jobs.reminders")


@dataclass
class ReminderCounts:
    patients_seen: int = 0
    reminders_enqueued: int = 0


def in_quiet_hours(local: dt.time, start: dt.time | None, end: dt.time | None) -> bool:
    if start is None or end is None:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # wraps midnight, e.g. 22:00–07:00


def run_reminders(make_session, now: dt.datetime, cfg: JobSettings) -> ReminderCounts:
    counts = ReminderCounts()
    query = select(
        Patient.id,
        Patient.timezone,
        Patient.reminder_time,
        Patient.quiet_hours_start,
        Patient.quiet_hours_end,
    ).where(Patient.reminders_enabled.is_(True))
    for session, batch in patient_batches(make_session, query, cfg.reminder_batch_size):
        counts.patients_seen += len(batch)
        due: dict[int, dt.date] = {}
        for row in batch:
            local = now.astimezone(ZoneInfo(row.timezone))
            local_time = local.time().replace(tzinfo=None)
            if local_time < row.reminder_time:
                continue
            if in_quiet_hours(local_time, row.quiet_hours_start, row.quiet_hours_end):
                continue  # deferred: the next run after quiet hours end sends it
            due[row.id] = local.date()
        if not due:
            continue
        logged = {
            (r.patient_id, r.entry_date)
            for r in session.execute(
                select(DiaryEntry.patient_id, DiaryEntry.entry_date).where(
                    DiaryEntry.patient_id.in_(list(due)),
                    DiaryEntry.entry_date.in_(set(due.values())),
                    DiaryEntry.deleted_at.is_(None),
                )
            )
        }
        pending = {pid: day for pid, day in due.items() if (pid, day) not in logged}
        devices = notifications.active_devices(session, list(pending))
        for patient_id, day in pending.items():
            counts.reminders_enqueued += notifications.enqueue(
                session,
                patient_id,
                devices.get(patient_id, []),
                "reminder",
                f"reminder:{patient_id}:{day.isoformat()}",
                notifications.message("reminder", date=day.isoformat()),
            )
        session.commit()
    return counts
