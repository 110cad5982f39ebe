"""Right of access (export) and right to erasure."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from models import db, suggestions
from models.accounts import Account, AuthSession, Patient
from models.audit import AuditEvent, record
from models.diary import DiaryEntry, Infusion
from models.enums import AuditAction, SuggestionKind
from models.notifications import Device
from models.suggestions import BoosterSuggestion
from tests.factories import ENTRY, PASSWORD, make_clinic, patient_client

DAY = (dt.date.today() - dt.timedelta(days=2)).isoformat()
OLDER = (dt.date.today() - dt.timedelta(days=3)).isoformat()


def fill(client, account, tokens):
    client.put(
        f"/api/v1/me/entries/{DAY}", json={**ENTRY, "notes": "private"}, headers=tokens.headers
    )
    client.put(f"/api/v1/me/entries/{OLDER}", json=ENTRY, headers=tokens.headers)
    client.delete(f"/api/v1/me/entries/{OLDER}", headers=tokens.headers)
    client.post(
        "/api/v1/me/infusions",
        json={"administered_on": DAY, "kind": "booster"},
        headers=tokens.headers,
    )
    client.post(
        "/api/v1/me/devices", json={"platform": "fcm", "token": "t" * 40}, headers=tokens.headers
    )
    suggestions.raise_suggestion(
        db.session,
        account.patient.id,
        cycle_start=dt.date(2026, 1, 1),
        kind=SuggestionKind.WEARING_OFF,
        raised_on=dt.date(2026, 2, 1),
        evidence={},
    )
    db.session.commit()


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def test_export_has_every_record_and_no_push_secrets(client):
    account, tokens = patient_client(client)
    fill(client, account, tokens)

    r = client.get("/api/v1/me/export", headers=tokens.headers)

    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    body = r.json
    assert body["format"] == "infusion-diary-export/1"
    assert body["profile"]["email"] == account.email
    assert [e["date"] for e in body["entries"]] == [DAY]  # the deleted one is gone
    assert body["entries"][0]["notes"] == "private"
    assert [i["kind"] for i in body["infusions"]] == ["booster"]
    assert len(body["suggestions"]) == 1 and len(body["devices"]) == 1
    assert "t" * 40 not in r.get_data(as_text=True)


def test_erasure_needs_the_password_and_changes_nothing_without_it(client):
    account, tokens = patient_client(client)
    fill(client, account, tokens)
    r = client.delete("/api/v1/me", json={"password": "not it"}, headers=tokens.headers)
    assert r.status_code == 403 and r.json["errors"] == {"password": ["wrong"]}
    assert count(DiaryEntry, patient_id=account.patient.id) == 2
    assert client.get("/api/v1/me", headers=tokens.headers).status_code == 200


def test_erasure_deletes_health_data_tokens_and_audit_detail(client):
    clinic = make_clinic()
    account, tokens = patient_client(client, clinic)
    other, other_tokens = patient_client(client, clinic)
    fill(client, account, tokens)
    fill(client, other, other_tokens)
    patient_id = account.patient.id
    record(
        db.session,
        clinic_id=clinic.id,
        patient_id=patient_id,
        action=AuditAction.READ,
        resource="entries",
    )
    db.session.commit()

    r = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=tokens.headers)

    assert r.status_code == 204
    for model in (DiaryEntry, Infusion, BoosterSuggestion, Device):
        assert count(model, patient_id=patient_id) == 0, model
    assert count(Patient, id=patient_id) == 0 and count(Account, id=account.id) == 0
    assert count(AuthSession, account_id=account.id) == 0
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.clinic_id == clinic.id)).all()
    assert [(e.action.value, e.patient_id) for e in events] == [("erase", None)]
    assert events[0].detail == {"erased_patient_id": patient_id, "erased_account_id": account.id}
    assert events[0].address is None
    # Its tokens stop at once; the other patient is untouched.
    assert client.get("/api/v1/me", headers=tokens.headers).status_code == 401
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens.refresh_token})
    assert again.status_code == 401
    assert count(DiaryEntry, patient_id=other.patient.id) == 2
    assert client.get("/api/v1/me", headers=other_tokens.headers).status_code == 200
