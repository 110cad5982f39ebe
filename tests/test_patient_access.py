"""A patient reaches only their own records: a matrix over every patient endpoint, generated
from /openapi.json so that an endpoint added later cannot be forgotten."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from models import db, suggestions
from models.diary import DiaryEntry, Infusion
from models.enums import SuggestionKind
from models.notifications import Device
from models.suggestions import BoosterSuggestion
from tests.factories import ENTRY, make_clinic, patient_client

MARKER = "other-patients-secret-note"
DAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
METHODS = ("get", "post", "put", "patch", "delete")


def victim_records(client, tokens, account) -> dict[str, object]:
    """Records of the other patient, by the path parameter that would name them."""
    client.put(f"/api/v1/me/entries/{DAY}", json={**ENTRY, "notes": MARKER}, headers=tokens.headers)
    infusion = client.post(
        "/api/v1/me/infusions",
        json={"administered_on": DAY, "kind": "booster", "notes": MARKER},
        headers=tokens.headers,
    ).json
    device = client.post(
        "/api/v1/me/devices", json={"platform": "fcm", "token": "v" * 40}, headers=tokens.headers
    ).json
    suggestion = suggestions.raise_suggestion(
        db.session,
        account.patient.id,
        cycle_start=dt.date(2026, 1, 5),
        kind=SuggestionKind.WEARING_OFF,
        raised_on=dt.date(2026, 2, 1),
        evidence={"m": MARKER},
    )
    db.session.commit()
    return {
        "day": DAY,
        "infusion_id": infusion["id"],
        "device_id": device["id"],
        "suggestion_id": suggestion.id,
    }


def snapshot(patient_id: int):
    entry = db.session.scalar(select(DiaryEntry).where(DiaryEntry.patient_id == patient_id))
    return (
        (entry.version, entry.deleted_at),
        [
            (i.version, i.deleted_at)
            for i in db.session.scalars(select(Infusion).where(Infusion.patient_id == patient_id))
        ],
        [
            (s.status, s.version)
            for s in db.session.scalars(
                select(BoosterSuggestion).where(BoosterSuggestion.patient_id == patient_id)
            )
        ],
        [d.id for d in db.session.scalars(select(Device).where(Device.patient_id == patient_id))],
    )


def test_no_patient_endpoint_reaches_another_patients_records(client):
    clinic = make_clinic()
    me, my_tokens = patient_client(client, clinic)
    victim, victim_tokens = patient_client(client, clinic)
    ids = victim_records(client, victim_tokens, victim)
    before = snapshot(victim.patient.id)
    spec = client.get("/openapi.json").json
    checked = []

    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if not op or op.get("x-required-role") != "patient":
                continue
            names = re.findall(r"\{([^}]+)\}", path)
            unknown = [n for n in names if n not in ids]
            assert not unknown, f"add {unknown} of {path} to victim_records()"
            url = re.sub(r"\{([^}]+)\}", lambda m: str(ids[m[1]]), path)
            body = {**ENTRY} if method == "put" else {}
            if path == "/api/v1/me" and method == "delete":
                continue  # erasing oneself is covered in test_export_erasure
            r = getattr(client, method)(
                url, headers=my_tokens.headers, **({"json": body} if method != "get" else {})
            )
            assert MARKER.encode() not in r.get_data(), (method, path)
            if any(n != "day" for n in names):
                assert r.status_code == 404, (method, path, r.status_code)
            checked.append((method, path))

    assert snapshot(victim.patient.id) == before
    assert len(checked) >= 15
