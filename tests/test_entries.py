"""Diary entries: create/replace/delete by local date, validation, ETags, listing, time zones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import clock, db
from models.diary import DiaryEntry
from tests.factories import ENTRY, patient_client

URL = "/api/v1/me/entries/"


@pytest.fixture
def me(client):
    return patient_client(client)


def rows(account) -> list[DiaryEntry]:
    return db.session.scalars(
        select(DiaryEntry)
        .where(DiaryEntry.patient_id == account.patient.id)
        .order_by(DiaryEntry.entry_date)
    ).all()


def yesterday() -> str:
    return (dt.date.today() - dt.timedelta(days=1)).isoformat()


def test_put_creates_then_replaces(client, me):
    account, tokens = me
    day = yesterday()
    body = {
        **ENTRY,
        "sleep_hours": 6.5,
        "notes": "Rough night",
        "side_effects": ["nausea", "headache", "nausea"],
    }

    created = client.put(URL + day, json=body, headers=tokens.headers)

    assert created.status_code == 201
    assert created.json["date"] == day and created.json["pain"] == 6
    assert created.json["side_effects"] == ["headache", "nausea"]
    assert created.json["sleep_hours"] == 6.5 and created.json["version"] == 1
    assert created.headers["ETag"] == '"entry-1"'
    assert created.headers["Cache-Control"] == "no-store"

    replaced = client.put(URL + day, json={**ENTRY, "pain": 3}, headers=tokens.headers)

    assert replaced.status_code == 200 and replaced.json["version"] == 2
    assert replaced.json["notes"] is None and replaced.json["side_effects"] == []
    [row] = rows(account)
    assert row.pain == 3 and row.version == 2 and row.notes is None and row.deleted_at is None


def test_same_body_twice_changes_nothing(client, me):
    account, tokens = me
    day = yesterday()
    first = client.put(URL + day, json=ENTRY, headers=tokens.headers)
    second = client.put(URL + day, json=ENTRY, headers=tokens.headers)
    assert second.status_code == 200
    assert second.headers["ETag"] == first.headers["ETag"] == '"entry-1"'
    assert second.json == first.json
    [row] = rows(account)
    assert row.version == 1


def test_get_and_delete_with_tombstone(client, me):
    account, tokens = me
    day = yesterday()
    client.put(URL + day, json={**ENTRY, "notes": "private"}, headers=tokens.headers)

    got = client.get(URL + day, headers=tokens.headers)
    assert got.status_code == 200 and got.json["notes"] == "private"
    assert got.headers["ETag"] == '"entry-1"'

    assert client.delete(URL + day, headers=tokens.headers).status_code == 204
    assert client.delete(URL + day, headers=tokens.headers).status_code == 204
    missing = client.get(URL + day, headers=tokens.headers)
    assert missing.status_code == 404 and missing.json["message"] == f"no entry for {day}"
    [row] = rows(account)
    assert row.deleted_at is not None and row.version == 2
    assert row.pain is None and row.notes is None and row.side_effects == []

    revived = client.put(URL + day, json=ENTRY, headers=tokens.headers)
    assert revived.status_code == 201 and revived.json["version"] == 3
    assert len(rows(account)) == 1


def test_if_match_stale_is_412_and_changes_nothing(client, me):
    account, tokens = me
    day = yesterday()
    client.put(URL + day, json=ENTRY, headers=tokens.headers)
    client.put(URL + day, json={**ENTRY, "pain": 2}, headers=tokens.headers)

    stale = client.put(
        URL + day, json={**ENTRY, "pain": 9}, headers={**tokens.headers, "If-Match": '"entry-1"'}
    )
    assert stale.status_code == 412 and stale.json["code"] == 412
    stale_delete = client.delete(URL + day, headers={**tokens.headers, "If-Match": '"entry-1"'})
    assert stale_delete.status_code == 412
    [row] = rows(account)
    assert row.pain == 2 and row.deleted_at is None

    fresh = client.put(
        URL + day, json={**ENTRY, "pain": 9}, headers={**tokens.headers, "If-Match": '"entry-2"'}
    )
    assert fresh.status_code == 200 and fresh.json["pain"] == 9


def test_if_match_on_a_missing_entry_is_412(client, me):
    account, tokens = me
    r = client.put(URL + yesterday(), json=ENTRY, headers={**tokens.headers, "If-Match": "*"})
    assert r.status_code == 412
    assert rows(account) == []


INVALID = [
    ({"pain": 5.5}, "pain"),
    ({"pain": 5.0}, "pain"),
    ({"pain": "5"}, "pain"),
    ({"pain": True}, "pain"),
    ({"pain": 11}, "pain"),
    ({"fatigue": -1}, "fatigue"),
    ({"mood": None}, "mood"),
    ({"sleep_quality": []}, "sleep_quality"),
    ({"sleep_hours": 24.5}, "sleep_hours"),
    ({"sleep_hours": -0.5}, "sleep_hours"),
    ({"sleep_hours": 7.25}, "sleep_hours"),
    ({"sleep_hours": "NaN"}, "sleep_hours"),
    ({"sleep_hours": "6.5"}, "sleep_hours"),
    ({"sleep_hours": -1.797693134862316e307}, "sleep_hours"),
    ({"notes": "x" * 2001}, "notes"),
    ({"side_effects": ["nausea", "hallucinations"]}, "side_effects"),
    ({"side_effects": "nausea"}, "side_effects"),
    ({"weather": "rainy"}, "weather"),
]


@pytest.mark.parametrize(("change", "field"), INVALID)
def test_invalid_values_are_422_naming_the_field(client, me, change, field):
    account, tokens = me
    day = yesterday()
    client.put(URL + day, json=ENTRY, headers=tokens.headers)

    r = client.put(URL + day, json={**ENTRY, **change}, headers=tokens.headers)

    assert r.status_code == 422
    assert list(r.json["errors"]["json"]) == [field] and field in r.json["message"]
    [row] = rows(account)
    assert (row.pain, row.fatigue, row.mood, row.sleep_quality, row.version) == (6, 5, 4, 5, 1)


def test_missing_required_fields_are_named(client, me):
    account, tokens = me
    r = client.put(URL + yesterday(), json={"pain": 3}, headers=tokens.headers)
    assert r.status_code == 422
    assert set(r.json["errors"]["json"]) == {"fatigue", "mood", "sleep_quality"}
    assert rows(account) == []


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-1-5", "yesterday", "20260105"])
def test_malformed_date_is_400(client, me, bad):
    account, tokens = me
    r = client.put(URL + bad, json=ENTRY, headers=tokens.headers)
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json["message"]
    assert rows(account) == []


def at(monkeypatch, iso: str) -> None:
    """Freeze the domain's clock at an instant (ISO 8601 with offset)."""
    instant = dt.datetime.fromisoformat(iso).astimezone(dt.UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: instant)


def test_late_evening_in_los_angeles_belongs_to_that_local_day(client, monkeypatch):
    account, tokens = patient_client(client, timezone="America/Los_Angeles")
    # 23:30 on 10 March in Los Angeles is already 11 March in UTC.
    at(monkeypatch, "2026-03-10T23:30:00-07:00")

    assert client.put(URL + "2026-03-10", json=ENTRY, headers=tokens.headers).status_code == 201
    assert client.put(URL + "2026-03-11", json=ENTRY, headers=tokens.headers).status_code == 201
    too_far = client.put(URL + "2026-03-12", json=ENTRY, headers=tokens.headers)
    assert too_far.status_code == 422
    assert too_far.json["errors"] == {"date": ["must be on or before 2026-03-11"]}
    assert [r.entry_date.isoformat() for r in rows(account)] == ["2026-03-10", "2026-03-11"]


def test_early_morning_in_tokyo_is_already_the_next_day(client, monkeypatch):
    account, tokens = patient_client(client, timezone="Asia/Tokyo")
    at(monkeypatch, "2026-03-10T16:30:00+00:00")  # 01:30 on 11 March in Tokyo
    assert client.put(URL + "2026-03-12", json=ENTRY, headers=tokens.headers).status_code == 201
    assert client.put(URL + "2026-03-13", json=ENTRY, headers=tokens.headers).status_code == 422


def test_dst_change_days_are_ordinary_days(client, monkeypatch):
    account, tokens = patient_client(client, timezone="Europe/Berlin")
    # Clocks went forward at 02:00 on 29 March 2026; 00:30 local on 30 March.
    at(monkeypatch, "2026-03-29T22:30:00+00:00")
    for day in ("2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"):
        assert client.put(URL + day, json=ENTRY, headers=tokens.headers).status_code == 201
    assert client.put(URL + "2026-04-01", json=ENTRY, headers=tokens.headers).status_code == 422
    assert len(rows(account)) == 4


def test_dates_long_before_the_account_are_refused(client, me):
    account, tokens = me
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    r = client.put(URL + old, json=ENTRY, headers=tokens.headers)
    assert r.status_code == 422 and "date" in r.json["errors"]
    within = (dt.date.today() - dt.timedelta(days=300)).isoformat()
    assert client.put(URL + within, json=ENTRY, headers=tokens.headers).status_code == 201


def test_list_is_newest_first_filtered_and_paginated(client, me):
    account, tokens = me
    today = dt.date.today()
    days = [(today - dt.timedelta(days=n)).isoformat() for n in range(1, 6)]
    for n, day in enumerate(days):
        client.put(URL + day, json={**ENTRY, "pain": n}, headers=tokens.headers)
    client.delete(URL + days[2], headers=tokens.headers)

    page = client.get(f"/api/v1/me/entries?page_size=2&from={days[3]}", headers=tokens.headers)

    assert page.status_code == 200
    assert [e["date"] for e in page.json] == [days[0], days[1]]
    assert '"total": 3' in page.headers["X-Pagination"]
    ranged = client.get(f"/api/v1/me/entries?from={days[4]}&to={days[3]}", headers=tokens.headers)
    assert [e["date"] for e in ranged.json] == [days[3], days[4]]
    backwards = client.get(
        f"/api/v1/me/entries?from={days[0]}&to={days[4]}", headers=tokens.headers
    )
    assert backwards.status_code == 422 and "to" in backwards.json["errors"]["query"]
