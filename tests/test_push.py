"""Delivery over real HTTP to local stand-ins of Web Push and FCM, through the dispatcher."""

from __future__ import annotations

import datetime as dt
import logging
import random

import pytest
from sqlalchemy import select

from jobs.dispatch import run_dispatch
from jobs.push import FCMProvider, LogProvider, WebPushProvider, collapse_id
from jobs.settings import JobSettings
from models import db, notifications
from models.notifications import Device, Notification
from tests.factories import make_clinic, patient_client
from tests.push_servers import FcmStandIn, WebPushReceiver, vapid_private_key

CFG = JobSettings(dispatch_max_attempts=3, dispatch_backoff_seconds=30)
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(autouse=True)
def _now():
    """A dispatch clock a minute ahead of the test's own start, so its rows are due."""
    global NOW
    NOW = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)


def webpush_provider() -> WebPushProvider:
    return WebPushProvider(vapid_private_key(), "mailto:ops@example.org", ttl=3600, timeout=5)


def register(client, tokens, body) -> Device:
    r = client.post("/api/v1/me/devices", json=body, headers=tokens.headers)
    assert r.status_code == 201, r.json
    return db.session.get(Device, r.json["id"])


def notify(account, kind="reminder", key="reminder:test") -> list[Notification]:
    devices = notifications.active_devices(db.session, [account.patient.id])
    notifications.enqueue(
        db.session,
        account.patient.id,
        devices.get(account.patient.id, []),
        kind,
        key,
        notifications.message("reminder", date="2026-03-10"),
    )
    db.session.commit()
    return db.session.scalars(select(Notification).order_by(Notification.id)).all()


def dispatch(providers, now=None):
    at = now or NOW
    return run_dispatch(db.SessionFactory, lambda: at, CFG, providers, rng=random.Random(1))


def state(notification_id):
    return db.session.get(Notification, notification_id, populate_existing=True)


def test_web_push_is_delivered_encrypted_with_a_valid_vapid_token(client):
    account, tokens = patient_client(client)
    with WebPushReceiver() as receiver:
        register(client, tokens, {"platform": "webpush", "subscription": receiver.subscribe()})
        [row] = notify(account)

        counts = dispatch({"webpush": webpush_provider(), "fcm": LogProvider()})

        assert counts.sent == 1 and receiver.rejected == []
        [got] = receiver.received
        assert got["encoding"] == "aes128gcm" and got["ttl"] == "3600"
        assert got["claims"]["aud"] == receiver.origin
        assert got["claims"]["sub"] == "mailto:ops@example.org"
        assert got["topic"] == collapse_id(row.dedupe_key)
        assert got["payload"]["title"] == "Time to check in"
        assert got["payload"]["link"] == "/diary/today"
        for health_word in ("pain", "mood", "fatigue", "sleep"):
            assert health_word not in str(got["payload"]).lower()
    done = state(row.id)
    assert done.status.value == "sent" and done.sent_at is not None and done.attempts == 1


def test_vapid_claims_are_fresh_for_every_endpoint(client):
    account, tokens = patient_client(client)
    with WebPushReceiver() as first, WebPushReceiver() as second:
        register(client, tokens, {"platform": "webpush", "subscription": first.subscribe()})
        register(client, tokens, {"platform": "webpush", "subscription": second.subscribe()})
        notify(account)
        counts = dispatch({"webpush": webpush_provider(), "fcm": LogProvider()})
        assert counts.sent == 2
        assert first.rejected == second.rejected == []
        assert first.received[0]["claims"]["aud"] == first.origin
        assert second.received[0]["claims"]["aud"] == second.origin


def test_gone_subscription_disables_the_device(client):
    account, tokens = patient_client(client)
    with WebPushReceiver() as receiver:
        device = register(
            client, tokens, {"platform": "webpush", "subscription": receiver.subscribe("gone")}
        )
        [row] = notify(account)
        counts = dispatch({"webpush": webpush_provider(), "fcm": LogProvider()})
    assert counts.dead == 1 and counts.devices_disabled == 1
    assert state(row.id).status.value == "dead"
    device = db.session.get(Device, device.id, populate_existing=True)
    assert device.disabled_at is not None and device.disabled_reason == "web push 410"
    listed = client.get("/api/v1/me/devices", headers=tokens.headers).json
    assert listed[0]["disabled"] is True


def test_throttled_push_honours_retry_after_then_gives_up(client):
    account, tokens = patient_client(client)
    with WebPushReceiver() as receiver:
        register(
            client, tokens, {"platform": "webpush", "subscription": receiver.subscribe("busy")}
        )
        [row] = notify(account)
        provider = {"webpush": webpush_provider(), "fcm": LogProvider()}
        dispatch(provider)
        retried = state(row.id)
        assert retried.status.value == "failed" and retried.attempts == 1
        assert retried.next_attempt_at == NOW + dt.timedelta(seconds=7)
        assert retried.last_error == "web push 429"
        # Not due yet: nothing is sent.
        assert dispatch(provider).claimed == 0
        later = NOW + dt.timedelta(seconds=8)
        dispatch(provider, later)
        dispatch(provider, later + dt.timedelta(seconds=8))
    final = state(row.id)
    assert final.status.value == "dead" and final.attempts == CFG.dispatch_max_attempts
    assert len(receiver.received) == CFG.dispatch_max_attempts


def test_server_errors_back_off_exponentially_with_jitter(client):
    account, tokens = patient_client(client)
    with WebPushReceiver() as receiver:
        register(
            client, tokens, {"platform": "webpush", "subscription": receiver.subscribe("error")}
        )
        [row] = notify(account)
        dispatch({"webpush": webpush_provider(), "fcm": LogProvider()})
    wait = (state(row.id).next_attempt_at - NOW).total_seconds()
    assert 30 <= wait <= 60  # attempt 1: between half and all of 30·2¹ seconds
    assert state(row.id).status.value == "failed"


FCM_TOKEN_TAIL = "x" * 30


@pytest.mark.parametrize(
    ("prefix", "status", "disabled", "detail"),
    [
        ("ok", "sent", False, None),
        ("gone", "dead", True, "fcm UNREGISTERED"),
        ("bad", "dead", True, "fcm INVALID_ARGUMENT"),
        ("quota", "failed", False, "fcm QUOTA_EXCEEDED"),
        ("down", "failed", False, "fcm UNAVAILABLE"),
        ("auth", "failed", False, "fcm THIRD_PARTY_AUTH_ERROR"),
    ],
)
def test_fcm_http_v1_outcomes(client, caplog, prefix, status, disabled, detail):
    account, tokens = patient_client(client)
    with FcmStandIn() as fcm:
        device = register(
            client, tokens, {"platform": "fcm", "token": f"{prefix}-{FCM_TOKEN_TAIL}"}
        )
        [row] = notify(account)
        provider = FCMProvider(fcm.service_account(), None, fcm.origin, timeout=5)
        with caplog.at_level(logging.ERROR, logger="infusion_diary.jobs.dispatch"):
            dispatch({"fcm": provider, "webpush": LogProvider()})
        [sent] = fcm.received
    assert sent["token"] == f"{prefix}-{FCM_TOKEN_TAIL}"
    assert sent["notification"]["title"] == "Time to check in"
    assert sent["android"]["collapse_key"] == collapse_id(row.dedupe_key)
    done = state(row.id)
    assert done.status.value == status and done.last_error == detail
    device = db.session.get(Device, device.id, populate_existing=True)
    assert (device.disabled_at is not None) is disabled
    if prefix == "quota":
        assert done.next_attempt_at == NOW + dt.timedelta(seconds=11)
    if prefix == "auth":
        assert "configuration problem" in caplog.text and device.token.startswith("auth-")


def test_log_provider_is_the_default_and_logs_no_content(client, caplog):
    account, tokens = patient_client(client)
    register(client, tokens, {"platform": "fcm", "token": "ok-" + FCM_TOKEN_TAIL})
    [row] = notify(account)
    with caplog.at_level(logging.INFO, logger="infusion_diary.push"):
        dispatch({"fcm": LogProvider(), "webpush": LogProvider()})
    assert state(row.id).status.value == "sent"
    assert "reminder notification to a fcm device" in caplog.text
    assert "Time to check in" not in caplog.text and FCM_TOKEN_TAIL not in caplog.text


def test_enqueue_twice_writes_one_row_per_device(client):
    account, tokens = patient_client(client, make_clinic())
    register(client, tokens, {"platform": "fcm", "token": "ok-" + FCM_TOKEN_TAIL})
    notify(account)
    rows = notify(account)
    assert len(rows) == 1
