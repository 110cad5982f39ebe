"""Time a full daily scan on PostgreSQL against one raw SQL aggregate over the same rows.

    python -m bench.scan_bench [--patients 100000] [--days 120] [--url postgresql://…]

Builds (once) a database `infusion_bench` with N patients and `days` days of entries each
(about 85 % of days logged; a baseline, an infusion, relief, and for a third of patients a
return), then in the same run times (1) `SELECT patient_id, count(*), avg(...) … GROUP BY
patient_id` over those entries — the machine's ceiling for reading them — and (2) the scan job
evaluating every patient, and prints both, their ratio and the scan's peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time

import flask_migrate
import psycopg
from sqlalchemy import text

from api import create_app
from jobs.scan import run_scan
from jobs.settings import JobSettings
from models import db

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/infusion_bench"


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    admin = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def populate(url: str, patients: int, days: int, today: dt.date) -> None:
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw) as conn:
        have = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        if have >= patients:
            print(f"database already has {have} patients")
            return
        conn.execute(
            "TRUNCATE clinics, accounts, patients, diary_entries, infusions, "
            "patient_assessments, booster_suggestions, notifications RESTART IDENTITY "
            "CASCADE"
        )
        # Written "yesterday": data older than the scan's checkpoints, as in steady state.
        now = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
        conn.execute(
            "INSERT INTO clinics (name, timezone, booking_lead_days, detection_settings,"
            " created_at, updated_at) VALUES ('Bench', 'Europe/Berlin', 7, '{}', %s, %s)",
            (now, now),
        )
        started = time.perf_counter()
        with conn.cursor().copy(
            "COPY accounts (clinic_id, email, password_hash, role, disabled, created_at) FROM STDIN"
        ) as copy:
            for n in range(1, patients + 1):
                copy.write_row((1, f"bench{n}@example.org", "x", "patient", False, now))
        with conn.cursor().copy(
            "COPY patients (account_id, clinic_id, timezone, reminder_time,"
            " reminders_enabled, suggestion_push_enabled, sync_seq, version,"
            " created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(1, patients + 1):
                copy.write_row((n, 1, "Europe/Berlin", "20:00", True, True, 0, 1, now, now))
        first = today - dt.timedelta(days=days - 1)
        rng = random.Random(11)
        with conn.cursor().copy(
            "COPY infusions (patient_id, administered_on, kind, recorded_by,"
            " version, sync_seq, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(1, patients + 1):
                copy.write_row(
                    (n, first + dt.timedelta(days=20), "booster", "clinician", 1, 0, now, now)
                )
        with conn.cursor().copy(
            "COPY diary_entries (patient_id, entry_date, pain, fatigue, "
            "mood, sleep_quality, side_effects, version, sync_seq, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(1, patients + 1):
                fades = n % 3 == 0
                fade_day = rng.randint(60, days - 5)
                for d in range(days):
                    if rng.random() < 0.15:
                        continue
                    if d < 20:
                        state = 1.0
                    elif d < 23:
                        state = 0.5
                    elif fades and d >= fade_day:
                        state = min(1.0, (d - fade_day + 1) / 6)
                    else:
                        state = 0.0
                    values = [
                        min(10, max(0, round(base - gain * (1 - state) + rng.gauss(0, 1.2))))
                        for base, gain in ((7, 4), (6, 3), (6, 3), (6, 3))
                    ]
                    copy.write_row(
                        (
                            n,
                            first + dt.timedelta(days=d),
                            values[0],
                            values[1],
                            10 - values[2],
                            10 - values[3],
                            "[]",
                            1,
                            0,
                            now,
                            now,
                        )
                    )
        conn.commit()
        conn.execute("ANALYZE")
        print(
            f"populated {patients} patients x {days} days in {time.perf_counter() - started:.0f} s"
        )


def _aggregate(conn, today: dt.date) -> float:
    """The machine's ceiling for reading the scan's rows: one GROUP BY over all of them."""
    started = time.perf_counter()
    conn.execute(
        text(
            "SELECT patient_id, count(*), avg(pain), avg(fatigue), avg(mood), "
            "avg(sleep_quality) FROM diary_entries WHERE entry_date >= :since "
            "GROUP BY patient_id"
        ),
        {"since": today - dt.timedelta(days=365)},
    ).all()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--day-offset", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument(
        "--next-day-only",
        action="store_true",
        help="after a full run: only time the next day's (resumed) scan",
    )
    args = parser.parse_args()
    today = dt.date.today()
    ensure_database(args.url)
    app = create_app({"DATABASE_URL": args.url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        flask_migrate.upgrade()
    populate(args.url, args.patients, args.days, today)
    engine = app.extensions["engine"]
    if args.next_day_only:
        with engine.connect() as conn:
            aggregate = _aggregate(conn, today)
        next_day(args, aggregate, today)
        return 0
    with engine.connect() as conn:
        conn.execute(text("TRUNCATE patient_assessments, booster_suggestions, notifications"))
        conn.commit()
        aggregate = _aggregate(conn, today)
        entries = conn.execute(text("SELECT count(*) FROM diary_entries")).scalar()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    counts = run_scan(db.SessionFactory, dt.datetime.now(dt.UTC), JobSettings(), as_of=today)
    scan = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.patients} patients, {entries} entries")
    print(f"  raw SQL aggregate (ceiling): {aggregate:7.2f} s")
    print(
        f"  full scan:                   {scan:7.2f} s  ({scan / aggregate:.1f}x the "
        f"aggregate; target 5x)"
    )
    print(
        f"  evaluated {counts.patients_evaluated}, suggestions {counts.suggestions_created}, "
        f"notifications {counts.notifications_enqueued}"
    )
    print(
        f"  peak memory: {peak_mib:.0f} MiB (before the scan {before / 1024:.0f} MiB; "
        "target < 1024)"
    )
    next_day(args, aggregate, today)
    return 0


def next_day(args, aggregate: float, today: dt.date) -> None:
    """The next day: 85 % log, and the scan resumes from yesterday's checkpoints."""
    tomorrow = today + dt.timedelta(days=args.day_offset)
    add_day(args.url, args.patients, tomorrow)
    started = time.perf_counter()
    warm = run_scan(db.SessionFactory, dt.datetime.now(dt.UTC), JobSettings(), as_of=tomorrow)
    elapsed = time.perf_counter() - started
    print(
        f"  next day's scan:             {elapsed:7.2f} s  ({elapsed / aggregate:.1f}x the "
        f"aggregate; {warm.patients_resumed} of {warm.patients_evaluated} resumed from a "
        "checkpoint)"
    )
    print(f"  peak memory now: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def add_day(url: str, patients: int, day: dt.date) -> None:
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    rng = random.Random(day.toordinal())
    now = dt.datetime.now(dt.UTC).isoformat()
    with psycopg.connect(raw) as conn:
        conn.execute("DELETE FROM diary_entries WHERE entry_date >= %s", (day,))
        copy_sql = (
            "COPY diary_entries (patient_id, entry_date, pain, fatigue, mood, sleep_quality, "
            "side_effects, version, sync_seq, created_at, updated_at) FROM STDIN"
        )
        with conn.cursor().copy(copy_sql) as copy:
            for n in range(1, patients + 1):
                if rng.random() < 0.15:
                    continue
                copy.write_row(
                    (
                        n,
                        day,
                        rng.randint(2, 8),
                        rng.randint(2, 7),
                        rng.randint(3, 8),
                        rng.randint(3, 8),
                        "[]",
                        1,
                        0,
                        now,
                        now,
                    )
                )
        conn.commit()


if __name__ == "__main__":
    sys.exit(main())
