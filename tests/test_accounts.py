"""Registration, login, refresh rotation, logout, throttling and access-token checks."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from sqlalchemy import func, select

from api.auth import _signing_key
from models import db
from models.accounts import Account, AuthSession, LoginThrottle, Patient, RefreshToken
from models.clinic import Invite
from models.enums import Role
from tests.factories import (
    PASSWORD,
    login,
    make_clinic,
    make_invite,
    make_patient,
    make_staff,
    reload,
)

REGISTER = "/api/v1/auth/register"


@pytest.fixture
def clinic():
    return make_clinic()


@pytest.fixture
def clinician(clinic):
    return make_staff(clinic)


def register(client, code, email="new.patient@example.org", **extra):
    body = {
        "email": email,
        "password": "a long password",
        "invite_code": code,
        "timezone": "America/Los_Angeles",
        **extra,
    }
    return client.post(REGISTER, json=body)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_register_with_invite_creates_patient_and_uses_the_invite(client, clinic, clinician):
    invite, code = make_invite(clinic, clinician)

    response = register(
        client, code.lower().replace("-", " "), email="New.Patient@Example.org", name="Nora"
    )

    assert response.status_code == 201
    body = response.json
    assert body["email"] == "new.patient@example.org"
    assert body["role"] == "patient" and body["clinic_id"] == clinic.id and body["name"] == "Nora"
    assert "password" not in body and "password_hash" not in body
    account = db.session.get(Account, body["id"])
    assert account.password_hash.startswith("$argon2id$")
    patient = db.session.scalar(select(Patient).where(Patient.account_id == account.id))
    assert patient.timezone == "America/Los_Angeles" and patient.clinic_id == clinic.id
    invite = reload(invite)
    assert invite.used_at is not None and invite.used_by_id == account.id


def test_new_patient_logs_in_and_reads_and_changes_profile(client, clinic, clinician):
    _, code = make_invite(clinic, clinician)
    assert register(client, code).status_code == 201
    tokens = login(client, "new.patient@example.org", "a long password")

    me = client.get("/api/v1/me", headers=tokens.headers)
    assert me.status_code == 200 and me.json["timezone"] == "America/Los_Angeles"
    changed = client.patch("/api/v1/me", json={"reminder_time": "08:15"}, headers=tokens.headers)
    assert changed.status_code == 200 and changed.json["reminder_time"] == "08:15"


def test_invite_cannot_be_used_twice(client, clinic, clinician):
    _, code = make_invite(clinic, clinician)
    assert register(client, code, email="first@example.org").status_code == 201

    second = register(client, code, email="second@example.org")

    assert second.status_code == 422
    assert second.json["errors"] == {"invite_code": ["already used"]}
    assert db.session.scalar(select(Account).where(Account.email == "second@example.org")) is None


def test_expired_invite_is_refused(client, clinic, clinician):
    invite, code = make_invite(clinic, clinician)
    invite.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    before = count(Account)

    response = register(client, code)

    assert response.status_code == 422
    assert response.json["errors"] == {"invite_code": ["expired"]}
    assert count(Account) == before


def test_unknown_invite_code_is_refused(client, clinic):
    response = register(client, "AAAA-BBBB-CCCC")
    assert response.status_code == 422
    assert response.json["errors"] == {"invite_code": ["unknown invite code"]}
    assert count(Account) == 0


def test_invite_bound_to_an_email_only_admits_that_email(client, clinic, clinician):
    invite, code = make_invite(clinic, clinician, email="Invited@Example.org")
    wrong = register(client, code, email="someone.else@example.org")
    assert wrong.status_code == 422 and "email" in wrong.json["errors"]
    assert reload(invite).used_at is None
    assert register(client, code, email="invited@EXAMPLE.org").status_code == 201


def test_same_email_in_other_letter_case_is_a_conflict(client, clinic, clinician):
    make_patient(clinic, email="taken@example.org")
    _, code = make_invite(clinic, clinician)

    response = register(client, code, email="TAKEN@Example.ORG")

    assert response.status_code == 409
    assert response.json["errors"] == {"email": ["already registered"]}
    assert count(Account) == 2  # the clinician and the first patient
    invite = db.session.scalar(select(Invite))
    assert invite.used_at is None  # the failed attempt did not burn the invite


def test_patient_registration_requires_a_valid_timezone(client, clinic, clinician):
    _, code = make_invite(clinic, clinician)
    bad = register(client, code, timezone="Mars/Olympus_Mons")
    assert bad.status_code == 422 and "timezone" in bad.json["errors"]["json"]
    missing = client.post(
        REGISTER,
        json={"email": "x@example.org", "password": "a long password", "invite_code": code},
    )
    assert missing.status_code == 422 and missing.json["errors"] == {
        "timezone": ["required for patients"]
    }
    assert count(Patient) == 0


def test_register_rejects_short_password_and_unknown_fields(client, clinic, clinician):
    _, code = make_invite(clinic, clinician)
    short = register(client, code, password="short")
    assert short.status_code == 422 and "password" in short.json["errors"]["json"]
    extra = register(client, code, role="admin")
    assert extra.status_code == 422
    assert extra.json["errors"]["json"] == {"role": ["Unknown field."]}
    assert "role" in extra.json["message"]
    assert count(Patient) == 0


def test_admin_invites_staff_who_register_without_timezone(client, clinic):
    admin = make_staff(clinic, Role.ADMIN)
    tokens = login(client, admin)
    created = client.post(
        "/api/v1/clinic/invites", json={"role": "clinician"}, headers=tokens.headers
    )
    assert created.status_code == 201 and created.json["role"] == "clinician"

    response = client.post(
        REGISTER,
        json={
            "email": "doc@example.org",
            "password": "a long password",
            "invite_code": created.json["code"],
        },
    )

    assert response.status_code == 201 and response.json["role"] == "clinician"
    account = db.session.get(Account, response.json["id"])
    assert account.role == Role.CLINICIAN and account.patient is None


def test_clinician_cannot_invite_staff(client, clinic, clinician):
    tokens = login(client, clinician)
    response = client.post("/api/v1/clinic/invites", json={"role": "admin"}, headers=tokens.headers)
    assert response.status_code == 403
    assert response.json["errors"] == {"role": ["admin only"]}
    assert count(Invite) == 0


def test_login_returns_tokens_and_role(client, clinic):
    patient = make_patient(clinic)
    response = client.post(
        "/api/v1/auth/login", json={"email": patient.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json
    assert body["role"] == "patient" and body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 900 and claims["sub"] == str(patient.id)
    assert response.headers["Cache-Control"] == "no-store"
    assert count(AuthSession) == 1 and count(RefreshToken) == 1


def test_wrong_password_and_unknown_email_look_the_same(client, clinic):
    patient = make_patient(clinic)
    wrong = client.post("/api/v1/auth/login", json={"email": patient.email, "password": "nope"})
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "ghost@example.org", "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"] == "email or password is wrong"
    assert "access_token" not in wrong.json
    throttle = db.session.get(LoginThrottle, "email:" + patient.email)
    assert throttle.failures == 1
    assert count(AuthSession) == 0


def test_login_is_throttled_after_repeated_failures(client, app, clinic):
    patient = make_patient(clinic)
    limit = app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]
    for _ in range(limit):
        r = client.post("/api/v1/auth/login", json={"email": patient.email, "password": "wrong"})
        assert r.status_code == 401

    blocked = client.post("/api/v1/auth/login", json={"email": patient.email, "password": PASSWORD})

    assert blocked.status_code == 429
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= app.config["LOGIN_THROTTLE_WINDOW_SECONDS"]
    assert "try again later" in blocked.json["message"]
    assert count(AuthSession) == 0  # even the right password does not sign in while blocked
    # Another account is not affected by this email's lock.
    other = make_patient(clinic)
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": other.email, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_successful_login_clears_the_email_counter(client, clinic):
    patient = make_patient(clinic)
    client.post("/api/v1/auth/login", json={"email": patient.email, "password": "wrong"})
    login(client, patient)
    assert db.session.get(LoginThrottle, "email:" + patient.email) is None


def test_disabled_account_cannot_log_in_or_use_its_tokens(client, clinic):
    patient = make_patient(clinic)
    tokens = login(client, patient)
    reload(patient).disabled = True
    db.session.commit()
    assert client.get("/api/v1/me", headers=tokens.headers).status_code == 401
    r = client.post("/api/v1/auth/login", json={"email": patient.email, "password": PASSWORD})
    assert r.status_code == 401


def test_refresh_rotates_the_token(client, clinic):
    patient = make_patient(clinic)
    first = login(client, patient)

    response = client.post("/api/v1/auth/refresh", json={"refresh_token": first.refresh_token})

    assert response.status_code == 200
    assert response.json["refresh_token"] != first.refresh_token
    new_headers = {"Authorization": f"Bearer {response.json['access_token']}"}
    assert client.get("/api/v1/me", headers=new_headers).status_code == 200
    tokens = db.session.scalars(select(RefreshToken).order_by(RefreshToken.id)).all()
    assert len(tokens) == 2 and tokens[0].used_at is not None and tokens[1].used_at is None
    assert tokens[0].session_id == tokens[1].session_id


def test_reused_refresh_token_revokes_the_whole_family(client, clinic):
    patient = make_patient(clinic)
    first = login(client, patient)
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": first.refresh_token}).json

    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first.refresh_token})

    assert replay.status_code == 401 and "already used" in replay.json["message"]
    auth_session = db.session.scalar(select(AuthSession))
    assert auth_session.revoked_at is not None
    assert auth_session.revoked_reason == "refresh_token_reuse"
    # The thief's and the owner's newer tokens are dead too.
    later = client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert later.status_code == 401
    headers = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    # Another sign-in of the same patient is untouched.
    other = login(client, patient)
    assert client.get("/api/v1/me", headers=other.headers).status_code == 200


def test_expired_refresh_token_is_refused(client, clinic):
    patient = make_patient(clinic)
    tokens = login(client, patient)
    row = db.session.scalar(select(RefreshToken))
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens.refresh_token})
    assert r.status_code == 401 and "expired" in r.json["message"]


def test_logout_ends_refresh_and_access_tokens_at_once(client, clinic):
    patient = make_patient(clinic)
    tokens = login(client, patient)

    out = client.post("/api/v1/auth/logout", json={"refresh_token": tokens.refresh_token})

    assert out.status_code == 204
    assert db.session.scalar(select(AuthSession)).revoked_reason == "logout"
    assert client.get("/api/v1/me", headers=tokens.headers).status_code == 401
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens.refresh_token})
    assert again.status_code == 401
    # Logging out twice (a retry) is fine.
    assert (
        client.post("/api/v1/auth/logout", json={"refresh_token": tokens.refresh_token}).status_code
        == 204
    )


def _forge(claims: dict, key: bytes | str, algorithm: str = "HS256") -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode(claims, key, algorithm=algorithm)}


def _claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_expired_access_token_is_refused(client, app, clinic):
    patient = make_patient(clinic)
    claims = _claims_of(login(client, patient).access_token)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims.update(iat=now - 2000, nbf=now - 2000, exp=now - 1000)
    with app.app_context():
        headers = _forge(claims, _signing_key())
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json["message"] == "access token has expired; refresh it"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_tampered_access_token_is_refused(client, clinic):
    patient = make_patient(clinic)
    other = make_patient(clinic)
    token = login(client, patient).access_token
    header, payload, signature = token.split(".")
    forged_claims = _claims_of(token) | {"sub": str(other.id)}
    forged_payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(forged_claims).encode())
    forged = ".".join([header, forged_payload.decode(), signature])
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json["message"] == "access token is not valid"
    assert "email" not in r.json


def test_alg_none_token_is_refused(client, clinic):
    patient = make_patient(clinic)
    claims = _claims_of(login(client, patient).access_token)
    unsigned = jwt.encode(claims, None, algorithm="none")
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {unsigned}"})
    assert r.status_code == 401 and r.json["message"] == "access token is not valid"


def test_token_signed_with_another_key_is_refused(client, clinic):
    patient = make_patient(clinic)
    claims = _claims_of(login(client, patient).access_token)
    r = client.get("/api/v1/me", headers=_forge(claims, "some-other-secret-key-32-bytes-long!"))
    assert r.status_code == 401


def test_missing_or_malformed_authorization_header(client):
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not.a.jwt"},
    ):
        r = client.get("/api/v1/me", headers=headers)
        assert r.status_code == 401, headers
        assert r.json["code"] == 401 and r.json["message"]


def test_role_change_invalidates_old_tokens(client, clinic):
    staff = make_staff(clinic)
    tokens = login(client, staff)
    reload(staff).role = Role.ADMIN
    db.session.commit()
    r = client.get("/api/v1/clinic/invites", headers=tokens.headers)
    assert r.status_code == 401
