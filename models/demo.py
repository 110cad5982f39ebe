"""A small demo clinic for development: `make run` seeds it into an empty database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.accounts import create_patient_account, create_staff_account
from models.clinic import Clinic, create_clinic
from models.enums import Condition, Role

DEMO_PASSWORD = "demo-password-123"


def is_empty(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Clinic)) or 0) == 0


def seed_demo(session: Session) -> list[dict[str, str]]:
    """Create the demo clinic and its people; return their logins."""
    clinic = create_clinic(
        session,
        "Demo Infusion Clinic",
        timezone="Europe/Berlin",
        booking_phone="+49 30 0000000",
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
        logins.append({"role": role.value, "email": email, "password": DEMO_PASSWORD})
    for email, name, tz, condition in (
        ("pat@demo.example", "Pat Fibro", "Europe/Berlin", Condition.FIBROMYALGIA),
        ("sam@demo.example", "Sam CRPS", "America/New_York", Condition.CRPS),
    ):
        create_patient_account(
            session,
            clinic,
            email=email,
            password=DEMO_PASSWORD,
            timezone=tz,
            name=name,
            condition=condition,
        )
        logins.append({"role": "patient", "email": email, "password": DEMO_PASSWORD})
    return logins
