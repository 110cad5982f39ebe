"""What changed for a patient after a sync cursor: entries (with tombstones), infusions
(with tombstones) and suggestions, in change-number order."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.diary import DiaryEntry, Infusion
from models.errors import Malformed
from models.suggestions import BoosterSuggestion
from models.sync import current_seq

SYNCED = (("entries", DiaryEntry), ("infusions", Infusion), ("suggestions", BoosterSuggestion))


@dataclass
class Changes:
    cursor: int
    has_more: bool
    entries: list[DiaryEntry] = field(default_factory=list)
    infusions: list[Infusion] = field(default_factory=list)
    suggestions: list[BoosterSuggestion] = field(default_factory=list)


def changes_since(session: Session, patient_id: int, since: int, limit: int) -> Changes:
    """Up to `limit` records changed after `since`, and the cursor that follows them.

    The patient's change counter is read first: every change numbered up to it has committed
    (see models.sync), so records numbered above it are left for the next pull.
    """
    upper = current_seq(session, patient_id)
    if since > upper:
        raise Malformed("sync cursor is not one this server issued", {"since": ["unknown cursor"]})
    rows = []
    for name, model in SYNCED:
        found = session.scalars(
            select(model)
            .where(model.patient_id == patient_id, model.sync_seq > since, model.sync_seq <= upper)
            .order_by(model.sync_seq)
            .limit(limit + 1)
        ).all()
        rows.extend((row.sync_seq, name, row) for row in found)
    rows.sort(key=lambda item: item[0])
    has_more = len(rows) > limit
    taken = rows[:limit]
    changes = Changes(cursor=taken[-1][0] if has_more else upper, has_more=has_more)
    for _seq, name, row in taken:
        getattr(changes, name).append(row)
    return changes
