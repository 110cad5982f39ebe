"""Vocabularies shared by the models, the schemas and the jobs."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    ADMIN = "admin"  # a clinic admin is also a clinician


class Condition(enum.StrEnum):
    FIBROMYALGIA = "fibromyalgia"
    CRPS = "crps"
    NEUROPATHIC_PAIN = "neuropathic_pain"
    MIGRAINE = "migraine"
    DEPRESSION = "depression"
    OTHER = "other"


class InfusionKind(enum.StrEnum):
    INDUCTION = "induction"
    BOOSTER = "booster"
    MAINTENANCE = "maintenance"


class RecordedBy(enum.StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"


class SideEffect(enum.StrEnum):
    NAUSEA = "nausea"
    DIZZINESS = "dizziness"
    DISSOCIATION = "dissociation"
    HEADACHE = "headache"
    FATIGUE = "fatigue"
    OTHER = "other"


class SuggestionKind(enum.StrEnum):
    WEARING_OFF = "wearing_off"
    FORECAST = "forecast"


class SuggestionStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    BOOKED = "booked"
    DISMISSED = "dismissed"
    EXPIRED = "expired"


class Platform(enum.StrEnum):
    FCM = "fcm"
    WEBPUSH = "webpush"


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class AuditAction(enum.StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ERASE = "erase"
    DENIED = "denied"


def values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]
