"""What clinicians see and do: the patient overview, one patient's record, the triage queue,
clinic settings and the audit log. Every query is limited to one clinic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from models.accounts import Account, Patient
from models.audit import AuditEvent
from models.clinic import Clinic
from models.clock import utcnow
from models.diary import DiaryEntry, Infusion, local_today
from models.enums import SuggestionKind, SuggestionStatus
from models.errors import Conflict, Invalid, NotFound
from models.suggestions import ACTIVE, BoosterSuggestion, PatientAssessment
from models.sync import next_seq

NO_RECENT_DAYS = 7
ADHERENCE_DAYS = 14
# Most urgent first.
URGENCY = ("wearing_off", "forecast", "no_recent_data", "non_responder", "no_baseline", "ok")


def overview_query(
    clinic_id: int, today: dt.date, *, status: str | None = None, search: str | None = None
) -> Select:
    """One row per patient of the clinic with status, recency and open suggestion, most
    urgent first. One statement: the page is read in a single query."""
    last_entry = (
        select(func.max(DiaryEntry.entry_date))
        .where(DiaryEntry.patient_id == Patient.id, DiaryEntry.deleted_at.is_(None))
        .correlate(Patient)
        .scalar_subquery()
    )
    last_infusion = (
        select(func.max(Infusion.administered_on))
        .where(Infusion.patient_id == Patient.id, Infusion.deleted_at.is_(None))
        .correlate(Patient)
        .scalar_subquery()
    )
    open_suggestion = (
        select(BoosterSuggestion.id)
        .where(BoosterSuggestion.patient_id == Patient.id, BoosterSuggestion.status.in_(ACTIVE))
        .order_by(BoosterSuggestion.kind.desc(), BoosterSuggestion.created_at.desc())
        .limit(1)
        .correlate(Patient)
        .scalar_subquery()
    )
    open_kind = (
        select(BoosterSuggestion.kind)
        .where(BoosterSuggestion.patient_id == Patient.id, BoosterSuggestion.status.in_(ACTIVE))
        .order_by(BoosterSuggestion.kind.desc(), BoosterSuggestion.created_at.desc())
        .limit(1)
        .correlate(Patient)
        .scalar_subquery()
    )
    cutoff = today - dt.timedelta(days=NO_RECENT_DAYS)
    status_expr = case(
        (
            or_(
                open_kind == SuggestionKind.WEARING_OFF.value,
                PatientAssessment.status == "wearing_off",
            ),
            "wearing_off",
        ),
        (open_kind == SuggestionKind.FORECAST.value, "forecast"),
        (or_(last_entry.is_(None), last_entry < cutoff), "no_recent_data"),
        (PatientAssessment.status == "non_responder", "non_responder"),
        (
            or_(PatientAssessment.status.is_(None), PatientAssessment.status == "no_baseline"),
            "no_baseline",
        ),
        else_="ok",
    )
    base = (
        select(
            Patient.id.label("id"),
            Account.name.label("name"),
            Account.email.label("email"),
            Patient.timezone.label("timezone"),
            Patient.condition.label("condition"),
            status_expr.label("status"),
            last_entry.label("last_entry"),
            last_infusion.label("last_infusion"),
            open_suggestion.label("open_suggestion_id"),
            open_kind.label("open_suggestion_kind"),
            PatientAssessment.local_date.label("assessed_on"),
            PatientAssessment.evidence.label("evidence"),
        )
        .join(Account, Account.id == Patient.account_id)
        .outerjoin(PatientAssessment, PatientAssessment.patient_id == Patient.id)
        .where(Patient.clinic_id == clinic_id)
    )
    if search:
        term = f"%{search.strip().lower()}%"
        base = base.where(
            or_(func.lower(Account.name).like(term), func.lower(Account.email).like(term))
        )
    rows = base.subquery()
    urgency = case({name: rank for rank, name in enumerate(URGENCY)}, value=rows.c.status)
    query = select(rows).order_by(urgency, rows.c.last_entry.asc().nulls_first(), rows.c.id)
    if status:
        query = query.where(rows.c.status == status)
    return query


def recent_entry_dates(
    session: Session, patient_ids: list[int], since: dt.date
) -> dict[int, set[dt.date]]:
    """Logged dates since `since` for a page of patients (one query, for adherence)."""
    out: dict[int, set[dt.date]] = {pid: set() for pid in patient_ids}
    for pid, day in session.execute(
        select(DiaryEntry.patient_id, DiaryEntry.entry_date).where(
            DiaryEntry.patient_id.in_(patient_ids),
            DiaryEntry.entry_date >= since,
            DiaryEntry.deleted_at.is_(None),
        )
    ):
        out[pid].add(day)
    return out


def overview_rows(session: Session, rows) -> list[dict[str, Any]]:
    """Overview rows completed with what depends on each patient's own local date: days
    since the last infusion and adherence (one more query for the whole page)."""
    if not rows:
        return []
    todays = {r.id: local_today(r.timezone) for r in rows}
    since = min(todays.values()) - dt.timedelta(days=ADHERENCE_DAYS)
    logged = recent_entry_dates(session, list(todays), since)
    out = []
    for row in rows:
        data = dict(row._mapping)
        today = todays[row.id]
        window = {today - dt.timedelta(days=n) for n in range(ADHERENCE_DAYS)}
        data["adherence"] = round(len(logged[row.id] & window) / ADHERENCE_DAYS, 3)
        last = data["last_infusion"]
        data["days_since_infusion"] = (today - last).days if last else None
        data["typical_relief_days"] = (data.pop("evidence") or {}).get("typical_relief_days")
        out.append(data)
    return out


def patient_summary(session: Session, patient: Patient, today: dt.date) -> dict[str, Any]:
    """One patient's overview row plus profile and the engine's latest evidence."""
    query = overview_query(patient.clinic_id, today)
    row = session.execute(query.where(query.selected_columns.id == patient.id)).one()
    data = overview_rows(session, [row])[0]
    assessment = assessment_of(session, patient.id)
    data.update(
        clinic=patient.account.clinic,
        reminder_time=patient.reminder_time.strftime("%H:%M"),
        created_at=patient.created_at,
        assessment=assessment.evidence if assessment else None,
    )
    return data


def clinic_patient(session: Session, clinic_id: int, patient_id: int) -> Patient:
    """A patient of this clinic; any other id is 'not found', never 'forbidden'."""
    patient = session.get(Patient, patient_id)
    if patient is None or patient.clinic_id != clinic_id:
        raise NotFound("no such patient in your clinic")
    return patient


def assessment_of(session: Session, patient_id: int) -> PatientAssessment | None:
    return session.get(PatientAssessment, patient_id)


def timeline(
    session: Session, patient: Patient, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """Entries, infusions and suggestions of a patient on one date axis, oldest first."""
    items: list[dict[str, Any]] = []
    for entry in session.scalars(
        select(DiaryEntry).where(
            DiaryEntry.patient_id == patient.id,
            DiaryEntry.deleted_at.is_(None),
            DiaryEntry.entry_date.between(start, end),
        )
    ):
        items.append({"date": entry.entry_date, "type": "entry", "entry": entry})
    for infusion in session.scalars(
        select(Infusion).where(
            Infusion.patient_id == patient.id,
            Infusion.deleted_at.is_(None),
            Infusion.administered_on.between(start, end),
        )
    ):
        items.append({"date": infusion.administered_on, "type": "infusion", "infusion": infusion})
    for suggestion in session.scalars(
        select(BoosterSuggestion).where(
            BoosterSuggestion.patient_id == patient.id,
            BoosterSuggestion.raised_on.between(start, end),
        )
    ):
        items.append({"date": suggestion.raised_on, "type": "suggestion", "suggestion": suggestion})
    order = {"infusion": 0, "suggestion": 1, "entry": 2}
    items.sort(key=lambda item: (item["date"], order[item["type"]]))
    return items


def triage_query(clinic_id: int, status: SuggestionStatus | None) -> Select:
    query = (
        select(BoosterSuggestion, Account.name, Account.email)
        .join(Patient, Patient.id == BoosterSuggestion.patient_id)
        .join(Account, Account.id == Patient.account_id)
        .where(Patient.clinic_id == clinic_id)
    )
    if status is not None:
        query = query.where(BoosterSuggestion.status == status)
    # Detected wearing-off before forecasts, then oldest first: who has waited longest.
    return query.order_by(
        case((BoosterSuggestion.kind == SuggestionKind.WEARING_OFF.value, 0), else_=1),
        BoosterSuggestion.created_at,
        BoosterSuggestion.id,
    )


OUTCOMES = ("booked", "dismissed", "contacted")


def resolve_suggestion(
    session: Session,
    clinic_id: int,
    suggestion_id: int,
    *,
    outcome: str,
    by_account_id: int,
    appointment_on: dt.date | None = None,
    note: str | None = None,
) -> BoosterSuggestion:
    """The clinic's answer to a suggestion; the patient sees it in their next sync."""
    suggestion = session.get(BoosterSuggestion, suggestion_id)
    patient = session.get(Patient, suggestion.patient_id) if suggestion else None
    if suggestion is None or patient is None or patient.clinic_id != clinic_id:
        raise NotFound("no such suggestion in your clinic")
    if outcome == "booked" and appointment_on is None:
        raise Invalid(
            "a booking needs its appointment date", {"appointment_on": ["required when booked"]}
        )
    if suggestion.status not in ACTIVE:
        raise Conflict(
            f"the suggestion is already {suggestion.status.value}",
            {"status": [suggestion.status.value]},
        )
    seq = next_seq(session, patient.id)
    now = utcnow()
    if outcome == "contacted":
        suggestion.status = SuggestionStatus.ACKNOWLEDGED
    else:
        suggestion.status = SuggestionStatus(outcome)
        suggestion.resolved_at = now
        suggestion.appointment_on = appointment_on
    suggestion.resolved_by_id = by_account_id
    suggestion.resolved_reason = f"clinic_{outcome}"
    suggestion.resolution_note = note
    suggestion.version += 1
    suggestion.sync_seq = seq
    suggestion.updated_at = now
    session.flush()
    return suggestion


SETTINGS_FIELDS = (
    "name",
    "timezone",
    "booking_url",
    "booking_phone",
    "booking_lead_days",
    "detection_settings",
)


def update_settings(session: Session, clinic: Clinic, changes: dict[str, Any]) -> Clinic:
    for key, value in changes.items():
        if key not in SETTINGS_FIELDS:
            raise Invalid(f"{key} is not a clinic setting", {key: ["unknown"]})
        setattr(clinic, key, value)
    session.flush()
    return clinic


def audit_query(
    clinic_id: int, patient_id: int | None = None, actor_id: int | None = None
) -> Select:
    query = select(AuditEvent).where(AuditEvent.clinic_id == clinic_id)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
