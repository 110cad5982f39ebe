"""Send due notifications from the outbox.

A run claims a batch of due rows (FOR UPDATE SKIP LOCKED where the database has it, so two
dispatchers never take the same row), leases them by moving their next attempt a lease ahead
and counting the attempt, and commits. Then it sends each and records the outcome in its own
transaction. A dispatcher that dies after sending but before recording leaves the row leased:
when the lease runs out it is sent again, once, with the same collapse id, so the phone shows
one notification. Failures retry with exponential backoff and jitter (or the provider's
Retry-After) and become `dead` after the last attempt; nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from sqlalchemy import select, update

from jobs.push import Provider, PushResult, Target, collapse_id
from jobs.settings import JobSettings
from models.enums import NotificationStatus
from models.notifications import Device, Notification

log = logging.getLogger("infusion_diary.jobs.dispatch")
DUE = (NotificationStatus.PENDING, NotificationStatus.FAILED)


@dataclass
class DispatchCounts:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    devices_disabled: int = 0


def backoff(attempts: int, cfg: JobSettings, rng: random.Random) -> float:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(cfg.dispatch_backoff_max_seconds, cfg.dispatch_backoff_seconds * 2**attempts)
    return rng.uniform(ceiling / 2, ceiling)


def claim(make_session, now: dt.datetime, cfg: JobSettings):
    """Lease a batch of due notifications; returns (id, dedupe key, payload, attempts, target)."""
    with make_session() as session:
        query = (
            select(Notification)
            .where(Notification.status.in_(DUE), Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(cfg.dispatch_batch_size)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.scalars(query).all()
        if not rows:
            return []
        lease_until = now + dt.timedelta(seconds=cfg.dispatch_lease_seconds)
        device_ids = {r.device_id for r in rows if r.device_id is not None}
        devices = {
            d.id: d for d in session.scalars(select(Device).where(Device.id.in_(device_ids)))
        }
        claimed = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = lease_until
            device = devices.get(row.device_id)
            target = None
            if device is not None and device.disabled_at is None:
                target = Target(
                    device.platform.value, device.token, device.endpoint, device.p256dh, device.auth
                )
            claimed.append(
                (row.id, row.dedupe_key, dict(row.payload), row.attempts, row.device_id, target)
            )
        session.commit()
        return claimed


def record(
    make_session,
    notification_id: int,
    device_id: int | None,
    attempts: int,
    result: PushResult,
    now: dt.datetime,
    cfg: JobSettings,
    rng: random.Random,
    counts: DispatchCounts,
) -> None:
    with make_session() as session:
        row = session.get(Notification, notification_id)
        if row is None:
            return  # erased with its patient meanwhile
        if result.outcome == "sent":
            row.status, row.sent_at, row.last_error = NotificationStatus.SENT, now, None
            counts.sent += 1
        elif result.outcome == "gone":
            row.status, row.last_error = NotificationStatus.DEAD, result.detail
            counts.dead += 1
            if device_id is not None:
                disabled = session.execute(
                    update(Device)
                    .where(Device.id == device_id, Device.disabled_at.is_(None))
                    .values(disabled_at=now, disabled_reason=result.detail)
                ).rowcount
                counts.devices_disabled += disabled or 0
        else:
            if result.outcome == "config":
                log.error(
                    "push provider configuration problem (%s); tokens kept, will retry",
                    result.detail,
                )
            row.last_error = result.detail[:500]
            if attempts >= cfg.dispatch_max_attempts:
                row.status = NotificationStatus.DEAD
                counts.dead += 1
            else:
                wait = result.retry_after
                if wait is None:
                    wait = backoff(attempts, cfg, rng)
                row.status = NotificationStatus.FAILED
                row.next_attempt_at = now + dt.timedelta(seconds=wait)
                counts.failed += 1
        session.commit()


def run_dispatch(
    make_session,
    now_fn,
    cfg: JobSettings,
    providers: dict[str, Provider],
    rng: random.Random | None = None,
    max_batches: int = 50,
) -> DispatchCounts:
    rng = rng or random.Random()
    counts = DispatchCounts()
    for _ in range(max_batches):
        batch = claim(make_session, now_fn(), cfg)
        if not batch:
            break
        counts.claimed += len(batch)
        for notification_id, key, payload, attempts, device_id, target in batch:
            if target is None:
                result = PushResult("gone", "device removed or disabled")
            else:
                result = providers[target.platform].send(target, payload, collapse_id(key))
            record(
                make_session,
                notification_id,
                device_id if target else None,
                attempts,
                result,
                now_fn(),
                cfg,
                rng,
                counts,
            )
    return counts
