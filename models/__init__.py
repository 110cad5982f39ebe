"""Typed SQLAlchemy models and the domain functions that work on them (no Flask here)."""

from models import (  # noqa: F401
    accounts,
    audit,
    changes,
    clinic,
    diary,
    erasure,
    idempotency,
    locks,
    notifications,
    suggestions,
)
from models.db import Base

__all__ = ["Base"]
