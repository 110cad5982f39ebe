"""The scheduled jobs against the database: scan, reminders, expire, locks, scheduler."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from sqlalchemy import event, func, select

from api import create_app
from jobs import scheduler
from jobs.dispatch import run_dispatch
from jobs.expire import run_expire
from jobs.push import LogProvider
from jobs.reminders import in_quiet_hours, run_reminders
from jobs.scan import run_scan
from jobs.settings import JobSettings
from models import db, diary, suggestions
from models.accounts import Patient
from models.diary import DiaryEntry, Infusion
from models.enums import SuggestionKind
from models.idempotency import IdempotencyKey
from models.locks import job_lock
from models.notifications import Notification
from models.suggestions import BoosterSuggestion, PatientAssessment
from tests.conftest import app_settings
from tests.factories import ENTRY, make_clinic, patient_client
from tests.jobs_data import fill_fading_diary

CFG = JobSettings()
TODAY = dt.date.today()


def fcm(client, tokens, tail="a"):
    r = client.post(
        "/api/v1/me/devices",
        json={"platform": "fcm", "token": "ok-" + tail * 30},
        headers=tokens.headers,
    )
    assert r.status_code == 201


def scan_as_of(day: dt.date):
    now = dt.datetime.combine(day, dt.time(12), dt.UTC)
    return run_scan(db.SessionFactory, now, CFG, as_of=day)


def rows(model, **where):
    query = select(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalars(query.execution_options(populate_existing=True)).all()


def test_scan_raises_one_suggestion_as_relief_fades_and_enqueues_its_push(client):
    account, tokens = patient_client(client)
    fcm(client, tokens)
    booster = fill_fading_diary(account, TODAY, fade_from=8)
    pid = account.patient.id

    created_on = []
    for back in range(14, -1, -1):
        counts = scan_as_of(TODAY - dt.timedelta(days=back))
        assert counts.patients_evaluated == 1
        if counts.suggestions_created:
            created_on.append(TODAY - dt.timedelta(days=back))

    [suggestion] = rows(BoosterSuggestion, patient_id=pid)
    assert len(created_on) == 1 and suggestion.raised_on == created_on[0]
    assert suggestion.kind == SuggestionKind.WEARING_OFF and suggestion.cycle_start == booster
    assert TODAY - dt.timedelta(days=8) <= suggestion.raised_on <= TODAY - dt.timedelta(days=4)
    assert suggestion.evidence["baseline"]["pain"] == pytest.approx(7, abs=0.5)
    [assessment] = rows(PatientAssessment, patient_id=pid)
    assert assessment.local_date == TODAY and assessment.status == "wearing_off"
    [push] = rows(Notification, patient_id=pid)
    assert push.kind == "wearing_off" and push.dedupe_key.startswith(f"suggestion:{suggestion.id}")
    assert push.payload["link"] == f"/suggestions/{suggestion.id}"
    # The patient sees it through sync, and a rerun of today's scan does nothing.
    synced = client.get("/api/v1/me/sync", headers=tokens.headers).json
    assert [s["id"] for s in synced["suggestions"]] == [suggestion.id]
    again = scan_as_of(TODAY)
    assert again.patients_evaluated == 0 and again.suggestions_created == 0


def test_scan_waits_for_each_patients_local_morning(client):
    clinic = make_clinic()
    tokyo, _ = patient_client(client, clinic, timezone="Asia/Tokyo")
    la, _ = patient_client(client, clinic, timezone="America/Los_Angeles")
    # 22:00 UTC: 07:00 next day in Tokyo (morning has come), 14:00 in Los Angeles.
    instant = dt.datetime.combine(TODAY, dt.time(22), dt.UTC)
    run_scan(db.SessionFactory, instant, CFG)
    tokyo_row = rows(PatientAssessment, patient_id=tokyo.patient.id)
    la_row = rows(PatientAssessment, patient_id=la.patient.id)
    assert tokyo_row[0].local_date == TODAY + dt.timedelta(days=1)
    assert la_row[0].local_date == TODAY
    # 13:00 UTC: 05:00 in Los Angeles, before its morning; Tokyo already done for the day.
    early = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(13), dt.UTC)
    counts = run_scan(db.SessionFactory, early, CFG)
    assert counts.patients_evaluated == 0


def test_scan_after_downtime_catches_up_once(client):
    account, tokens = patient_client(client)
    fill_fading_diary(account, TODAY, fade_from=8)
    scan_as_of(TODAY - dt.timedelta(days=12))
    # Down for twelve days: one run evaluates the patient once and raises the suggestion once.
    counts = scan_as_of(TODAY)
    assert counts.patients_evaluated == 1 and counts.suggestions_created == 1
    assert len(rows(BoosterSuggestion, patient_id=account.patient.id)) == 1


def test_scan_reads_a_batch_in_a_few_queries(client, app):
    clinic = make_clinic()
    for _ in range(12):
        account, _ = patient_client(client, clinic)
        for back in range(1, 6):
            diary.put_entry(
                db.session,
                db.session.get(Patient, account.patient.id),
                TODAY - dt.timedelta(days=back),
                ENTRY,
            )
    db.session.commit()
    statements = []
    engine = app.extensions["engine"]

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = scan_as_of(TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert counts.patients_evaluated == 12
    assert len(selects) <= 8, selects  # patients, entries, infusions, suggestions, devices, end


def test_reminders_at_local_time_once_and_never_in_quiet_hours(client):
    clinic = make_clinic()
    tokyo, tokyo_tokens = patient_client(client, clinic, timezone="Asia/Tokyo")
    la, la_tokens = patient_client(client, clinic, timezone="America/Los_Angeles")
    fcm(client, tokyo_tokens, "t")
    fcm(client, la_tokens, "l")
    client.patch("/api/v1/me", json={"reminder_time": "20:00"}, headers=tokyo_tokens.headers)
    client.patch(
        "/api/v1/me",
        json={"reminder_time": "09:00", "quiet_hours_start": "08:00", "quiet_hours_end": "10:30"},
        headers=la_tokens.headers,
    )
    day = dt.date(2026, 3, 7)
    # 11:30 UTC = 20:30 in Tokyo (due) and 03:30 in Los Angeles (not yet).
    run_reminders(db.SessionFactory, dt.datetime(2026, 3, 7, 11, 30, tzinfo=dt.UTC), CFG)
    tokyo_rows = rows(Notification, patient_id=tokyo.patient.id)
    assert [n.dedupe_key.rsplit(":", 1)[0] for n in tokyo_rows] == [
        f"reminder:{tokyo.patient.id}:{day + dt.timedelta(days=0)}"
    ]
    assert rows(Notification, patient_id=la.patient.id) == []
    # 17:00 UTC = 09:00 in Los Angeles: reminder time, but inside quiet hours → waits.
    run_reminders(db.SessionFactory, dt.datetime(2026, 3, 7, 17, 0, tzinfo=dt.UTC), CFG)
    assert rows(Notification, patient_id=la.patient.id) == []
    # 18:45 UTC = 10:45 in Los Angeles: quiet hours over → sent; a later run → not again.
    run_reminders(db.SessionFactory, dt.datetime(2026, 3, 7, 18, 45, tzinfo=dt.UTC), CFG)
    run_reminders(db.SessionFactory, dt.datetime(2026, 3, 7, 22, 0, tzinfo=dt.UTC), CFG)
    [la_row] = rows(Notification, patient_id=la.patient.id)
    assert la_row.payload["title"] == "Time to check in" and la_row.payload["date"] == str(day)
    assert len(rows(Notification, patient_id=tokyo.patient.id)) == 1


def test_no_reminder_when_logged_or_switched_off(client):
    clinic = make_clinic()
    logged, logged_tokens = patient_client(client, clinic, timezone="UTC")
    off, off_tokens = patient_client(client, clinic, timezone="UTC")
    fcm(client, logged_tokens, "g")
    fcm(client, off_tokens, "o")
    client.put(f"/api/v1/me/entries/{TODAY}", json=ENTRY, headers=logged_tokens.headers)
    client.patch("/api/v1/me", json={"reminders_enabled": False}, headers=off_tokens.headers)
    late = dt.datetime.combine(TODAY, dt.time(23), dt.UTC)
    counts = run_reminders(db.SessionFactory, late, CFG)
    assert counts.reminders_enqueued == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_reminder_on_the_dst_change_day_uses_local_wall_time(client):
    account, tokens = patient_client(client, timezone="Europe/Berlin")
    fcm(client, tokens, "d")
    # 29 March 2026: clocks go forward at 02:00. 20:00 local is 18:00 UTC on that day.
    run_reminders(db.SessionFactory, dt.datetime(2026, 3, 29, 17, 59, tzinfo=dt.UTC), CFG)
    assert rows(Notification, patient_id=account.patient.id) == []
    run_reminders(db.SessionFactory, dt.datetime(2026, 3, 29, 18, 0, tzinfo=dt.UTC), CFG)
    [row] = rows(Notification, patient_id=account.patient.id)
    assert row.dedupe_key.startswith(f"reminder:{account.patient.id}:2026-03-29")


@pytest.mark.parametrize(
    ("now", "start", "end", "quiet"),
    [
        ("23:00", "22:00", "07:00", True),
        ("06:59", "22:00", "07:00", True),
        ("07:00", "22:00", "07:00", False),
        ("12:00", "13:00", "15:00", False),
        ("14:00", "13:00", "15:00", True),
        ("12:00", None, None, False),
    ],
)
def test_quiet_hours(now, start, end, quiet):
    parse = lambda t: dt.time.fromisoformat(t) if t else None  # noqa: E731
    assert in_quiet_hours(parse(now), parse(start), parse(end)) is quiet


def raise_open(account, cycle_start: dt.date, created_days_ago: int = 0):
    suggestion = suggestions.raise_suggestion(
        db.session,
        account.patient.id,
        cycle_start=cycle_start,
        kind=SuggestionKind.WEARING_OFF,
        raised_on=cycle_start,
        evidence={},
    )
    suggestion.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=created_days_ago)
    db.session.commit()
    return suggestion


def test_new_infusion_expires_the_earlier_cycles_open_suggestion(client):
    account, tokens = patient_client(client)
    old = raise_open(account, TODAY - dt.timedelta(days=30))
    r = client.post(
        "/api/v1/me/infusions",
        json={"administered_on": str(TODAY - dt.timedelta(days=1)), "kind": "booster"},
        headers=tokens.headers,
    )
    assert r.status_code == 201
    [row] = rows(BoosterSuggestion, id=old.id)
    assert row.status.value == "expired" and row.resolved_reason == "new_infusion"
    synced = client.get("/api/v1/me/sync", headers=tokens.headers).json["suggestions"]
    assert synced[0]["status"] == "expired"


def test_expire_job_closes_stale_and_superseded_suggestions(client):
    account, tokens = patient_client(client)
    stale = raise_open(account, TODAY - dt.timedelta(days=5), created_days_ago=20)
    fresh = raise_open(account, TODAY - dt.timedelta(days=2), created_days_ago=1)
    counts = run_expire(db.SessionFactory, dt.datetime.now(dt.UTC), CFG)
    assert counts.stale == 1
    assert rows(BoosterSuggestion, id=stale.id)[0].resolved_reason == "not_acted_on"
    assert rows(BoosterSuggestion, id=fresh.id)[0].status.value == "open"


def test_sqlite_lock_row_or_advisory_lock_admits_one_holder(app):
    engine = app.extensions["engine"]
    if engine.dialect.name == "sqlite":
        pytest.skip("the SQLite lock row is tested with real commits in test_jobs_concurrency")
    with job_lock(engine, "job:test", dt.timedelta(seconds=30)) as first:
        with job_lock(engine, "job:test", dt.timedelta(seconds=30)) as second:
            assert first is True and second is False
    with job_lock(engine, "job:test", dt.timedelta(seconds=30)) as again:
        assert again is True


def test_scheduler_jobs_coalesce_and_catch_up_once():
    ran = []
    sched = scheduler.build_scheduler(ran.append, blocking=False)
    sched.start(paused=True)
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {"scan", "reminders", "dispatch", "expire"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 3600
    assert str(sched.timezone) == "UTC"
    # A job whose runs were missed three times over while the process was down runs once.
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=20)
    sched.modify_job("dispatch", next_run_time=past)
    for name in ("scan", "reminders", "expire"):
        sched.modify_job(name, next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    sched.resume()
    time.sleep(1.0)
    sched.shutdown(wait=True)
    assert ran.count("dispatch") == 1


def test_reminder_for_a_patient_without_devices_is_not_queued(client):
    account, _ = patient_client(client, timezone="UTC")
    late = dt.datetime.combine(TODAY, dt.time(23), dt.UTC)
    assert run_reminders(db.SessionFactory, late, CFG).reminders_enqueued == 0
    counts = run_dispatch(
        db.SessionFactory,
        lambda: late,
        CFG,
        {"fcm": LogProvider(), "webpush": LogProvider()},
        random.Random(0),
    )
    assert counts.claimed == 0


def test_building_the_web_app_starts_no_scheduler(database_url):
    """gunicorn workers build the app with create_app: no scheduler thread may come of it."""
    before = {t.name for t in threading.enumerate()}
    app = create_app(app_settings(database_url))
    after = {t.name for t in threading.enumerate()}
    assert app.extensions["engine"] is not None
    assert after - before == set()


def test_expire_forgets_idempotency_keys_after_a_week(client):
    account, tokens = patient_client(client)
    body = {"administered_on": str(TODAY - dt.timedelta(days=1)), "kind": "booster"}
    headers = {**tokens.headers, "Idempotency-Key": "old-retry"}
    assert client.post("/api/v1/me/infusions", json=body, headers=headers).status_code == 201
    soon = run_expire(db.SessionFactory, dt.datetime.now(dt.UTC), CFG)
    assert soon.idempotency_keys_forgotten == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    assert run_expire(db.SessionFactory, later, CFG).idempotency_keys_forgotten == 1
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_scan_judges_today_even_before_today_is_logged(client):
    account, _ = patient_client(client)
    fill_fading_diary(account, TODAY - dt.timedelta(days=1), fade_from=-1)  # stable relief
    counts = scan_as_of(TODAY)  # nothing logged yet today: the engine still judges today
    assert counts.patients_evaluated == 1
    [assessment] = rows(PatientAssessment, patient_id=account.patient.id)
    assert assessment.local_date == TODAY and assessment.status == "responding"
    assert assessment.evidence["days_since_infusion"] == 47


def age_records(account, by=dt.timedelta(days=1)):
    """Make a diary look as if it had been written a while ago (checkpoints only trust
    data older than themselves, with a margin for clock skew)."""
    for model in (DiaryEntry, Infusion):
        for row in rows(model, patient_id=account.patient.id):
            row.updated_at -= by
    db.session.commit()


def assessments_by_day(account, days, wipe_state: bool):
    """Scan day by day; return (status, suggestions so far) per day and how many resumed."""
    seen, resumed = [], 0
    for back in days:
        if wipe_state:
            for row in rows(PatientAssessment, patient_id=account.patient.id):
                row.engine_state = row.state_day = row.state_computed_at = None
            db.session.commit()
        counts = scan_as_of(TODAY - dt.timedelta(days=back))
        resumed += counts.patients_resumed
        [assessment] = rows(PatientAssessment, patient_id=account.patient.id)
        made = sorted(
            (s.kind.value, s.raised_on)
            for s in rows(BoosterSuggestion, patient_id=account.patient.id)
        )
        seen.append((assessment.status, assessment.evidence.get("relief_state"), made))
    return seen, resumed


def test_scan_resumes_from_its_checkpoint_and_decides_as_a_full_replay(client):
    clinic = make_clinic()
    days = range(16, -1, -1)
    fast, _ = patient_client(client, clinic)
    fill_fading_diary(fast, TODAY, fade_from=8)
    age_records(fast)
    with_checkpoints, resumed = assessments_by_day(fast, days, wipe_state=False)
    # The same diary for a second patient, scanned with its checkpoint wiped every day
    # (the first patient is already evaluated for every one of those days).
    slow, _ = patient_client(client, clinic)
    fill_fading_diary(slow, TODAY, fade_from=8)
    replayed, never = assessments_by_day(slow, days, wipe_state=True)
    assert with_checkpoints == replayed
    assert resumed >= 14 and never == 0
    [kept] = rows(PatientAssessment, patient_id=fast.patient.id)
    assert kept.state_day == TODAY - dt.timedelta(days=2) and kept.engine_state


def test_a_change_before_the_checkpoint_forces_a_full_replay(client):
    account, tokens = patient_client(client)
    fill_fading_diary(account, TODAY - dt.timedelta(days=1), fade_from=-1)
    age_records(account)
    scan_as_of(TODAY - dt.timedelta(days=1))
    [kept] = rows(PatientAssessment, patient_id=account.patient.id)
    old_day = kept.state_day - dt.timedelta(days=3)
    # A late correction of an old entry (an offline phone syncing): pain back at baseline.
    r = client.put(
        f"/api/v1/me/entries/{old_day}",
        headers=tokens.headers,
        json={"pain": 9, "fatigue": 7, "mood": 2, "sleep_quality": 2},
    )
    assert r.status_code == 200
    counts = scan_as_of(TODAY)
    assert counts.patients_evaluated == 1 and counts.patients_resumed == 0
    # Once that correction is older than the new checkpoint, the next day resumes again.
    corrected = db.session.scalar(
        select(DiaryEntry).where(
            DiaryEntry.patient_id == account.patient.id, DiaryEntry.entry_date == old_day
        )
    )
    corrected.updated_at -= dt.timedelta(minutes=30)
    db.session.commit()
    assert scan_as_of(TODAY + dt.timedelta(days=1)).patients_resumed == 1
