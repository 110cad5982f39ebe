"""The IANA time zone names a patient or clinic may use."""

from __future__ import annotations

import zoneinfo

# Zone files that are not real IANA zones (local machine aliases, leap-second variants).
_NOT_ZONES = {"localtime", "posixrules", "Factory"}

IANA_TIMEZONES: frozenset[str] = frozenset(
    name
    for name in zoneinfo.available_timezones()
    if name not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
)


def is_valid_timezone(name: str) -> bool:
    return name in IANA_TIMEZONES
