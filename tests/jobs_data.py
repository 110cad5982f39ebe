"""Diaries for job tests: a patient whose relief after a booster fades at a known time."""

from __future__ import annotations

import datetime as dt

from models import db, diary
from models.accounts import Patient
from models.enums import InfusionKind, RecordedBy

WOBBLE = (0, 1, -1, 0, 1, 0, -1, 1, 0, -1)


def fill_fading_diary(account, today: dt.date, fade_from: int = 10) -> dt.date:
    """Baseline 60–47 days ago, a booster 46 days ago, relief, and a return to baseline that
    starts `fade_from` days before `today`. Returns the booster date."""
    patient = db.session.get(Patient, account.patient.id)
    booster = today - dt.timedelta(days=46)
    for back in range(60, -1, -1):
        day = today - dt.timedelta(days=back)
        if day > today:
            break
        w = WOBBLE[back % len(WOBBLE)]
        if back > 46:
            pain, state = 7, 1.0
        elif back > 43:
            pain, state = 4, 0.5
        elif back > fade_from:
            pain, state = 2, 0.0
        else:
            state = min(1.0, (fade_from - back + 1) / 4)
            pain = 2 + 5 * state
        values = {
            "pain": int(max(0, min(10, round(pain + w)))),
            "fatigue": int(round(3 + 3 * state - w)),
            "mood": int(round(7 - 3 * state + w)),
            "sleep_quality": int(round(7 - 3 * state)),
        }
        diary.put_entry(db.session, patient, day, values)
    diary.create_infusion(
        db.session,
        patient,
        {"administered_on": booster, "kind": InfusionKind.BOOSTER},
        recorded_by=RecordedBy.CLINICIAN,
        recorded_by_account_id=None,
    )
    db.session.commit()
    return booster
