"""Clinic invites: creation, listing, and tenant isolation."""

from __future__ import annotations

from sqlalchemy import select

from models import db
from models.clinic import Invite, hash_invite_code
from models.enums import Role
from tests.factories import login, make_clinic, make_invite, make_patient, make_staff


def test_create_invite_stores_only_a_hash_of_the_code(client):
    clinic = make_clinic()
    tokens = login(client, make_staff(clinic))
    r = client.post(
        "/api/v1/clinic/invites",
        headers=tokens.headers,
        json={"email": "Someone@Example.org", "expires_in_days": 3, "note": "Room 2"},
    )
    assert r.status_code == 201
    body = r.json
    assert body["role"] == "patient" and body["status"] == "pending"
    assert body["email"] == "someone@example.org" and body["note"] == "Room 2"
    code = body["code"]
    assert len(code.replace("-", "")) == 12 and body["code_hint"] == code[-4:]
    row = db.session.get(Invite, body["id"])
    assert row.code_hash == hash_invite_code(code) and code not in row.code_hash
    assert (row.expires_at - row.created_at).days == 3


def test_invite_validation_changes_nothing(client):
    clinic = make_clinic()
    tokens = login(client, make_staff(clinic))
    r = client.post(
        "/api/v1/clinic/invites",
        headers=tokens.headers,
        json={"expires_in_days": 365, "role": "superuser"},
    )
    assert r.status_code == 422
    assert set(r.json["errors"]["json"]) == {"expires_in_days", "role"}
    assert db.session.scalars(select(Invite)).all() == []


def test_list_shows_own_clinic_only_without_codes(client):
    clinic, other = make_clinic(), make_clinic()
    admin = make_staff(clinic, Role.ADMIN)
    stranger = make_staff(other)
    mine, _ = make_invite(clinic, admin)
    make_invite(clinic, admin, role=Role.CLINICIAN)
    make_invite(other, stranger)

    r = client.get("/api/v1/clinic/invites?page_size=1", headers=login(client, admin).headers)

    assert r.status_code == 200
    assert len(r.json) == 1 and "code" not in r.json[0]
    assert r.json[0]["role"] == "clinician"  # newest first
    assert '"total": 2' in r.headers["X-Pagination"]
    page2 = client.get(
        "/api/v1/clinic/invites?page=2&page_size=1", headers=login(client, admin).headers
    )
    assert [i["id"] for i in page2.json] == [mine.id]


def test_patient_cannot_use_invite_endpoints(client):
    clinic = make_clinic()
    tokens = login(client, make_patient(clinic))
    assert client.get("/api/v1/clinic/invites", headers=tokens.headers).status_code == 403
    r = client.post("/api/v1/clinic/invites", headers=tokens.headers, json={})
    assert r.status_code == 403
    assert db.session.scalars(select(Invite)).all() == []
