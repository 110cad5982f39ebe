"""Per-cycle insights for the app and the clinician: what each infusion cycle did.

A pure function over the same day-by-day assessments the scan uses, so the numbers a chart or
a clinician sees are the engine's own.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.detection import WEARING_OFF, Entry, Infusion, Settings
from jobs.replay import run_patient
from models.accounts import Patient
from models.diary import DiaryEntry
from models.diary import Infusion as InfusionRow


@dataclass
class CycleInsight:
    cycle_start: dt.date
    last_infusion: dt.date
    ended: dt.date  # the day before the next cycle, or the day judged
    baseline: dict[str, float] | None = None
    best: dict[str, float] | None = None
    responded: bool = False
    wore_off_on: dt.date | None = None
    relief_days: int | None = None
    status: str | None = None
    thresholds: dict[str, float] | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Insights:
    today: dt.date | None
    status: str | None
    cycles: list[CycleInsight]
    typical_relief_days: float | None
    expected_wearing_off: dt.date | None


def compute(
    infusions: list[Infusion], entries: list[Entry], today: dt.date, settings: Settings
) -> Insights:
    cycles: dict[dt.date, CycleInsight] = {}
    last = None
    for day, a in run_patient(
        [i for i in infusions if i.date <= today],
        [e for e in entries if e.date <= today],
        settings,
        until=today,
    ):
        if day > today:
            break
        last = a
        if a.cycle_start is None:
            continue
        cycle = cycles.get(a.cycle_start)
        if cycle is None:
            cycle = cycles[a.cycle_start] = CycleInsight(a.cycle_start, a.last_infusion, day)
        cycle.ended, cycle.last_infusion, cycle.status = day, a.last_infusion, a.status
        if a.baseline is not None:
            cycle.baseline = a.baseline
        if a.best is not None:
            cycle.best, cycle.thresholds = a.best, a.thresholds
        if a.status in ("responding", WEARING_OFF):
            cycle.responded = True
        if a.status == WEARING_OFF and cycle.wore_off_on is None:
            cycle.wore_off_on = day
        if a.suggest:
            cycle.suggestions.append({"kind": a.suggest, "date": day.isoformat()})
    for cycle in cycles.values():
        if cycle.responded:
            end = cycle.wore_off_on or cycle.ended
            cycle.relief_days = (end - cycle.last_infusion).days
    worn = [c.relief_days for c in cycles.values() if c.wore_off_on and c.relief_days]
    return Insights(
        today=last.day if last else None,
        status=last.status if last else None,
        cycles=sorted(cycles.values(), key=lambda c: c.cycle_start),
        typical_relief_days=statistics.median(worn) if worn else None,
        expected_wearing_off=last.expected_wearing_off if last else None,
    )


def for_patient(session: Session, patient: Patient, today: dt.date) -> Insights:
    """Insights from a patient's stored diary, up to their local `today`."""
    clinic = patient.account.clinic
    settings = Settings.for_clinic(clinic.detection_settings, clinic.booking_lead_days)
    entries = [
        Entry(r.entry_date, r.pain, r.fatigue, r.mood, r.sleep_quality)
        for r in session.execute(
            select(
                DiaryEntry.entry_date,
                DiaryEntry.pain,
                DiaryEntry.fatigue,
                DiaryEntry.mood,
                DiaryEntry.sleep_quality,
            )
            .where(
                DiaryEntry.patient_id == patient.id,
                DiaryEntry.deleted_at.is_(None),
                DiaryEntry.entry_date <= today,
            )
            .order_by(DiaryEntry.entry_date)
        )
    ]
    infusions = [
        Infusion(r.administered_on, r.kind.value)
        for r in session.execute(
            select(InfusionRow.administered_on, InfusionRow.kind).where(
                InfusionRow.patient_id == patient.id,
                InfusionRow.deleted_at.is_(None),
                InfusionRow.administered_on <= today,
            )
        )
    ]
    return compute(infusions, entries, today, settings)
