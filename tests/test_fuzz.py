"""Property-based fuzzing of the whole API from its own OpenAPI description (schemathesis):
whatever a client sends, the answer is never a server error and always the JSON error shape.

The description comes from an app built for it at import; requests run against the test
database like every other test (the session is bound per test by conftest).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api import create_app
from models.enums import Role
from tests.conftest import app_settings
from tests.factories import login, make_clinic, make_patient, make_staff

describing_app = create_app(app_settings("sqlite://"))
schema = schemathesis.openapi.from_wsgi("/openapi.json", describing_app)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case, app, client):
    clinic = make_clinic()
    patient = make_patient(clinic)
    staff = make_staff(clinic, role=Role.ADMIN)
    role = case.operation.definition.raw.get("x-required-role")
    who = staff if role in ("clinician", "admin") else patient
    response = case.call(
        app=app, headers={"Authorization": f"Bearer {login(client, who).access_token}"}
    )
    case.validate_response(response, checks=(not_a_server_error,))
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "status", "message", "errors"}
