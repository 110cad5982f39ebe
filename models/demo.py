"""A demo clinic for development: `make run` seeds it into an empty database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import diary
from models.accounts import Patient, create_patient_account, create_staff_account
from models.clinic import Clinic, create_clinic
from models.enums import Condition, InfusionKind, RecordedBy, Role

DEMO_PASSWORD = "demo-password-123"
NAMES = (
    "Pat Fibro",
    "Sam Reyes",
    "Alex Kim",
    "Jordan Lee",
    "Robin Patel",
    "Casey Novak",
    "Morgan Diaz",
    "Taylor Berg",
    "Jamie Okafor",
    "Riley Moreau",
    "Avery Santos",
    "Quinn Fischer",
    "Drew Haddad",
)
TIMEZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
    "Australia/Sydney",
)
CONDITIONS = (
    Condition.FIBROMYALGIA,
    Condition.CRPS,
    Condition.NEUROPATHIC_PAIN,
    Condition.MIGRAINE,
    Condition.DEPRESSION,
)


def is_empty(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Clinic)) or 0) == 0


def seed_demo(
    session: Session, histories: list[tuple[str, dict[str, Any]]]
) -> list[dict[str, str]]:
    """Create the demo clinic, its staff, and one patient per history (entries and infusions
    as in the replay format); return the logins."""
    clinic = create_clinic(
        session,
        "Demo Infusion Clinic",
        timezone="Europe/Berlin",
        booking_phone="+49 30 0000000",
        booking_url="https://booking.example.org/demo",
        booking_lead_days=7,
    )
    logins = []
    for role, email, name in (
        (Role.ADMIN, "admin@demo.example", "Dr. Ada Admin"),
        (Role.CLINICIAN, "clinician@demo.example", "Dr. Casey Clinician"),
    ):
        create_staff_account(
            session, clinic, email=email, password=DEMO_PASSWORD, role=role, name=name
        )
        logins.append({"role": role.value, "email": email, "password": DEMO_PASSWORD, "note": ""})
    for n, (kind, record) in enumerate(histories):
        email = "pat@demo.example" if n == 0 else f"patient{n}@demo.example"
        first = min(dt.date.fromisoformat(e["date"]) for e in record["entries"])
        account = create_patient_account(
            session,
            clinic,
            email=email,
            password=DEMO_PASSWORD,
            timezone=TIMEZONES[n % len(TIMEZONES)],
            name=NAMES[n % len(NAMES)],
            condition=CONDITIONS[n % len(CONDITIONS)],
        )
        # History from before the account: the account "existed" since the first entry.
        account.created_at = dt.datetime.combine(first, dt.time(9), dt.UTC)
        patient = session.get(Patient, account.patient.id)
        for entry in record["entries"]:
            diary.put_entry(
                session,
                patient,
                dt.date.fromisoformat(entry["date"]),
                {
                    "pain": entry["pain"],
                    "fatigue": entry["fatigue"],
                    "mood": entry["mood"],
                    "sleep_quality": entry["sleep_quality"],
                    "sleep_hours": 7.5 - 0.25 * entry["pain"],
                },
            )
        for infusion in record["infusions"]:
            diary.create_infusion(
                session,
                patient,
                {
                    "administered_on": dt.date.fromisoformat(infusion["date"]),
                    "kind": InfusionKind(infusion["kind"]),
                },
                recorded_by=RecordedBy.CLINICIAN,
                recorded_by_account_id=None,
            )
        logins.append(
            {
                "role": "patient",
                "email": email,
                "password": DEMO_PASSWORD,
                "note": kind.replace("_", " "),
            }
        )
    session.flush()
    return logins
