"""Command-line groups: `flask clinics …` and `flask demo …`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.serving import run_simple

from jobs import cohort, push, replay, runner, scan, scheduler
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
    """Create a demo clinic (admin, clinician, a dozen patients with months of history),
    scan it, and print the logins."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("refusing to seed demo accounts in production")
    if not demo.is_empty(db.session):
        if if_empty:
            click.echo("database already has data; demo not seeded")
            return
        raise click.ClickException("database already has clinics; demo seeds an empty database")
    today = dt.datetime.now(dt.UTC).date()
    logins = demo.seed_demo(db.session, cohort.demo_patients(today))
    db.session.commit()
    settings = current_app.extensions["settings"]
    scan.run_scan(db.SessionFactory, dt.datetime.now(dt.UTC), settings.job_settings(), as_of=today)
    click.echo("Demo clinic seeded and scanned. Logins (all with the same password):")
    for login in logins:
        click.echo(
            f"  {login['role']:<10} {login['email']:<28} {login['password']}  {login['note']}"
        )


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


jobs_cli = AppGroup("jobs", help="Scheduled jobs: scan, reminders, dispatch, expire.")
dev_cli = AppGroup("dev", help="Development helpers.")


def _job_runner():
    settings = current_app.extensions["settings"]
    cfg = settings.job_settings()
    providers = push.build_providers(cfg)
    engine = current_app.extensions["engine"]

    def run(name: str, **kwargs):
        try:
            return runner.run_job(name, engine, cfg, providers, **kwargs)
        except Exception:
            # A failed run is logged and retried at the next trigger; the scheduler lives on.
            logging.getLogger("infusion_diary.jobs").exception("job %s failed", name)
            return None

    return run


@jobs_cli.command("run")
def jobs_run_command():
    """Run the scheduler in this process (production: its own process, never in gunicorn)."""
    click.echo("scheduler starting (UTC); stop with Ctrl-C")
    scheduler.build_scheduler(_job_runner(), blocking=True).start()


@jobs_cli.command("once")
@click.argument("job", type=click.Choice(runner.JOBS))
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="scan: evaluate every patient for this local date (YYYY-MM-DD); other "
    "jobs: act as if it were noon UTC that day",
)
def jobs_once_command(job, as_of):
    """Run one job once, now."""
    kwargs = {}
    if as_of:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None
        kwargs["now"] = dt.datetime.combine(day, dt.time(12), dt.UTC)
        if job == "scan":
            kwargs["as_of"] = day
    result = _job_runner()(job, **kwargs)
    if result is None:
        raise click.ClickException(
            f"{job} did not run (another process holds its lock, or it failed: see the log)"
        )
    click.echo(json.dumps({"job": job, **result}))


@dev_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def dev_serve_command(host, port):
    """The development server with the scheduler inside it (one process, no reloader)."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("use gunicorn and `flask jobs run` in production")
    jobs = scheduler.build_scheduler(_job_runner(), blocking=False)
    jobs.start()
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
    finally:
        jobs.shutdown(wait=False)
