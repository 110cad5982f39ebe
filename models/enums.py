"""Vocabularies shared by the models, the schemas and the jobs."""

from __future__ import annotations

import enum


class StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value


class Role(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    ADMIN = "admin"  # a clinic admin is also a clinician


class Condition(StrEnum):
    FIBROMYALGIA = "fibromyalgia"
    CRPS = "crps"
    NEUROPATHIC_PAIN = "neuropathic_pain"
    MIGRAINE = "migraine"
    DEPRESSION = "depression"
    OTHER = "other"


class InfusionKind(StrEnum):
    INDUCTION = "induction"
    BOOSTER = "booster"
    MAINTENANCE = "maintenance"


class RecordedBy(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"


class SideEffect(StrEnum):
    NAUSEA = "nausea"
    DIZZINESS = "dizziness"
    DISSOCIATION = "dissociation"
    HEADACHE = "headache"
    FATIGUE = "fatigue"
    OTHER = "other"


class SuggestionKind(StrEnum):
    WEARING_OFF = "wearing_off"
    FORECAST = "forecast"


class SuggestionStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    BOOKED = "booked"
    DISMISSED = "dismissed"
    EXPIRED = "expired"


class Platform(StrEnum):
    FCM = "fcm"
    WEBPUSH = "webpush"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class AuditAction(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ERASE = "erase"
    DENIED = "denied"


def values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]
