"""Infusions: self-reports, clinic records that the patient cannot change, Idempotency-Key."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import db, diary
from models.accounts import Patient
from models.diary import Infusion
from models.enums import InfusionKind, RecordedBy
from models.idempotency import IdempotencyKey
from tests.factories import make_clinic, make_staff, patient_client

URL = "/api/v1/me/infusions"
LAST_WEEK = (dt.date.today() - dt.timedelta(days=7)).isoformat()
BODY = {
    "administered_on": LAST_WEEK,
    "kind": "booster",
    "dose_mg": 35.5,
    "administered_at": "09:30",
    "notes": "went well",
}


def infusions_of(account) -> list[Infusion]:
    return db.session.scalars(
        select(Infusion).where(Infusion.patient_id == account.patient.id).order_by(Infusion.id)
    ).all()


def clinic_record(account, clinician) -> Infusion:
    patient = db.session.get(Patient, account.patient.id)
    infusion = diary.create_infusion(
        db.session,
        patient,
        {"administered_on": dt.date.fromisoformat(LAST_WEEK), "kind": InfusionKind.INDUCTION},
        recorded_by=RecordedBy.CLINICIAN,
        recorded_by_account_id=clinician.id,
    )
    db.session.commit()
    return infusion


def test_record_list_change_and_delete_a_self_reported_infusion(client):
    account, tokens = patient_client(client)
    created = client.post(URL, json=BODY, headers=tokens.headers)
    assert created.status_code == 201
    body = created.json
    assert body["kind"] == "booster" and body["dose_mg"] == 35.5
    assert body["recorded_by"] == "patient" and body["administered_at"] == "09:30"
    infusion_id = body["id"]

    listed = client.get(URL, headers=tokens.headers)
    assert [i["id"] for i in listed.json] == [infusion_id]

    patched = client.patch(
        f"{URL}/{infusion_id}",
        json={"kind": "maintenance", "dose_mg": None},
        headers=tokens.headers,
    )
    assert patched.status_code == 200
    assert patched.json["kind"] == "maintenance" and patched.json["dose_mg"] is None
    assert patched.json["version"] == 2

    assert client.delete(f"{URL}/{infusion_id}", headers=tokens.headers).status_code == 204
    assert client.delete(f"{URL}/{infusion_id}", headers=tokens.headers).status_code == 204
    assert client.get(f"{URL}/{infusion_id}", headers=tokens.headers).status_code == 404
    [row] = infusions_of(account)
    assert row.deleted_at is not None and row.notes is None


def test_clinic_recorded_infusion_is_read_only_to_the_patient(client):
    clinic = make_clinic()
    account, tokens = patient_client(client, clinic)
    record = clinic_record(account, make_staff(clinic))

    seen = client.get(f"{URL}/{record.id}", headers=tokens.headers)
    assert seen.status_code == 200 and seen.json["recorded_by"] == "clinician"
    patch = client.patch(f"{URL}/{record.id}", json={"kind": "booster"}, headers=tokens.headers)
    assert patch.status_code == 403
    assert patch.json["message"] == (
        "this infusion was recorded by your clinic and can only be changed by the clinic"
    )
    assert client.delete(f"{URL}/{record.id}", headers=tokens.headers).status_code == 403
    [row] = infusions_of(account)
    assert row.kind.value == "induction" and row.deleted_at is None and row.version == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "top-up"}, "kind"),
        ({"administered_on": "03/02/2026"}, "administered_on"),
        ({"dose_mg": 0}, "dose_mg"),
        ({"dose_mg": "35"}, "dose_mg"),
        ({"dose_mg": 1.5e307}, "dose_mg"),
        ({"dose_mg": 35.555}, "dose_mg"),
        ({"administered_at": "25:00"}, "administered_at"),
        ({"notes": "x" * 2001}, "notes"),
        ({"patient_id": 1}, "patient_id"),
        ({"recorded_by": "clinician"}, "recorded_by"),
    ],
)
def test_invalid_infusions_are_422_and_create_nothing(client, change, field):
    account, tokens = patient_client(client)
    r = client.post(URL, json={**BODY, **change}, headers=tokens.headers)
    assert r.status_code == 422 and field in r.json["errors"]["json"]
    assert infusions_of(account) == []


def test_future_infusion_is_refused(client):
    account, tokens = patient_client(client)
    later = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    r = client.post(URL, json={**BODY, "administered_on": later}, headers=tokens.headers)
    assert r.status_code == 422 and "administered_on" in r.json["errors"]
    assert infusions_of(account) == []


def test_idempotency_key_replay_returns_the_first_response(client):
    account, tokens = patient_client(client)
    headers = {**tokens.headers, "Idempotency-Key": "6f1c-retry-1"}
    first = client.post(URL, json=BODY, headers=headers)
    again = client.post(URL, json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert len(infusions_of(account)) == 1


def test_idempotency_key_with_another_body_is_422(client):
    account, tokens = patient_client(client)
    headers = {**tokens.headers, "Idempotency-Key": "k-1"}
    client.post(URL, json=BODY, headers=headers)
    other = client.post(URL, json={**BODY, "kind": "maintenance"}, headers=headers)
    assert other.status_code == 422
    assert other.json["errors"] == {"Idempotency-Key": ["reused with a different body or endpoint"]}
    assert [i.kind.value for i in infusions_of(account)] == ["booster"]


def test_idempotency_keys_are_per_account(client):
    clinic = make_clinic()
    alice, alice_tokens = patient_client(client, clinic)
    bob, bob_tokens = patient_client(client, clinic)
    for tokens in (alice_tokens, bob_tokens):
        r = client.post(URL, json=BODY, headers={**tokens.headers, "Idempotency-Key": "same"})
        assert r.status_code == 201
    assert len(infusions_of(alice)) == len(infusions_of(bob)) == 1
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 2
