"""Booster suggestions from the patient's side: listing and the status rules."""

from __future__ import annotations

import datetime as dt

import pytest

from models import db, suggestions
from models.enums import SuggestionKind
from models.suggestions import BoosterSuggestion
from tests.factories import patient_client

URL = "/api/v1/me/suggestions"


def raise_for(account, kind=SuggestionKind.WEARING_OFF, cycle="2026-10-01") -> BoosterSuggestion:
    suggestion = suggestions.raise_suggestion(
        db.session,
        account.patient.id,
        cycle_start=dt.date.fromisoformat(cycle),
        kind=kind,
        raised_on=dt.date(2026, 11, 1),
        evidence={"pain": {"baseline": 7.2, "current": 5.9}},
    )
    db.session.commit()
    return suggestion


def status_of(suggestion) -> str:
    return db.session.get(BoosterSuggestion, suggestion.id, populate_existing=True).status.value


def test_list_and_filter(client):
    account, tokens = patient_client(client)
    first = raise_for(account)
    second = raise_for(account, SuggestionKind.FORECAST)
    client.post(f"{URL}/{first.id}/dismiss", json={}, headers=tokens.headers)

    everything = client.get(URL, headers=tokens.headers)
    assert {s["id"] for s in everything.json} == {first.id, second.id}
    assert everything.json[0]["evidence"] or everything.json[1]["evidence"]
    open_only = client.get(f"{URL}?status=open", headers=tokens.headers)
    assert [s["id"] for s in open_only.json] == [second.id]
    bad = client.get(f"{URL}?status=maybe", headers=tokens.headers)
    assert bad.status_code == 422 and "status" in bad.json["errors"]["query"]


def test_acknowledge_then_book(client):
    account, tokens = patient_client(client)
    suggestion = raise_for(account)
    ack = client.post(f"{URL}/{suggestion.id}/acknowledge", json={}, headers=tokens.headers)
    assert ack.status_code == 200 and ack.json["status"] == "acknowledged"
    booked = client.post(
        f"{URL}/{suggestion.id}/book",
        json={"appointment_on": "2026-11-28", "note": "Tuesday slot"},
        headers=tokens.headers,
    )
    assert booked.status_code == 200 and booked.json["status"] == "booked"
    assert booked.json["appointment_on"] == "2026-11-28" and booked.json["resolved_at"]
    row = db.session.get(BoosterSuggestion, suggestion.id)
    assert row.resolved_by_id == account.id and row.resolved_reason == "patient_book"


def test_repeating_a_transition_is_a_no_op(client):
    account, tokens = patient_client(client)
    suggestion = raise_for(account)
    first = client.post(f"{URL}/{suggestion.id}/acknowledge", json={}, headers=tokens.headers)
    again = client.post(f"{URL}/{suggestion.id}/acknowledge", json={}, headers=tokens.headers)
    assert again.status_code == 200 and again.json["version"] == first.json["version"]


@pytest.mark.parametrize(
    ("first", "then"),
    [("dismiss", "acknowledge"), ("dismiss", "book"), ("book", "dismiss"), ("book", "acknowledge")],
)
def test_impossible_transitions_are_409(client, first, then):
    account, tokens = patient_client(client)
    suggestion = raise_for(account)
    client.post(f"{URL}/{suggestion.id}/{first}", json={}, headers=tokens.headers)
    before = status_of(suggestion)

    r = client.post(f"{URL}/{suggestion.id}/{then}", json={}, headers=tokens.headers)

    assert r.status_code == 409 and r.json["errors"] == {"status": [before]}
    assert status_of(suggestion) == before


def test_unknown_fields_in_a_transition_are_rejected(client):
    account, tokens = patient_client(client)
    suggestion = raise_for(account)
    r = client.post(f"{URL}/{suggestion.id}/book", json={"when": "soon"}, headers=tokens.headers)
    assert r.status_code == 422 and "when" in r.json["errors"]["json"]
    assert status_of(suggestion) == "open"
