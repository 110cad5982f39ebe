"""Races on real connections: two registrations for one invite, two refreshes of one token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import db
from models.accounts import Account, AuthSession
from tests.concurrency import race
from tests.factories import login, make_clinic, make_invite, make_patient, make_staff

pytestmark = pytest.mark.committed


def test_one_invite_registers_exactly_one_account(app):
    clinic = make_clinic()
    _, code = make_invite(clinic, make_staff(clinic))

    def register(email):
        body = {
            "email": email,
            "password": "a long password",
            "invite_code": code,
            "timezone": "Europe/Berlin",
        }
        return lambda client: client.post("/api/v1/auth/register", json=body).status_code

    statuses = race(app, [register("a@example.org"), register("b@example.org")])

    assert sorted(statuses) == [201, 422]
    patients = db.session.scalar(
        select(func.count()).select_from(Account).where(Account.role == "patient")
    )
    assert patients == 1


def test_concurrent_reuse_of_a_refresh_token_revokes_the_family(app):
    patient = make_patient(make_clinic())
    token = login(app.test_client(), patient).refresh_token

    def refresh(client):
        return client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code

    statuses = race(app, [refresh, refresh])

    # At most one rotation can win; the loser is a reuse and ends the sign-in.
    assert 401 in statuses
    auth_session = db.session.scalar(select(AuthSession))
    assert auth_session.revoked_reason == "refresh_token_reuse"
