"""Typed SQLAlchemy models and the domain functions that work on them (no Flask here)."""

from models import accounts, audit, clinic, diary, notifications, suggestions  # noqa: F401
from models.db import Base

__all__ = ["Base"]
