"""Domain errors: what went wrong, in words a client can act on, with no HTTP in them."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors the domain raises on purpose."""

    def __init__(self, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists."""


class Invalid(DomainError):
    """The input is well-formed but breaks a rule."""


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, an impossible transition)."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class Unauthorized(DomainError):
    """Credentials are missing, wrong, expired or revoked."""


class PreconditionFailed(DomainError):
    """The client's copy is stale (If-Match did not match)."""


class TooManyRequests(DomainError):
    """Throttled; `retry_after` seconds until another try may succeed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Malformed(DomainError):
    """The request cannot be understood (a cursor or token this server never issued)."""
