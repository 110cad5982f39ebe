"""Jobs on real connections: two schedulers by mistake, a dispatcher killed mid-batch, and the
whole path from a fading diary to one push on a Web Push device."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from api.config import PROJECT_ROOT
from jobs.dispatch import run_dispatch
from jobs.push import LogProvider, WebPushProvider
from jobs.scan import run_scan
from jobs.settings import JobSettings
from models import db, notifications
from models.locks import job_lock
from models.notifications import Notification
from models.suggestions import BoosterSuggestion
from tests.concurrency import race
from tests.factories import make_clinic, patient_client
from tests.jobs_data import fill_fading_diary
from tests.push_servers import WebPushReceiver, vapid_private_key

pytestmark = pytest.mark.committed
TODAY = dt.date.today()
CFG = JobSettings(dispatch_batch_size=5, dispatch_lease_seconds=60)


def subscribe_patients(client, receiver, count, clinic=None):
    clinic = clinic or make_clinic()
    accounts = []
    for _ in range(count):
        account, tokens = patient_client(client, clinic)
        r = client.post(
            "/api/v1/me/devices",
            headers=tokens.headers,
            json={"platform": "webpush", "subscription": receiver.subscribe()},
        )
        assert r.status_code == 201
        accounts.append(account)
    return accounts


def enqueue_for(accounts, key="reminder"):
    with db.SessionFactory() as session:
        ids = [a.patient.id for a in accounts]
        devices = notifications.active_devices(session, ids)
        for pid in ids:
            notifications.enqueue(
                session,
                pid,
                devices[pid],
                "reminder",
                f"{key}:{pid}",
                notifications.message("reminder", date=str(TODAY)),
            )
        session.commit()


def statuses():
    with db.SessionFactory() as session:
        return [n.status.value for n in session.scalars(select(Notification))]


def test_lock_admits_one_holder_at_a_time(app):
    engine = app.extensions["engine"]
    with job_lock(engine, "job:test", dt.timedelta(seconds=30)) as first:
        with job_lock(engine, "job:test", dt.timedelta(seconds=30)) as second:
            assert first is True and second is False
    with job_lock(engine, "job:test", dt.timedelta(seconds=30)) as again:
        assert again is True


@pytest.mark.postgresql
def test_two_dispatchers_at_once_send_each_notification_once(app, client):
    with WebPushReceiver() as receiver:
        accounts = subscribe_patients(client, receiver, 12)
        enqueue_for(accounts)
        providers = {
            "webpush": WebPushProvider(vapid_private_key(), "mailto:o@example.org", 60, 5),
            "fcm": LogProvider(),
        }

        def dispatcher():
            return run_dispatch(
                db.SessionFactory, lambda: dt.datetime.now(dt.UTC), CFG, providers, random.Random()
            )

        first, second = race(app, [lambda c: dispatcher(), lambda c: dispatcher()])
        assert first.sent + second.sent == 12
        assert len(receiver.received) == 12
        assert len({r["subscription"] for r in receiver.received}) == 12
    assert statuses() == ["sent"] * 12


@pytest.mark.postgresql
def test_two_scans_at_once_raise_each_suggestion_once(app, client):
    clinic = make_clinic()
    accounts = []
    for _ in range(3):
        account, tokens = patient_client(client, clinic)
        client.post(
            "/api/v1/me/devices",
            headers=tokens.headers,
            json={"platform": "fcm", "token": f"ok-{account.id:04d}" + "x" * 30},
        )
        fill_fading_diary(account, TODAY, fade_from=8)
        accounts.append(account)

    def scan():
        return run_scan(db.SessionFactory, dt.datetime.now(dt.UTC), JobSettings(), as_of=TODAY)

    first, second = race(app, [lambda c: scan(), lambda c: scan()])
    with db.SessionFactory() as session:
        found = session.scalars(select(BoosterSuggestion)).all()
        pushes = session.scalars(select(Notification)).all()
    assert sorted(s.patient_id for s in found) == sorted(a.patient.id for a in accounts)
    assert len(pushes) == 3
    assert first.suggestions_created + second.suggestions_created == 3


def test_dispatcher_killed_mid_batch_loses_nothing(app, client, database_url):
    with WebPushReceiver(delay=0.25) as receiver:
        for sub in receiver.subscriptions.values():
            sub["behaviour"] = "slow"
        accounts = subscribe_patients(client, receiver, 8)
        for sub in receiver.subscriptions.values():
            sub["behaviour"] = "slow"
        enqueue_for(accounts)
        key = vapid_private_key()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "APP_ENV": "development",
            "SECRET_KEY": "x" * 40,
            "WEBPUSH_VAPID_PRIVATE_KEY": key,
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "once", "dispatch"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        delivered_before = len(receiver.received)
        assert 2 <= delivered_before < 8

        for sub in receiver.subscriptions.values():
            sub["behaviour"] = "ok"
        providers = {
            "webpush": WebPushProvider(key, "mailto:o@example.org", 60, 5),
            "fcm": LogProvider(),
        }
        # Rows the dead dispatcher leased come back once their lease ends.
        after_lease = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=121)
        run_dispatch(db.SessionFactory, lambda: after_lease, CFG, providers, random.Random(0))
        per_subscription = {}
        for got in receiver.received:
            per_subscription[got["subscription"]] = per_subscription.get(got["subscription"], 0) + 1
        topics = {got["subscription"]: set() for got in receiver.received}
        for got in receiver.received:
            topics[got["subscription"]].add(got["topic"])
    assert statuses() == ["sent"] * 8
    assert len(per_subscription) == 8  # every notification arrived
    assert max(per_subscription.values()) <= 2  # at most one resend
    assert all(len(t) == 1 for t in topics.values())  # a resend carries the same Topic


def test_fading_relief_ends_in_exactly_one_push_to_the_browser(app, client):
    with WebPushReceiver() as receiver:
        account, tokens = patient_client(client, make_clinic())
        r = client.post(
            "/api/v1/me/devices",
            headers=tokens.headers,
            json={"platform": "webpush", "subscription": receiver.subscribe()},
        )
        assert r.status_code == 201
        fill_fading_diary(account, TODAY, fade_from=8)
        providers = {
            "webpush": WebPushProvider(vapid_private_key(), "mailto:o@example.org", 3600, 5),
            "fcm": LogProvider(),
        }
        for back in range(14, -1, -1):
            day = TODAY - dt.timedelta(days=back)
            noon = dt.datetime.combine(day, dt.time(12), dt.UTC)
            run_scan(db.SessionFactory, noon, JobSettings(), as_of=day)
            run_dispatch(
                db.SessionFactory, lambda: dt.datetime.now(dt.UTC), CFG, providers, random.Random(0)
            )
        [push] = receiver.received
        assert receiver.rejected == []
    with db.SessionFactory() as session:
        [suggestion] = session.scalars(select(BoosterSuggestion)).all()
    assert push["payload"]["kind"] == "wearing_off"
    assert push["payload"]["link"] == f"/suggestions/{suggestion.id}"
    assert "fading" in push["payload"]["body"]
    assert statuses() == ["sent"]


def test_jobs_once_command_prints_its_counts(app):
    result = app.test_cli_runner().invoke(args=["jobs", "once", "scan", "--as-of", str(TODAY)])
    assert result.exit_code == 0, result.output
    assert '"job": "scan"' in result.output and '"patients_evaluated": 0' in result.output
    bad = app.test_cli_runner().invoke(args=["jobs", "once", "scan", "--as-of", "soon"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
