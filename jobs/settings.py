"""What the jobs need to know, as one plain object (the command line builds it from the
app's configuration; the jobs never import Flask)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobSettings:
    scan_local_hour: int = 6  # the scan evaluates a patient once their local time passes this
    scan_batch_size: int = 500
    scan_history_days: int = 365
    suggestion_expiry_days: int = 14
    dispatch_batch_size: int = 100
    dispatch_max_attempts: int = 8
    dispatch_backoff_seconds: float = 30.0
    dispatch_backoff_max_seconds: float = 6 * 3600.0
    dispatch_lease_seconds: float = 120.0
    reminder_batch_size: int = 1000
    webpush_vapid_private_key: str | None = None
    webpush_vapid_subject: str = "mailto:ops@infusion-diary.invalid"
    webpush_ttl_seconds: int = 12 * 3600
    fcm_service_account: dict[str, Any] | None = field(default=None, repr=False)
    fcm_project_id: str | None = None
    fcm_endpoint: str = "https://fcm.googleapis.com"
    push_timeout_seconds: float = 10.0
