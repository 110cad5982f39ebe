"""The command line: creating clinics and seeding the demo."""

from __future__ import annotations

from sqlalchemy import func, select

from models import db
from models.accounts import Account
from models.clinic import Clinic
from models.diary import DiaryEntry
from models.enums import Role
from models.suggestions import BoosterSuggestion, PatientAssessment
from tests.factories import make_clinic


def test_clinics_create_makes_clinic_and_admin(app):
    result = app.test_cli_runner().invoke(
        args=[
            "clinics",
            "create",
            "North Pain Centre",
            "--admin-email",
            "Boss@North.example",
            "--admin-password",
            "a long password",
            "--timezone",
            "America/Chicago",
            "--booking-lead-days",
            "10",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "North Pain Centre" in result.output
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == "North Pain Centre"))
    assert clinic.timezone == "America/Chicago" and clinic.booking_lead_days == 10
    admin = db.session.scalar(select(Account).where(Account.email == "boss@north.example"))
    assert admin.role == Role.ADMIN and admin.clinic_id == clinic.id


def test_clinics_create_rejects_bad_timezone_and_creates_nothing(app):
    result = app.test_cli_runner().invoke(
        args=[
            "clinics",
            "create",
            "X",
            "--admin-email",
            "x@example.org",
            "--admin-password",
            "a long password",
            "--timezone",
            "Nowhere/Town",
        ]
    )
    assert result.exit_code != 0 and "time zone" in result.output
    assert db.session.scalar(select(func.count()).select_from(Clinic)) == 0


def test_demo_seed_prints_logins_and_only_seeds_an_empty_database(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "clinician@demo.example" in result.output and "demo-password" in result.output
    roles = [r.value for r in db.session.scalars(select(Account.role)).all()]
    assert roles.count("admin") == 1 and roles.count("clinician") == 1
    assert roles.count("patient") == 12
    # Months of history, scanned: someone is wearing off now and the triage queue is not empty.
    assert db.session.scalar(select(func.count()).select_from(DiaryEntry)) > 12 * 90
    statuses = set(db.session.scalars(select(PatientAssessment.status)).all())
    assert {"wearing_off", "non_responder"} <= statuses
    assert db.session.scalar(select(func.count()).select_from(BoosterSuggestion)) > 0
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "not seeded" in again.output
    assert db.session.scalar(select(func.count()).select_from(Account)) == 14


def test_demo_seed_without_flag_refuses_a_database_with_data(app):
    make_clinic()
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "empty database" in result.output
