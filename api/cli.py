"""Command-line groups: `flask clinics …` and `flask demo …`."""

from __future__ import annotations

import json
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from jobs import replay
from models import accounts, clinic, db, demo
from models.enums import Role
from models.errors import DomainError

clinics_cli = AppGroup("clinics", help="Manage clinics.")
demo_cli = AppGroup("demo", help="Demo data for development.")


def _fail(error: DomainError) -> None:
    db.session.rollback()
    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.errors.items())
    raise click.ClickException(error.message + (f" ({details})" if details else ""))


@clinics_cli.command("create")
@click.argument("name")
@click.option("--admin-email", required=True, help="email of the clinic's first admin")
@click.option("--admin-password", required=True, help="password of that admin (10+ characters)")
@click.option("--admin-name", default=None)
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone of the clinic")
@click.option("--booking-url", default=None)
@click.option("--booking-phone", default=None)
@click.option("--booking-lead-days", default=7, show_default=True, type=int)
def create_clinic_command(
    name,
    admin_email,
    admin_password,
    admin_name,
    timezone,
    booking_url,
    booking_phone,
    booking_lead_days,
):
    """Create a clinic and its first admin account."""
    if len(admin_password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--admin-password")
    try:
        new = clinic.create_clinic(
            db.session,
            name,
            timezone=timezone,
            booking_url=booking_url,
            booking_phone=booking_phone,
            booking_lead_days=booking_lead_days,
        )
        admin = accounts.create_staff_account(
            db.session,
            new,
            email=admin_email,
            password=admin_password,
            role=Role.ADMIN,
            name=admin_name,
        )
        db.session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"clinic {new.id} {new.name!r} created; admin account {admin.id} <{admin.email}>")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="do nothing when the database has any clinic")
def seed_command(if_empty):
    """Create a demo clinic with staff and patients, and print their logins."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("refusing to seed demo accounts in production")
    if not demo.is_empty(db.session):
        if if_empty:
            click.echo("database already has data; demo not seeded")
            return
        raise click.ClickException("database already has clinics; demo seeds an empty database")
    logins = demo.seed_demo(db.session)
    db.session.commit()
    click.echo("Demo clinic seeded. Logins:")
    for login in logins:
        click.echo(f"  {login['role']:<10} {login['email']:<28} {login['password']}")


detection_cli = AppGroup("detection", help="The wearing-off detection engine.")


@detection_cli.command("replay")
@click.argument("cohort", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="write suggestions here (JSON Lines); default: standard output",
)
@click.option("--workers", type=int, default=None, help="processes to use (default: one per core)")
def replay_command(cohort, out_path, workers):
    """Replay detection day by day over COHORT.jsonl, exactly as the daily scan would."""
    workers = workers or os.cpu_count() or 1
    target = open(out_path, "w") if out_path else sys.stdout  # noqa: SIM115
    written = 0
    try:
        with open(cohort) as lines:
            for suggestion in replay.replay_parallel(lines, workers):
                target.write(json.dumps(suggestion) + "\n")
                written += 1
    except replay.CohortError as error:
        if out_path:
            target.close()
            os.unlink(out_path)
        raise click.ClickException(f"{cohort}: {error}") from None
    if out_path:
        target.close()
        click.echo(f"{written} suggestions written to {out_path}", err=True)
