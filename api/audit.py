"""Audit of every clinician read or change of patient data, from where and through what.

`audited(resource)` adds the event to the session before the view runs, so a view that
changes data commits the event in the same transaction as the change; a read is committed
after the view. When the view fails (not found, forbidden, invalid…), its work is rolled back
and the failed attempt is recorded on its own. Events hold ids and the endpoint, never values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from api.auth import current_account
from api.errors import STATUS_OF
from models import audit, db
from models.enums import AuditAction
from models.errors import DomainError, Forbidden, NotFound


def audited(resource: str, action: AuditAction = AuditAction.READ) -> Callable:
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            fields = {
                "clinic_id": account.clinic_id,
                "actor_id": account.id,
                "actor_role": account.role.value,
                "resource": resource,
                "endpoint": f"{request.method} {request.url_rule.rule if request.url_rule else ''}",
                "method": request.method,
                "address": request.remote_addr,
                "request_id": g.get("request_id"),
            }
            target = kwargs.get("patient_id")
            event = audit.record(
                db.session, action=action, patient_id=None, status_code=200, **fields
            )
            event.detail = {"patient_id": target} if target is not None else {}
            g.audit_event = event
            try:
                result = view(*args, **kwargs)
            except DomainError as error:
                db.session.rollback()
                denied = isinstance(error, NotFound | Forbidden)
                failed = audit.record(
                    db.session,
                    action=AuditAction.DENIED if denied else action,
                    patient_id=None,
                    status_code=_status(error),
                    **fields,
                )
                failed.detail = {"requested_patient_id": target} if target is not None else {}
                db.session.commit()
                raise
            if event.patient_id is None and g.get("audit_patient_id") is not None:
                event.patient_id = g.audit_patient_id
            db.session.commit()
            return result

        return wrapper

    return decorator


def audit_patient(patient_id: int) -> None:
    """Name the patient the current audited request is about, once the view knows it."""
    g.audit_patient_id = patient_id
    event = g.get("audit_event")
    if event is not None:
        event.patient_id = patient_id


def _status(error: DomainError) -> int:
    return next(code for cls, code in STATUS_OF.items() if isinstance(error, cls))


def audit_detail(**detail: Any) -> None:
    """Add ids or counts (never values) to the current audited request's event."""
    event = g.get("audit_event")
    if event is not None:
        event.detail = {**(event.detail or {}), **detail}
