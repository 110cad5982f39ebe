"""Push targets: validation, re-registration without duplicates, deletion."""

from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import select

from models import db
from models.notifications import Device
from tests.factories import make_clinic, patient_client

URL = "/api/v1/me/devices"
FCM_TOKEN = "fcm-token_" + "a1B2c3D4" * 12


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subscription(endpoint="https://push.example.net/wpush/v2/abc") -> dict:
    return {
        "endpoint": endpoint,
        "keys": {"p256dh": b64(b"\x04" + os.urandom(64)), "auth": b64(os.urandom(16))},
    }


def devices() -> list[Device]:
    return db.session.scalars(select(Device).order_by(Device.id)).all()


def test_register_fcm_and_webpush_without_echoing_secrets(client):
    account, tokens = patient_client(client)
    fcm = client.post(
        URL, json={"platform": "fcm", "token": FCM_TOKEN, "label": "Pixel"}, headers=tokens.headers
    )
    web = client.post(
        URL, json={"platform": "webpush", "subscription": subscription()}, headers=tokens.headers
    )
    assert fcm.status_code == web.status_code == 201
    assert fcm.json["platform"] == "fcm" and fcm.json["label"] == "Pixel"
    for body in (fcm.json, web.json):
        assert not {"token", "endpoint", "p256dh", "auth", "subscription"} & set(body)
    rows = devices()
    assert [d.platform.value for d in rows] == ["fcm", "webpush"]
    assert rows[0].token == FCM_TOKEN and rows[1].endpoint.startswith("https://")
    listed = client.get(URL, headers=tokens.headers)
    assert [d["id"] for d in listed.json] == [fcm.json["id"], web.json["id"]]


def test_re_registering_the_same_token_updates_instead_of_duplicating(client):
    account, tokens = patient_client(client)
    first = client.post(URL, json={"platform": "fcm", "token": FCM_TOKEN}, headers=tokens.headers)
    device = db.session.get(Device, first.json["id"])
    device.disabled_at = device.last_seen_at
    device.disabled_reason = "UNREGISTERED"
    db.session.commit()

    again = client.post(
        URL, json={"platform": "fcm", "token": FCM_TOKEN, "label": "new"}, headers=tokens.headers
    )

    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert again.json["disabled"] is False and again.json["label"] == "new"
    assert len(devices()) == 1


def test_a_token_moves_to_the_patient_who_registers_it_last(client):
    clinic = make_clinic()
    alice, alice_tokens = patient_client(client, clinic)
    bob, bob_tokens = patient_client(client, clinic)
    client.post(URL, json={"platform": "fcm", "token": FCM_TOKEN}, headers=alice_tokens.headers)
    client.post(URL, json={"platform": "fcm", "token": FCM_TOKEN}, headers=bob_tokens.headers)
    [device] = devices()
    assert device.patient_id == bob.patient.id
    assert client.get(URL, headers=alice_tokens.headers).json == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "apns", "token": FCM_TOKEN}, "platform"),
        ({"platform": "fcm"}, "token"),
        ({"platform": "fcm", "token": "short"}, "token"),
        ({"platform": "fcm", "token": FCM_TOKEN, "subscription": subscription()}, "subscription"),
        ({"platform": "webpush"}, "subscription"),
        (
            {"platform": "webpush", "subscription": subscription("http://push.example.net/x")},
            "subscription",
        ),
        (
            {
                "platform": "webpush",
                "subscription": {**subscription(), "keys": {"p256dh": "abc", "auth": "abc"}},
            },
            "subscription",
        ),
        (
            {"platform": "webpush", "subscription": {"endpoint": "https://push.example.net/x"}},
            "subscription",
        ),
    ],
)
def test_invalid_devices_are_422_and_register_nothing(client, body, field):
    account, tokens = patient_client(client)
    r = client.post(URL, json=body, headers=tokens.headers)
    assert r.status_code == 422 and field in r.json["errors"]["json"]
    assert devices() == []


def test_delete_a_device(client):
    account, tokens = patient_client(client)
    created = client.post(URL, json={"platform": "fcm", "token": FCM_TOKEN}, headers=tokens.headers)
    assert client.delete(f"{URL}/{created.json['id']}", headers=tokens.headers).status_code == 204
    assert devices() == []
    assert client.delete(f"{URL}/{created.json['id']}", headers=tokens.headers).status_code == 404
