"""Expire suggestions: those of a cycle a new infusion has replaced (normally closed at once
when the infusion is recorded; this catches any left), and those nobody acted on in time.
Also forgets idempotency keys older than a week."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from jobs.settings import JobSettings
from models import idempotency, suggestions
from models.diary import Infusion
from models.enums import SuggestionStatus
from models.suggestions import BoosterSuggestion

log = logging.getLogger("infusion_diary.jobs.expire")


@dataclass
class ExpireCounts:
    superseded: int = 0
    stale: int = 0
    idempotency_keys_forgotten: int = 0


def run_expire(make_session, now: dt.datetime, cfg: JobSettings) -> ExpireCounts:
    counts = ExpireCounts()
    with make_session() as session:
        latest = (
            select(Infusion.patient_id, func.max(Infusion.administered_on).label("latest"))
            .where(Infusion.deleted_at.is_(None))
            .group_by(Infusion.patient_id)
            .subquery()
        )
        superseded = session.execute(
            select(BoosterSuggestion.patient_id, latest.c.latest)
            .join(latest, latest.c.patient_id == BoosterSuggestion.patient_id)
            .where(
                BoosterSuggestion.status.in_(
                    (SuggestionStatus.OPEN, SuggestionStatus.ACKNOWLEDGED)
                ),
                BoosterSuggestion.cycle_start < latest.c.latest,
            )
            .distinct()
        ).all()
        for patient_id, newest in superseded:
            counts.superseded += suggestions.expire_earlier_cycles(session, patient_id, newest)
        session.commit()
    with make_session() as session:
        counts.idempotency_keys_forgotten = idempotency.forget_old(
            session, now - dt.timedelta(days=idempotency.KEEP_DAYS)
        )
        session.commit()
    cutoff = now - dt.timedelta(days=cfg.suggestion_expiry_days)
    while True:
        with make_session() as session:
            done = suggestions.expire_stale(session, cutoff)
            session.commit()
        counts.stale += done
        if done == 0:
            return counts
