"""The patient's own profile: GET and PATCH /me."""

from __future__ import annotations

import pytest

from models import db
from models.accounts import Patient
from tests.factories import login, make_clinic, make_patient, make_staff


@pytest.fixture
def patient():
    return make_patient(make_clinic(), timezone="Asia/Tokyo")


@pytest.fixture
def tokens(client, patient):
    return login(client, patient)


def stored(patient) -> Patient:
    return db.session.get(Patient, patient.patient.id, populate_existing=True)


def test_get_profile_has_clinic_and_defaults(client, patient, tokens):
    r = client.get("/api/v1/me", headers=tokens.headers)
    assert r.status_code == 200
    body = r.json
    assert body["email"] == patient.email and body["timezone"] == "Asia/Tokyo"
    assert body["reminder_time"] == "20:00" and body["reminders_enabled"] is True
    assert body["quiet_hours_start"] is None and body["clinic"]["id"] == patient.clinic_id
    assert r.headers["ETag"] == '"profile-1"'
    assert r.headers["Cache-Control"] == "no-store"


def test_patch_changes_only_given_fields(client, patient, tokens):
    r = client.patch(
        "/api/v1/me",
        headers=tokens.headers,
        json={
            "timezone": "America/Los_Angeles",
            "quiet_hours_start": "22:30",
            "quiet_hours_end": "07:00",
            "condition": "crps",
            "name": "Pat New",
        },
    )
    assert r.status_code == 200
    assert r.json["timezone"] == "America/Los_Angeles" and r.json["quiet_hours_end"] == "07:00"
    assert r.json["name"] == "Pat New" and r.json["reminder_time"] == "20:00"
    assert r.headers["ETag"] == '"profile-2"'
    row = stored(patient)
    assert row.timezone == "America/Los_Angeles" and row.condition.value == "crps"
    assert row.quiet_hours_start.hour == 22 and row.quiet_hours_start.minute == 30


def test_patch_with_same_values_keeps_the_version(client, patient, tokens):
    r = client.patch("/api/v1/me", headers=tokens.headers, json={"timezone": "Asia/Tokyo"})
    assert r.status_code == 200 and r.headers["ETag"] == '"profile-1"'
    assert stored(patient).version == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"timezone": "localtime"}, "timezone"),
        ({"reminder_time": "25:00"}, "reminder_time"),
        ({"reminder_time": "8am"}, "reminder_time"),
        ({"reminders_enabled": "sometimes"}, "reminders_enabled"),
        ({"condition": "flu"}, "condition"),
        ({"email": "new@example.org"}, "email"),
    ],
)
def test_invalid_patch_names_the_field_and_changes_nothing(client, patient, tokens, body, field):
    r = client.patch("/api/v1/me", headers=tokens.headers, json=body)
    assert r.status_code == 422
    assert field in r.json["errors"]["json"] and field in r.json["message"]
    row = stored(patient)
    assert row.timezone == "Asia/Tokyo" and row.version == 1 and row.condition is None


def test_quiet_hours_need_both_ends(client, patient, tokens):
    r = client.patch("/api/v1/me", headers=tokens.headers, json={"quiet_hours_start": "22:00"})
    assert r.status_code == 422
    assert r.json["errors"] == {"quiet_hours_end": ["set both or neither"]}
    assert stored(patient).quiet_hours_start is None


def test_stale_if_match_is_412_and_current_one_works(client, patient, tokens):
    first = client.patch("/api/v1/me", headers=tokens.headers, json={"reminder_time": "09:00"})
    etag = first.headers["ETag"]
    stale = client.patch(
        "/api/v1/me",
        json={"reminder_time": "10:00"},
        headers={**tokens.headers, "If-Match": '"profile-1"'},
    )
    assert stale.status_code == 412
    assert stored(patient).reminder_time.hour == 9
    fresh = client.patch(
        "/api/v1/me", json={"reminder_time": "10:00"}, headers={**tokens.headers, "If-Match": etag}
    )
    assert fresh.status_code == 200 and fresh.json["reminder_time"] == "10:00"


def test_clinician_gets_403_on_patient_profile(client):
    staff = make_staff(make_clinic())
    r = client.get("/api/v1/me", headers=login(client, staff).headers)
    assert r.status_code == 403 and r.json["message"] == "this endpoint is for patient accounts"
