"""Every error is JSON in one shape, with no internals in it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api import me as me_api
from models import db
from models.accounts import AuthSession
from tests.factories import login, make_clinic, make_patient

SHAPE = {"code", "status", "message", "errors"}


def assert_error(response, code: int) -> dict:
    assert response.status_code == code
    assert response.is_json, response.data[:200]
    body = response.json
    assert set(body) == SHAPE and body["code"] == code and body["message"]
    text = response.get_data(as_text=True)
    for leak in ("Traceback", "sqlalchemy", "SELECT ", "INSERT ", 'File "'):
        assert leak not in text
    return body


def test_unknown_route_is_json_404(client):
    body = assert_error(client.get("/api/v1/nothing-here"), 404)
    assert body["status"] == "Not Found"


def test_wrong_method_is_json_405(client):
    assert_error(client.delete("/api/v1/auth/login"), 405)


def test_malformed_json_is_400_and_changes_nothing(client):
    patient = make_patient(make_clinic())
    r = client.post(
        "/api/v1/auth/login",
        data='{"email": "' + patient.email + '",',
        content_type="application/json",
    )
    body = assert_error(r, 400)
    assert body["message"] == "request body is not valid JSON"
    assert db.session.scalars(select(AuthSession)).all() == []


def test_non_json_body_is_415(client):
    r = client.post(
        "/api/v1/auth/login",
        data="email=a&password=b",
        content_type="application/x-www-form-urlencoded",
    )
    body = assert_error(r, 415)
    assert "application/json" in body["message"]


def test_oversized_body_is_413_and_changes_nothing(client, app):
    limit = app.config["MAX_BODY_BYTES"]
    big = '{"email": "a@example.org", "password": "' + "x" * limit + '"}'
    body = assert_error(
        client.post("/api/v1/auth/login", data=big, content_type="application/json"), 413
    )
    assert "MAX_BODY_BYTES" in body["message"]
    assert db.session.scalars(select(AuthSession)).all() == []


def test_missing_required_fields_are_named(client):
    body = assert_error(client.post("/api/v1/auth/login", json={}), 422)
    assert set(body["errors"]["json"]) == {"email", "password"}
    assert "email" in body["message"] and "password" in body["message"]


def test_unexpected_exception_is_a_bare_500(client, monkeypatch):
    patient = make_patient(make_clinic())
    tokens = login(client, patient)

    def explode(*args, **kwargs):
        raise RuntimeError("SELECT pain FROM diary_entries -- secret detail")

    monkeypatch.setattr(me_api.accounts, "update_profile", explode)
    body = assert_error(client.patch("/api/v1/me", json={"name": "X"}, headers=tokens.headers), 500)
    assert "secret detail" not in body["message"]
    assert body["message"] == "internal error; it has been logged"


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/clinic/invites"])
def test_unauthenticated_is_401_json(client, path):
    body = assert_error(client.get(path), 401)
    assert "bearer" in body["message"].lower()
