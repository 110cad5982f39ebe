"""The daily scan: run detection for every patient whose local morning has come and who has
not been evaluated for their local today; store the assessment, raise suggestions and enqueue
their notifications in the same transaction. Work is read a batch of patients at a time (a few
queries per batch, never one per patient) and committed per batch."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jobs.batches import patient_batches
from jobs.detection import Entry, Infusion, Settings, Tracker
from jobs.replay import run_patient
from jobs.settings import JobSettings
from models import notifications, suggestions
from models.accounts import Patient
from models.clinic import Clinic
from models.clock import utcnow
from models.diary import DiaryEntry
from models.diary import Infusion as InfusionRow
from models.enums import SuggestionKind
from models.suggestions import BoosterSuggestion, PatientAssessment

log = logging.getLogger("infusion_diary.jobs.scan")


@dataclass
class ScanCounts:
    patients_seen: int = 0
    patients_evaluated: int = 0
    suggestions_created: int = 0
    notifications_enqueued: int = 0
    batches_failed: int = 0
    patients_resumed: int = 0  # continued from a checkpoint instead of replaying history


def _local_now(now: dt.datetime, timezone: str) -> dt.datetime:
    return now.astimezone(ZoneInfo(timezone))


def run_scan(
    make_session, now: dt.datetime, cfg: JobSettings, as_of: dt.date | None = None
) -> ScanCounts:
    """Scan every due patient. `as_of` evaluates everyone for that local date instead."""
    counts = ScanCounts()
    query = (
        select(
            Patient.id,
            Patient.timezone,
            Patient.suggestion_push_enabled,
            Clinic.booking_lead_days,
            Clinic.detection_settings,
            PatientAssessment.local_date,
        )
        .join(Clinic, Clinic.id == Patient.clinic_id)
        .outerjoin(PatientAssessment, PatientAssessment.patient_id == Patient.id)
    )
    for session, batch in patient_batches(make_session, query, cfg.scan_batch_size):
        counts.patients_seen += len(batch)
        due = []
        for row in batch:
            if as_of is not None:
                today = as_of
            else:
                local = _local_now(now, row.timezone)
                if local.hour < cfg.scan_local_hour:
                    continue
                today = local.date()
            if row.local_date is not None and row.local_date >= today:
                continue
            due.append((row, today))
        if not due:
            continue
        try:
            _scan_batch(session, due, now, cfg, counts)
            session.commit()
        except IntegrityError:
            # Another scanner got there first (every effect is unique): nothing is lost,
            # this batch's work is theirs.
            session.rollback()
            counts.batches_failed += 1
            log.warning(
                "scan batch after patient %s conflicted; left to the other run", batch[0].id
            )
    return counts


# The engine's state is kept as of this many days before the patient's today, so that entries
# for the last days (phones sync late) do not force a replay; an entry or infusion dated on or
# before the kept day that changed after it was kept does.
CHECKPOINT_LAG_DAYS = 2
STATE_FORMAT = b"tracker-v1:"
CLOCK_MARGIN = dt.timedelta(minutes=5)


def _load_state(blob: bytes | None) -> Tracker | None:
    if not blob or not blob.startswith(STATE_FORMAT):
        return None
    try:
        tracker = pickle.loads(blob[len(STATE_FORMAT) :])  # noqa: S301 (our own column)
    except Exception:  # noqa: BLE001 (an unreadable state is simply replayed)
        return None
    return tracker if isinstance(tracker, Tracker) and tracker.last_day else None


def _resumable(session: Session, due, settings_of) -> dict[int, tuple[Tracker, Any]]:
    """Trackers that can continue from their checkpoint: nothing dated on or before it has
    changed since, the clinic's settings are the same, and it lies before today."""
    ids = [row.id for row, _ in due]
    kept = {
        r.patient_id: r
        for r in session.execute(
            select(
                PatientAssessment.patient_id,
                PatientAssessment.engine_state,
                PatientAssessment.state_day,
                PatientAssessment.state_computed_at,
            ).where(PatientAssessment.patient_id.in_(ids), PatientAssessment.state_day.is_not(None))
        )
    }
    if not kept:
        return {}
    changed: set[int] = set()
    for model, day_column in (
        (DiaryEntry, DiaryEntry.entry_date),
        (InfusionRow, InfusionRow.administered_on),
    ):
        # EXISTS per patient, so the (patient_id, updated_at) index answers it in a seek.
        touched = (
            select(model.id)
            .where(
                model.patient_id == PatientAssessment.patient_id,
                model.updated_at > PatientAssessment.state_computed_at,
                day_column <= PatientAssessment.state_day,
            )
            .exists()
        )
        changed.update(
            session.scalars(
                select(PatientAssessment.patient_id).where(
                    PatientAssessment.patient_id.in_(list(kept)), touched
                )
            )
        )
    out = {}
    for row, today in due:
        record = kept.get(row.id)
        if record is None or row.id in changed:
            continue
        tracker = _load_state(record.engine_state)
        if tracker is None or tracker.last_day != record.state_day or tracker.last_day >= today:
            continue
        if tracker.s != settings_of(row):
            continue
        out[row.id] = (tracker, record)
    return out


def _scan_batch(
    session: Session, due, now: dt.datetime, cfg: JobSettings, counts: ScanCounts
) -> None:
    def settings_of(row) -> Settings:
        return Settings.for_clinic(row.detection_settings, row.booking_lead_days)

    resumed = _resumable(session, due, settings_of)
    full_ids = [row.id for row, _ in due if row.id not in resumed]
    ids = [row.id for row, _ in due]
    latest = max(today for _, today in due)
    earliest = min(today for _, today in due) - dt.timedelta(days=cfg.scan_history_days)
    since_state = min((t.last_day for t, _ in resumed.values()), default=latest)
    entries: dict[int, list[Entry]] = defaultdict(list)
    for r in session.execute(
        select(
            DiaryEntry.patient_id,
            DiaryEntry.entry_date,
            DiaryEntry.pain,
            DiaryEntry.fatigue,
            DiaryEntry.mood,
            DiaryEntry.sleep_quality,
        )
        .where(
            or_(
                and_(DiaryEntry.patient_id.in_(full_ids), DiaryEntry.entry_date >= earliest),
                and_(DiaryEntry.patient_id.in_(list(resumed)), DiaryEntry.entry_date > since_state),
            ),
            DiaryEntry.deleted_at.is_(None),
            DiaryEntry.entry_date <= latest,
        )
        .order_by(DiaryEntry.patient_id, DiaryEntry.entry_date)
    ):
        entries[r.patient_id].append(
            Entry(r.entry_date, r.pain, r.fatigue, r.mood, r.sleep_quality)
        )
    infusions: dict[int, list[Infusion]] = defaultdict(list)
    for r in session.execute(
        select(InfusionRow.patient_id, InfusionRow.administered_on, InfusionRow.kind).where(
            or_(
                and_(InfusionRow.patient_id.in_(full_ids), InfusionRow.administered_on >= earliest),
                and_(
                    InfusionRow.patient_id.in_(list(resumed)),
                    InfusionRow.administered_on > since_state,
                ),
            ),
            InfusionRow.deleted_at.is_(None),
            InfusionRow.administered_on <= latest,
        )
    ):
        infusions[r.patient_id].append(Infusion(r.administered_on, r.kind.value))
    existing = {
        (r.patient_id, r.cycle_start, r.kind)
        for r in session.execute(
            select(
                BoosterSuggestion.patient_id, BoosterSuggestion.cycle_start, BoosterSuggestion.kind
            ).where(BoosterSuggestion.patient_id.in_(ids))
        )
    }
    devices = notifications.active_devices(session, ids)
    computed_at = utcnow()
    assessments = []
    for row, today in due:
        kept = resumed.get(row.id)
        settings = settings_of(row)
        tracker = kept[0] if kept else Tracker(settings)
        after = tracker.last_day or dt.date.min
        mine_entries = [e for e in entries.get(row.id, []) if after < e.date <= today]
        mine_infusions = [i for i in infusions.get(row.id, []) if after < i.date <= today]
        checkpoint_day = today - dt.timedelta(days=CHECKPOINT_LAG_DAYS)
        final, raised, state, state_day, state_at = None, [], None, None, None
        if kept:  # until a newer checkpoint is reached, the one it resumed from stays
            state, state_day, state_at = (
                kept[1].engine_state,
                kept[1].state_day,
                kept[1].state_computed_at,
            )
        runner = run_patient(mine_infusions, mine_entries, settings, until=today, tracker=tracker)
        for day, assessment in runner:
            final = assessment
            if assessment.suggest:
                raised.append(assessment)
            if day == checkpoint_day:
                state = STATE_FORMAT + pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL)
                # Stored early by a margin, so a write from a slightly slow clock still counts.
                state_day, state_at = day, computed_at - CLOCK_MARGIN
        counts.patients_evaluated += 1
        counts.patients_resumed += kept is not None
        if final is None or final.day != today:
            final_status, cycle_start, expected, evidence = "no_baseline", None, None, {}
        else:
            final_status, cycle_start = final.status, final.cycle_start
            expected, evidence = final.expected_wearing_off, final.evidence()
        assessments.append(
            {
                "patient_id": row.id,
                "local_date": today,
                "status": final_status,
                "cycle_start": cycle_start,
                "expected_wearing_off": expected,
                "evidence": evidence,
                "computed_at": now,
                "engine_state": state,
                "state_day": state_day,
                "state_computed_at": state_at,
            }
        )
        for assessment in raised:
            kind = SuggestionKind(assessment.suggest)
            if cycle_start is None or assessment.cycle_start != cycle_start:
                continue  # only the current cycle's suggestions are still worth raising
            if (row.id, assessment.cycle_start, kind) in existing:
                continue
            suggestion = suggestions.raise_suggestion(
                session,
                row.id,
                cycle_start=assessment.cycle_start,
                kind=kind,
                raised_on=assessment.day,
                evidence=assessment.evidence(),
                expected_on=assessment.expected_wearing_off,
            )
            counts.suggestions_created += 1
            if row.suggestion_push_enabled:
                counts.notifications_enqueued += notifications.enqueue(
                    session,
                    row.id,
                    devices.get(row.id, []),
                    kind.value,
                    f"suggestion:{suggestion.id}",
                    notifications.message(kind.value, suggestion_id=suggestion.id),
                )
    suggestions.save_assessments(session, assessments)
