"""Clinician review: the list, a patient's record, triage, exports, settings and audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import event, func, select

from models import db, diary, suggestions
from models.accounts import Patient
from models.audit import AuditEvent
from models.clinic import Clinic
from models.diary import Infusion
from models.enums import InfusionKind, RecordedBy, Role, SuggestionKind
from models.suggestions import BoosterSuggestion, PatientAssessment, save_assessments
from tests.factories import ENTRY, login, make_clinic, make_staff, patient_client

TODAY = dt.date.today()
BASE = "/api/v1/clinic"


@pytest.fixture
def clinic():
    return make_clinic(timezone="UTC")


@pytest.fixture
def staff(client, clinic):
    return login(client, make_staff(clinic))


def log_days(account, days_back, **values):
    patient = db.session.get(Patient, account.patient.id)
    for back in days_back:
        diary.put_entry(db.session, patient, TODAY - dt.timedelta(days=back), {**ENTRY, **values})
    db.session.commit()


def assess(account, status, **evidence):
    save_assessments(
        db.session,
        [
            {
                "patient_id": account.patient.id,
                "local_date": TODAY,
                "status": status,
                "cycle_start": None,
                "expected_wearing_off": None,
                "evidence": evidence,
                "computed_at": dt.datetime.now(dt.UTC),
            }
        ],
    )
    db.session.commit()


def suggest(account, kind=SuggestionKind.WEARING_OFF, cycle=None):
    suggestion = suggestions.raise_suggestion(
        db.session,
        account.patient.id,
        cycle_start=cycle or TODAY - dt.timedelta(days=30),
        kind=kind,
        raised_on=TODAY - dt.timedelta(days=1),
        evidence={"baseline": {"pain": 7.1}, "current": {"pain": 5.9}},
    )
    db.session.commit()
    return suggestion


def infuse(account, days_back: int):
    patient = db.session.get(Patient, account.patient.id)
    diary.create_infusion(
        db.session,
        patient,
        {"administered_on": TODAY - dt.timedelta(days=days_back), "kind": InfusionKind.BOOSTER},
        recorded_by=RecordedBy.CLINICIAN,
        recorded_by_account_id=None,
    )
    db.session.commit()


def named(client, clinic, name, **kwargs):
    account, tokens = patient_client(client, clinic, **kwargs)
    db.session.get(Patient, account.patient.id).account.name = name
    db.session.commit()
    return account, tokens


def test_list_status_adherence_and_urgency_order(client, clinic, staff):
    ok, _ = named(client, clinic, "Olive Ok")
    log_days(ok, range(0, 14, 2))  # 7 of the last 14 days
    assess(ok, "responding", typical_relief_days=28.0)
    infuse(ok, 10)
    stale, _ = named(client, clinic, "Sid Stale")
    log_days(stale, [10, 11])
    assess(stale, "responding")
    fading, _ = named(client, clinic, "Fay Fading")
    log_days(fading, range(5))
    assess(fading, "wearing_off")
    suggestion = suggest(fading)
    ahead, _ = named(client, clinic, "Fred Forecast")
    log_days(ahead, range(3))
    assess(ahead, "responding")
    suggest(ahead, SuggestionKind.FORECAST)
    nonresp, _ = named(client, clinic, "Nora Non")
    log_days(nonresp, range(3))
    assess(nonresp, "non_responder")
    fresh, _ = named(client, clinic, "Nick New")
    log_days(fresh, range(3))
    other_clinic, _ = patient_client(client, make_clinic())

    r = client.get(f"{BASE}/patients", headers=staff.headers)

    assert r.status_code == 200
    order = [(p["name"], p["status"]) for p in r.json]
    assert order == [
        ("Fay Fading", "wearing_off"),
        ("Fred Forecast", "forecast"),
        ("Sid Stale", "no_recent_data"),
        ("Nora Non", "non_responder"),
        ("Nick New", "no_baseline"),
        ("Olive Ok", "ok"),
    ]
    by_name = {p["name"]: p for p in r.json}
    assert by_name["Olive Ok"]["adherence"] == 0.5
    assert by_name["Olive Ok"]["days_since_infusion"] == 10
    assert by_name["Olive Ok"]["typical_relief_days"] == 28.0
    assert by_name["Fay Fading"]["open_suggestion_id"] == suggestion.id
    assert by_name["Fay Fading"]["adherence"] == round(5 / 14, 3)
    assert by_name["Sid Stale"]["last_entry"] == str(TODAY - dt.timedelta(days=10))
    assert other_clinic.email not in r.get_data(as_text=True)

    only = client.get(f"{BASE}/patients?status=no_recent_data", headers=staff.headers).json
    assert [p["name"] for p in only] == ["Sid Stale"]
    found = client.get(f"{BASE}/patients?q=FRED", headers=staff.headers).json
    assert [p["name"] for p in found] == ["Fred Forecast"]
    bad = client.get(f"{BASE}/patients?status=happy", headers=staff.headers)
    assert bad.status_code == 422 and "status" in bad.json["errors"]["query"]


def test_a_page_of_fifty_patients_takes_a_handful_of_queries(client, app, clinic, staff):
    for n in range(50):
        account, _ = patient_client(client, clinic)
        log_days(account, [0, 1])
        if n % 5 == 0:
            suggest(account)
    statements = []

    def count(*args):
        statements.append(args[2])

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        r = client.get(f"{BASE}/patients?page_size=50", headers=staff.headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200 and len(r.json) == 50
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # sign-in check, count, the page, the page's recent entries
    assert len(selects) <= 5, len(selects)


def test_patient_record_timeline_and_insights(client, clinic, staff):
    account, tokens = patient_client(client, clinic)
    log_days(account, range(20, 0, -1))
    infuse(account, 15)
    suggest(account)
    pid = account.patient.id
    detail = client.get(f"{BASE}/patients/{pid}", headers=staff.headers)
    assert detail.status_code == 200 and detail.json["id"] == pid
    assert detail.json["clinic"]["id"] == clinic.id
    entries = client.get(f"{BASE}/patients/{pid}/entries?page_size=5", headers=staff.headers)
    assert len(entries.json) == 5 and entries.json[0]["date"] == str(TODAY - dt.timedelta(days=1))
    timeline = client.get(f"{BASE}/patients/{pid}/timeline", headers=staff.headers).json
    kinds = [item["type"] for item in timeline]
    assert kinds.count("entry") == 20 and kinds.count("infusion") == 1
    assert kinds.count("suggestion") == 1
    dates = [item["date"] for item in timeline]
    assert dates == sorted(dates)
    found = client.get(f"{BASE}/patients/{pid}/insights", headers=staff.headers).json
    assert found["cycles"][0]["cycle_start"] == str(TODAY - dt.timedelta(days=15))
    mine = client.get("/api/v1/me/insights", headers=tokens.headers).json
    assert mine == found


def test_clinic_records_an_authoritative_infusion(client, clinic, staff):
    account, tokens = patient_client(client, clinic)
    old = suggest(account, cycle=TODAY - dt.timedelta(days=40))
    r = client.post(
        f"{BASE}/patients/{account.patient.id}/infusions",
        headers=staff.headers,
        json={"administered_on": str(TODAY), "kind": "booster", "dose_mg": 40},
    )
    assert r.status_code == 201 and r.json["recorded_by"] == "clinician"
    infusion = db.session.get(Infusion, r.json["id"])
    assert infusion.recorded_by == RecordedBy.CLINICIAN and float(infusion.dose_mg) == 40
    assert db.session.get(BoosterSuggestion, old.id, populate_existing=True).status.value == (
        "expired"
    )
    patch = client.patch(
        f"/api/v1/me/infusions/{infusion.id}", json={"kind": "induction"}, headers=tokens.headers
    )
    assert patch.status_code == 403


def test_triage_queue_and_resolution_reach_the_patient(client, clinic, staff):
    fading, tokens = patient_client(client, clinic)
    forecast_for, _ = patient_client(client, clinic)
    later = suggest(forecast_for, SuggestionKind.FORECAST)
    first = suggest(fading)
    queue = client.get(f"{BASE}/suggestions", headers=staff.headers).json
    assert [s["id"] for s in queue] == [first.id, later.id]  # wearing-off first
    assert queue[0]["evidence"]["baseline"]["pain"] == 7.1
    assert queue[0]["patient_email"] == fading.email

    missing_date = client.post(
        f"{BASE}/suggestions/{first.id}/resolve", headers=staff.headers, json={"outcome": "booked"}
    )
    assert missing_date.status_code == 422
    assert missing_date.json["errors"] == {"appointment_on": ["required when booked"]}
    booked = client.post(
        f"{BASE}/suggestions/{first.id}/resolve",
        headers=staff.headers,
        json={"outcome": "booked", "appointment_on": str(TODAY), "note": "chair 3"},
    )
    assert booked.status_code == 200 and booked.json["status"] == "booked"
    again = client.post(
        f"{BASE}/suggestions/{first.id}/resolve",
        headers=staff.headers,
        json={"outcome": "dismissed"},
    )
    assert again.status_code == 409
    synced = client.get("/api/v1/me/sync", headers=tokens.headers).json["suggestions"]
    assert synced[0]["status"] == "booked" and synced[0]["appointment_on"] == str(TODAY)
    contacted = client.post(
        f"{BASE}/suggestions/{later.id}/resolve",
        headers=staff.headers,
        json={"outcome": "contacted", "note": "left a message"},
    )
    assert contacted.json["status"] == "acknowledged"
    assert client.get(f"{BASE}/suggestions", headers=staff.headers).json == []


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("days", [0, 1, 365])
def test_chart_is_a_sensible_png_for_any_amount_of_data(client, clinic, staff, days):
    account, tokens = patient_client(client, clinic)
    if days:
        patient = db.session.get(Patient, account.patient.id)
        patient.account.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        log_days(account, range(days))
        infuse(account, min(days, 30))
    url = f"{BASE}/patients/{account.patient.id}/chart.png?from={TODAY - dt.timedelta(days=364)}"
    desktop = client.get(url, headers=staff.headers)
    phone = client.get(url + "&size=phone", headers=staff.headers)
    assert desktop.status_code == phone.status_code == 200
    assert desktop.mimetype == "image/png" and desktop.headers["Cache-Control"] == "no-store"
    width, height = png_size(desktop.data)
    assert (width, height) == (1100, 800)
    pw, ph = png_size(phone.data)
    assert ph > pw and 500 <= pw <= 700
    assert 10_000 < len(desktop.data) < 2_000_000
    own = client.get("/api/v1/me/chart.png?size=phone", headers=tokens.headers)
    assert own.status_code == 200 and png_size(own.data) == (pw, ph)


def test_csv_export_parses_back_to_the_same_values(client, clinic, staff):
    account, tokens = patient_client(client, clinic)
    day = TODAY - dt.timedelta(days=2)
    client.put(
        f"/api/v1/me/entries/{day}",
        headers=tokens.headers,
        json={
            "pain": 6,
            "fatigue": 5,
            "mood": 3,
            "sleep_quality": 4,
            "sleep_hours": 6.5,
            "notes": "=cmd, with a comma",
            "side_effects": ["nausea", "dizziness"],
        },
    )
    infuse(account, 2)
    r = client.get(
        f"{BASE}/patients/{account.patient.id}/export.csv?from={day}&to={TODAY}",
        headers=staff.headers,
    )
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["date"] for row in rows] == [str(day + dt.timedelta(days=n)) for n in range(3)]
    first = rows[0]
    assert (first["pain"], first["fatigue"], first["mood"], first["sleep_quality"]) == (
        "6",
        "5",
        "3",
        "4",
    )
    assert first["sleep_hours"] == "6.5" and first["side_effects"] == "dizziness;nausea"
    assert first["notes"] == "'=cmd, with a comma" and first["infusion"] == "booster"
    assert rows[1]["pain"] == "" and rows[1]["infusion"] == ""


def test_fhir_bundle_validates_and_carries_the_record(client, clinic, staff):
    account, tokens = patient_client(client, clinic)
    for back in (1, 2):
        client.put(
            f"/api/v1/me/entries/{TODAY - dt.timedelta(days=back)}",
            headers=tokens.headers,
            json={**ENTRY, "sleep_hours": 7},
        )
    infuse(account, 1)
    suggest(account)
    r = client.get(f"{BASE}/patients/{account.patient.id}/fhir", headers=staff.headers)
    assert r.status_code == 200 and r.mimetype == "application/fhir+json"
    bundle = Bundle.model_validate(r.json)
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds.count("Patient") == 1 and kinds.count("Procedure") == 1
    assert kinds.count("Observation") == 2 * 5 and kinds.count("Flag") == 1
    pain = [
        e.resource
        for e in bundle.entry
        if e.resource.get_resource_type() == "Observation"
        and e.resource.code.coding[0].code == "72514-3"
    ]
    assert len(pain) == 2 and {p.valueInteger for p in pain} == {ENTRY["pain"]}
    assert all(p.code.coding[0].system == "http://loinc.org" for p in pain)


def audit_rows(clinic_id):
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.clinic_id == clinic_id)
        .order_by(AuditEvent.id)
        .execution_options(populate_existing=True)
    ).all()


def test_reads_changes_and_denied_reads_are_audited_without_values(client, clinic, staff):
    account, _ = patient_client(client, clinic)
    log_days(account, [1], notes="secret note")
    stranger, _ = patient_client(client, make_clinic())
    pid = account.patient.id
    client.get(f"{BASE}/patients/{pid}/entries", headers=staff.headers)
    client.post(
        f"{BASE}/patients/{pid}/infusions",
        headers=staff.headers,
        json={"administered_on": str(TODAY), "kind": "booster"},
    )
    denied = client.get(f"{BASE}/patients/{stranger.patient.id}/entries", headers=staff.headers)
    assert denied.status_code == 404
    rows = audit_rows(clinic.id)
    assert [(r.action.value, r.resource, r.patient_id, r.status_code) for r in rows] == [
        ("read", "entries", pid, 200),
        ("create", "infusions", pid, 200),
        ("denied", "entries", None, 404),
    ]
    infusion_id = db.session.scalar(select(Infusion.id).where(Infusion.patient_id == pid))
    assert rows[1].detail["infusion_id"] == infusion_id
    assert rows[2].detail == {"requested_patient_id": stranger.patient.id}
    assert all(r.address == "127.0.0.1" and r.request_id for r in rows)
    assert "secret" not in str([r.detail for r in rows])
    admin = login(client, make_staff(clinic, Role.ADMIN))
    log = client.get(f"{BASE}/audit?patient_id={pid}", headers=admin.headers)
    assert [e["resource"] for e in log.json] == ["infusions", "entries"]


def test_settings_are_validated_and_admin_only(client, clinic, staff):
    admin = login(client, make_staff(clinic, Role.ADMIN))
    ok = client.patch(
        f"{BASE}/settings",
        headers=admin.headers,
        json={
            "booking_lead_days": 10,
            "booking_url": "https://book.example.org/x",
            "detection_settings": {"guard_days": 4, "booking_lead_days": 9},
        },
    )
    assert ok.status_code == 200 and ok.json["booking_lead_days"] == 10
    for body, field in (
        ({"booking_lead_days": 120}, "booking_lead_days"),
        ({"booking_url": "not a url"}, "booking_url"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"booking_phone": "call us"}, "booking_phone"),
    ):
        r = client.patch(f"{BASE}/settings", headers=admin.headers, json=body)
        assert r.status_code == 422 and field in r.json["errors"]["json"], body
    bad = client.patch(
        f"{BASE}/settings", headers=admin.headers, json={"detection_settings": {"nonsense": 1}}
    )
    assert bad.status_code == 422 and "nonsense" in bad.json["errors"]["detection_settings"][0]
    stored = db.session.get(Clinic, clinic.id, populate_existing=True)
    assert stored.booking_lead_days == 10 and stored.detection_settings["guard_days"] == 4
    assert (
        client.patch(
            f"{BASE}/settings", headers=staff.headers, json={"booking_lead_days": 3}
        ).status_code
        == 403
    )
    assert client.get(f"{BASE}/audit", headers=staff.headers).status_code == 403


def test_no_clinic_endpoint_reaches_another_clinics_records(client, clinic, staff):
    """Generated from /openapi.json: every clinic path with an id, called with the id of
    another clinic's record, answers 404 and changes nothing."""
    other = make_clinic()
    victim, _ = patient_client(client, other)
    log_days(victim, [1, 2])
    foreign_suggestion = suggest(victim)
    ids = {"patient_id": victim.patient.id, "suggestion_id": foreign_suggestion.id}
    before = (
        db.session.scalar(select(func.count()).select_from(Infusion)),
        foreign_suggestion.status,
    )
    spec = client.get("/openapi.json").json
    checked = 0
    for path, item in spec["paths"].items():
        if not path.startswith(BASE):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            op = item.get(method)
            names = re.findall(r"\{([^}]+)\}", path)
            if not op or not names:
                continue
            assert all(n in ids for n in names), f"add {names} of {path} to this test"
            url = re.sub(r"\{([^}]+)\}", lambda m: str(ids[m[1]]), path)
            body = {}
            if "infusions" in path:
                body = {"administered_on": str(TODAY), "kind": "booster"}
            if "resolve" in path:
                body = {"outcome": "dismissed"}
            kwargs = {"json": body} if method != "get" else {}
            r = getattr(client, method)(url, headers=staff.headers, **kwargs)
            assert r.status_code == 404, (method, path, r.status_code)
            assert victim.email.encode() not in r.get_data()
            checked += 1
    assert checked >= 10
    assert (
        db.session.scalar(select(func.count()).select_from(Infusion)),
        db.session.get(BoosterSuggestion, foreign_suggestion.id).status,
    ) == before
    assert db.session.get(PatientAssessment, victim.patient.id) is None
