"""The API description, the docs page, and the role matrix generated from the spec."""

from __future__ import annotations

import re

import pytest

from models.enums import Role
from tests.factories import login, make_clinic, make_patient, make_staff

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json


def operations(spec):
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                op = item[method]
                yield path, method, {**op, "parameters": shared + op.get("parameters", [])}


def test_health_reports_the_database(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "ok"}


def test_docs_page_and_its_assets_are_served_locally(client):
    page = client.get("/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.data
    assert b"/docs/assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000


def test_every_operation_is_documented_with_summary_and_security(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    public = {
        ("/health", "get"),
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
    }
    for path, method, op in operations(spec):
        assert op.get("summary"), (path, method)
        if (path, method) in public:
            assert "security" not in op, (path, method)
        else:
            assert op["security"] == [{"bearerAuth": []}], (path, method)
            assert "401" in op["responses"], (path, method)
            assert op.get("x-required-role") in {r.value for r in Role}, (path, method)
            assert "403" in op["responses"], (path, method)


SAMPLE_BY_FORMAT = {"date": "2026-01-01"}


def _concrete(path: str, op: dict) -> str:
    """The path with each parameter filled by a well-formed value of its type."""
    formats = {p["name"]: p.get("schema", {}).get("format") for p in op.get("parameters", [])}
    return re.sub(r"\{([^}]+)\}", lambda m: SAMPLE_BY_FORMAT.get(formats.get(m[1]), "1"), path)


def test_role_matrix_generated_from_the_spec(client, spec):
    """Every protected operation: no token → 401, a token of a role it is not for → 403.

    Built from /openapi.json, so an endpoint added later is covered without editing this test.
    """
    clinic = make_clinic()
    tokens = {
        Role.PATIENT: login(client, make_patient(clinic)),
        Role.CLINICIAN: login(client, make_staff(clinic, Role.CLINICIAN)),
        Role.ADMIN: login(client, make_staff(clinic, Role.ADMIN)),
    }
    allowed = {
        "patient": {Role.PATIENT},
        "clinician": {Role.CLINICIAN, Role.ADMIN},
        "admin": {Role.ADMIN},
    }
    checked = 0
    for path, method, op in operations(spec):
        required = op.get("x-required-role")
        if required is None:
            continue
        url = _concrete(path, op)
        call = getattr(client, method)
        anonymous = call(url, json={}) if method in ("post", "put", "patch") else call(url)
        assert anonymous.status_code == 401, (method, path)
        for role, session in tokens.items():
            if role in allowed[required]:
                continue
            kwargs = {"headers": session.headers}
            if method in ("post", "put", "patch"):
                kwargs["json"] = {}
            r = call(url, **kwargs)
            assert r.status_code == 403, (method, path, role)
            assert r.json["message"] == f"this endpoint is for {required} accounts"
            checked += 1
    assert checked >= 4
