"""A patient's record for the chart: CSV (one row per day) and a FHIR R4 Bundle.

CSV columns, in order (one row per calendar day of the range; empty where nothing was logged):
  date, pain, fatigue, mood, sleep_quality, sleep_hours, side_effects (";"-separated), notes,
  infusion (kinds given that day, ";"-separated), suggestion (kind:status raised that day).
Scores: pain and fatigue 0 = none … 10 = worst; mood and sleep quality 0 = worst … 10 = best.

FHIR: a `collection` Bundle with the Patient, one Observation per metric and day, a Procedure
per infusion and a Flag per open suggestion. Codes: pain = LOINC 72514-3 (Pain severity 0-10
verbal numeric rating, reported); sleep hours = LOINC 93832-4 (Sleep duration, UCUM `h`).
Fatigue, mood and sleep quality are 0–10 self-ratings with no exact LOINC term, so they carry
this product's code system (`DIARY_SYSTEM`) and a text, under the `survey` category.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

CSV_COLUMNS = (
    "date",
    "pain",
    "fatigue",
    "mood",
    "sleep_quality",
    "sleep_hours",
    "side_effects",
    "notes",
    "infusion",
    "suggestion",
)
LOINC = "http://loinc.org"
DIARY_SYSTEM = "https://infusion-diary.app/fhir/CodeSystem/diary-metric"
METRIC_CODES = {
    "pain": (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    "fatigue": (DIARY_SYSTEM, "fatigue-0-10", "Fatigue, self-rated 0 (none) to 10 (worst)"),
    "mood": (DIARY_SYSTEM, "mood-0-10", "Mood, self-rated 0 (worst) to 10 (best)"),
    "sleep_quality": (
        DIARY_SYSTEM,
        "sleep-quality-0-10",
        "Sleep quality, self-rated 0 (worst) to 10 (best)",
    ),
}
SLEEP_HOURS_CODE = (LOINC, "93832-4", "Sleep duration")


def to_csv(entries, infusions, suggestions, start: dt.date, end: dt.date) -> str:
    by_day = {e.entry_date: e for e in entries}
    infused: dict[dt.date, list[str]] = {}
    for infusion in infusions:
        infused.setdefault(infusion.administered_on, []).append(infusion.kind.value)
    raised: dict[dt.date, list[str]] = {}
    for s in suggestions:
        raised.setdefault(s.raised_on, []).append(f"{s.kind.value}:{s.status.value}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    day = start
    while day <= end:
        e = by_day.get(day)
        writer.writerow(
            [
                day.isoformat(),
                *(
                    ("" if e is None else getattr(e, m))
                    for m in ("pain", "fatigue", "mood", "sleep_quality")
                ),
                "" if e is None or e.sleep_hours is None else f"{e.sleep_hours:.1f}",
                "" if e is None else ";".join(e.side_effects or []),
                "" if e is None or not e.notes else _safe_cell(e.notes),
                ";".join(infused.get(day, [])),
                ";".join(raised.get(day, [])),
            ]
        )
        day += dt.timedelta(days=1)
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """Free text that a spreadsheet would run as a formula is prefixed with a quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_fhir(patient, account, entries, infusions, suggestions) -> dict[str, Any]:
    patient_ref = f"urn:uuid:patient-{patient.id}"
    resources: list[tuple[str, dict[str, Any]]] = [
        (
            patient_ref,
            {
                "resourceType": "Patient",
                "id": f"patient-{patient.id}",
                "identifier": [
                    {
                        "system": "https://infusion-diary.app/fhir/patient-id",
                        "value": str(patient.id),
                    }
                ],
                "active": account.active,
                **({"name": [{"text": account.name}]} if account.name else {}),
                "telecom": [{"system": "email", "value": account.email}],
            },
        )
    ]
    subject = {"reference": patient_ref}
    for e in entries:
        for metric, (system, code, display) in METRIC_CODES.items():
            resources.append(
                (
                    f"urn:uuid:obs-{e.id}-{metric}",
                    _observation(
                        subject,
                        e.entry_date,
                        system,
                        code,
                        display,
                        {"valueInteger": getattr(e, metric)},
                    ),
                )
            )
        if e.sleep_hours is not None:
            system, code, display = SLEEP_HOURS_CODE
            resources.append(
                (
                    f"urn:uuid:obs-{e.id}-sleep-hours",
                    _observation(
                        subject,
                        e.entry_date,
                        system,
                        code,
                        display,
                        {
                            "valueQuantity": {
                                "value": float(e.sleep_hours),
                                "unit": "h",
                                "system": "http://unitsofmeasure.org",
                                "code": "h",
                            }
                        },
                    ),
                )
            )
    for infusion in infusions:
        performed = infusion.administered_on.isoformat()
        if infusion.administered_at is not None:
            performed = dt.datetime.combine(
                infusion.administered_on, infusion.administered_at
            ).isoformat()
        resources.append(
            (
                f"urn:uuid:infusion-{infusion.id}",
                {
                    "resourceType": "Procedure",
                    "status": "completed",
                    "code": {"text": f"Ketamine infusion ({infusion.kind.value})"},
                    "subject": subject,
                    **(
                        {"performedDateTime": performed}
                        if "T" in performed
                        else {"performedPeriod": {"start": performed, "end": performed}}
                    ),
                    **(
                        {"note": [{"text": f"Dose {float(infusion.dose_mg):g} mg"}]}
                        if infusion.dose_mg is not None
                        else {}
                    ),
                },
            )
        )
    for s in suggestions:
        if s.status.value not in ("open", "acknowledged"):
            continue
        resources.append(
            (
                f"urn:uuid:suggestion-{s.id}",
                {
                    "resourceType": "Flag",
                    "status": "active",
                    "code": {
                        "text": "Relief may be wearing off: consider booking a booster"
                        if s.kind.value == "wearing_off"
                        else "Relief expected to wear off soon: consider booking a booster"
                    },
                    "subject": subject,
                    "period": {"start": s.raised_on.isoformat()},
                },
            )
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in resources],
    }


def _observation(subject, day: dt.date, system, code, display, value) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
        "subject": subject,
        "effectiveDateTime": day.isoformat(),
        **value,
    }
