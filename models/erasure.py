"""A patient's right of access (export) and right to erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.accounts import Account, AuthSession, LoginThrottle, Patient, verify_password
from models.audit import AuditEvent, record
from models.clock import utcnow
from models.diary import DiaryEntry, Infusion
from models.enums import AuditAction
from models.errors import Forbidden
from models.notifications import Device
from models.suggestions import BoosterSuggestion


def export_patient(session: Session, patient: Patient) -> dict[str, Any]:
    """Every record of the patient, live ones only (tombstones hold nothing)."""

    def rows(model, *order):
        return session.scalars(
            select(model).where(model.patient_id == patient.id).order_by(*order)
        ).all()

    return {
        "exported_at": utcnow(),
        "profile": patient,
        "entries": [e for e in rows(DiaryEntry, DiaryEntry.entry_date) if e.deleted_at is None],
        "infusions": [
            i for i in rows(Infusion, Infusion.administered_on, Infusion.id) if i.deleted_at is None
        ],
        "suggestions": rows(BoosterSuggestion, BoosterSuggestion.created_at),
        "devices": rows(Device, Device.id),
    }


def erase_patient(session: Session, account: Account, password: str, *, request_id: str) -> None:
    """Erase a patient: health data, devices, sign-ins and the account itself are deleted
    (not flagged). The audit trail keeps one event that an erasure happened, and nothing
    else about the patient."""
    if not verify_password(account.password_hash, password):
        raise Forbidden("the password is wrong; nothing was erased", {"password": ["wrong"]})
    patient = account.patient
    assert patient is not None
    patient_id, account_id, clinic_id = patient.id, account.id, account.clinic_id
    # Revoke first, so a request racing this one is refused even before the commit.
    session.execute(delete(AuthSession).where(AuthSession.account_id == account_id))
    session.execute(delete(AuditEvent).where(AuditEvent.patient_id == patient_id))
    for model in (DiaryEntry, Infusion, BoosterSuggestion, Device):
        session.execute(delete(model).where(model.patient_id == patient_id))
    session.execute(delete(Patient).where(Patient.id == patient_id))
    session.execute(delete(Account).where(Account.id == account_id))
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == "email:" + account.email))
    record(
        session,
        clinic_id=clinic_id,
        actor_id=None,
        actor_role="patient",
        patient_id=None,
        action=AuditAction.ERASE,
        resource="patient",
        endpoint="DELETE /api/v1/me",
        method="DELETE",
        status_code=204,
        address=None,  # where the patient was is theirs too
        request_id=request_id,
        detail={"erased_patient_id": patient_id, "erased_account_id": account_id},
    )
    session.flush()
    session.expunge_all()
