"""A patient's records over a date range, and their chart: shared by the patient's and the
clinician's views."""

from __future__ import annotations

import datetime as dt

from flask import Response
from sqlalchemy import select

from api import charts
from jobs import insights
from models import db, diary
from models.diary import DiaryEntry, Infusion
from models.errors import Invalid
from models.suggestions import BoosterSuggestion

DEFAULT_RANGE_DAYS = 120


def date_range(args, timezone: str) -> tuple[dt.date, dt.date]:
    end = args.get("to") or diary.local_today(timezone)
    start = args.get("from_") or end - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if (end - start).days > 3660:
        raise Invalid("at most ten years at a time", {"from": ["range too long"]})
    return start, end


def records(patient, start: dt.date, end: dt.date):
    entries = db.session.scalars(
        select(DiaryEntry)
        .where(
            DiaryEntry.patient_id == patient.id,
            DiaryEntry.deleted_at.is_(None),
            DiaryEntry.entry_date.between(start, end),
        )
        .order_by(DiaryEntry.entry_date)
    ).all()
    infusions = db.session.scalars(
        select(Infusion)
        .where(
            Infusion.patient_id == patient.id,
            Infusion.deleted_at.is_(None),
            Infusion.administered_on.between(start, end),
        )
        .order_by(Infusion.administered_on)
    ).all()
    suggestions = db.session.scalars(
        select(BoosterSuggestion).where(
            BoosterSuggestion.patient_id == patient.id,
            BoosterSuggestion.raised_on.between(start, end),
        )
    ).all()
    return entries, infusions, suggestions


def chart_response(patient, args) -> Response:
    start, end = date_range(args, patient.timezone)
    entries, infusions, suggestions = records(patient, start, end)
    found = insights.for_patient(db.session, patient, end)
    png = charts.render(
        entries=entries,
        infusions=infusions,
        suggestions=suggestions,
        cycles=found.cycles,
        start=start,
        end=end,
        size=args["size"],
    )
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})
