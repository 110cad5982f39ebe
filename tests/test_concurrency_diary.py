"""Concurrent writes on real connections: no duplicate rows, no 500, no lost sync change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import db
from models.diary import DiaryEntry, Infusion
from tests.concurrency import race
from tests.factories import ENTRY, make_clinic, patient_client

pytestmark = pytest.mark.committed
DAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def test_two_concurrent_puts_for_one_date_leave_one_live_row(app):
    account, tokens = patient_client(app.test_client(), make_clinic())

    def put(pain):
        return lambda c: c.put(
            f"/api/v1/me/entries/{DAY}", json={**ENTRY, "pain": pain}, headers=tokens.headers
        )

    responses = race(app, [put(2), put(8), put(2), put(8)])

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, statuses
    rows = db.session.scalars(
        select(DiaryEntry).where(DiaryEntry.patient_id == account.patient.id)
    ).all()
    assert len(rows) == 1 and rows[0].deleted_at is None and rows[0].pain in (2, 8)
    # The last committed write is what GET returns, and its version counts the real changes.
    final = app.test_client().get(f"/api/v1/me/entries/{DAY}", headers=tokens.headers).json
    assert final["pain"] == rows[0].pain and final["version"] == rows[0].version


def test_concurrent_retries_with_one_idempotency_key_record_one_infusion(app):
    account, tokens = patient_client(app.test_client(), make_clinic())
    headers = {**tokens.headers, "Idempotency-Key": "same-retry"}
    body = {"administered_on": DAY, "kind": "booster"}

    responses = race(
        app,
        [lambda c: c.post("/api/v1/me/infusions", json=body, headers=headers) for _ in range(3)],
    )

    assert [r.status_code for r in responses] == [201, 201, 201]
    assert len({r.json["id"] for r in responses}) == 1
    rows = db.session.scalars(select(Infusion).where(Infusion.patient_id == account.patient.id))
    assert len(rows.all()) == 1


def test_sync_during_concurrent_writes_misses_nothing(app):
    account, tokens = patient_client(app.test_client(), make_clinic())
    days = [(dt.date.today() - dt.timedelta(days=n)).isoformat() for n in range(1, 9)]
    seen: dict[str, int] = {}
    cursor = None

    def writer(day):
        return lambda c: c.put(f"/api/v1/me/entries/{day}", json=ENTRY, headers=tokens.headers)

    def reader(c):
        nonlocal cursor
        url = "/api/v1/me/sync" + (f"?since={cursor}" if cursor else "")
        page = c.get(url, headers=tokens.headers).json
        for entry in page["entries"]:
            seen[entry["date"]] = entry["version"]
        cursor = page["cursor"]
        return page

    race(app, [writer(d) for d in days[:4]] + [reader])
    race(app, [writer(d) for d in days[4:]] + [reader])
    reader(app.test_client())
    assert sorted(seen) == sorted(days)
