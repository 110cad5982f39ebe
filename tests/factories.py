"""Builders of clinics, accounts and signed-in clients for tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import inspect

from models import db
from models.accounts import Account, create_patient_account, create_staff_account
from models.clinic import Clinic, create_clinic, create_invite
from models.enums import Role

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_clinic(name: str | None = None, timezone: str = "Europe/Berlin") -> Clinic:
    clinic = create_clinic(db.session, name or f"Clinic {next(_seq)}", timezone=timezone)
    db.session.commit()
    return clinic


def make_staff(clinic: Clinic, role: Role = Role.CLINICIAN, email: str | None = None) -> Account:
    account = create_staff_account(
        db.session,
        clinic,
        email=email or f"staff{next(_seq)}@example.org",
        password=PASSWORD,
        role=role,
        name="Dr. Test",
    )
    db.session.commit()
    return account


def make_patient(clinic: Clinic, timezone: str = "Europe/Berlin", email: str | None = None):
    account = create_patient_account(
        db.session,
        clinic,
        email=email or f"patient{next(_seq)}@example.org",
        password=PASSWORD,
        timezone=timezone,
        name="Pat Test",
    )
    db.session.commit()
    return account


def make_invite(clinic: Clinic, by: Account, **kwargs):
    invite, code = create_invite(db.session, clinic, by, **kwargs)
    db.session.commit()
    return invite, code


@dataclass
class Session:
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def login(client, account_or_email, password: str = PASSWORD) -> Session:
    email = getattr(account_or_email, "email", account_or_email)
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return Session(response.json["access_token"], response.json["refresh_token"])


def reload(obj):
    """A fresh copy of `obj` from the database (requests end the session the test started)."""
    identity = inspect(obj).identity  # known even when obj is detached and expired
    return db.session.get(type(obj), identity, populate_existing=True)


ENTRY = {"pain": 6, "fatigue": 5, "mood": 4, "sleep_quality": 5}


def patient_client(client, clinic=None, timezone: str = "Europe/Berlin"):
    """A new patient in `clinic` (or a new clinic) with a signed-in session."""
    account = make_patient(clinic or make_clinic(), timezone=timezone)
    return account, login(client, account)
