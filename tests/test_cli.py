"""The command line: creating clinics and seeding the demo."""

from __future__ import annotations

from sqlalchemy import func, select

from models import db
from models.accounts import Account
from models.clinic import Clinic
from models.enums import Role
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
    roles = db.session.scalars(select(Account.role)).all()
    assert sorted(r.value for r in roles) == ["admin", "clinician", "patient", "patient"]
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "not seeded" in again.output
    assert db.session.scalar(select(func.count()).select_from(Account)) == 4


def test_demo_seed_without_flag_refuses_a_database_with_data(app):
    make_clinic()
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "empty database" in result.output
